/**
 * The house's boundaries, checked in CI (`npm run lint:deps`). docs/architecture.md says why
 * each exists.
 * @type {import('dependency-cruiser').IConfiguration}
 */
// A package is matched by its resolved path (node_modules/…) or, where it did not resolve, its name.
const pkg = (names) => `(^|node_modules/)(${names})(/|$)`;
const IO = `${pkg('fastify|@fastify/[^/]+|bullmq|ioredis|pg|@prisma/[^/]+|@aws-sdk/[^/]+|@smithy/[^/]+|pino|prom-client')}|^(node:)?(net|http|https|fs|child_process|dgram|dns|tls)$`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure',
      comment: 'libs/core holds pure rules: no I/O library, no other workspace package.',
      severity: 'error',
      from: { path: '^libs/core/src' },
      to: { path: `${IO}|^libs/(?!core/)` },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/', pathNot: '^apps/(api/src/(app|deps)|worker/src/(main|compose))\\.ts$' },
    },
    {
      name: 'only-testing-starts-the-apps',
      comment:
        'One exception to libs-never-import-apps: libs/testing (test support, never shipped) starts the real apps ' +
        'from their composition roots (buildApp and its deps, startWorker and its deps) for the API harness and the ' +
        'worker test bed. docs/decisions.md, issue 13 (testing).',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/testing/src/' },
      to: { path: '^apps/(api/src/(app|deps)|worker/src/(main|compose))\\.ts$' },
    },
    {
      name: 'apps-never-import-each-other',
      comment: 'An app (its tests included) imports libs only; shared test support lives in libs/testing.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'db-knows-no-http-or-queue',
      severity: 'error',
      from: { path: '^libs/db/' },
      to: { path: pkg('fastify|@fastify/[^/]+|bullmq') },
    },
    {
      name: 'only-sms-talks-to-aws',
      comment: 'The bench compares our SNS client with the AWS SDK, and so may import it.',
      severity: 'error',
      from: { pathNot: '^(libs/sms/|bench/)' },
      to: { path: pkg('@aws-sdk/[^/]+|@smithy/[^/]+') },
    },
    {
      name: 'declared-dependencies',
      comment: 'Every package declares what it imports in its own package.json (no reliance on hoisting).',
      severity: 'error',
      from: { path: '^(libs|apps)/[^/]+/src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^(libs|apps)/[^/]+/dist/', '^bench/dist/', '^libs/db/src/generated/'] },
    tsConfig: { fileName: 'tsconfig.test.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
