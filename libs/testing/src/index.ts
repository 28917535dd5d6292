/**
 * Test support, the one home of fixtures (never shipped): test files import from here only.
 * Jest and tsconfig.test.json read it from source; only the fake SNS is built (fake-sns.ts).
 */
export * from './wait';
export * from './database';
export * from './redis';
export * from './test-numbers';
export * from './fake-sns';
export * from './capturing-logger';
export * from './tenant-seed';
export * from './voicemail-event';
export * from './worker-config';
export * from './worker-test-bed';
export * from './api-harness';
export * from './api-fixtures';
export * from './child-processes';
export * from './test-servers';
export * from './app-processes';
export * from './rest-client';
export * from './delivery-figures';
export * from './fuzz';
