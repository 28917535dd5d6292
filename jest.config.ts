import type { Config } from 'jest';

/**
 * Test layout: `libs/<lib>/test` and `apps/<app>/test` hold `*.test.ts` (unit tests of pure
 * code and integration tests against real Postgres and Redis; each file isolates itself with
 * its own schema and queue prefix, so files run in parallel). The fault and security suites
 * live in `test/faults` and `test/security` and run on their own (`npm run test:faults`,
 * `npm run test:security`).
 */
const shared = {
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] as [string, Record<string, unknown>] },
  moduleNameMapper: {
    '^@pbx-sms/db/pg$': '<rootDir>/libs/db/src/pg',
    // libs/testing starts the real apps from their composition roots (docs/decisions.md).
    '^@pbx-sms/(api|worker)/(app|deps|main|compose)$': '<rootDir>/apps/$1/src/$2',
    // A unit test imports the one fixture module it needs, without the database and the apps.
    '^@pbx-sms/testing/([a-z-]+)$': '<rootDir>/libs/testing/src/$1',
    '^@pbx-sms/([a-z-]+)$': '<rootDir>/libs/$1/src',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
};

const config: Config = {
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  // Project-level testTimeout is ignored by Jest 30; long suites set their own per test.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/*/test/**/*.unit.test.ts', '<rootDir>/apps/*/test/**/*.unit.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/libs/*/test/**/*.test.ts', '<rootDir>/apps/*/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.unit\\.test\\.ts$'],
    },
    { ...shared, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
    { ...shared, displayName: 'security', testMatch: ['<rootDir>/test/security/**/*.test.ts'] },
  ],
};

export default config;
