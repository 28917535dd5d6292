#!/usr/bin/env node
// Runs the Prisma CLI without its native schema engine, which it would otherwise try to
// download (this machine reaches only the npm registry). `generate` needs no engine; for
// `migrate` we use our own migrator (libs/db/src/migrator.ts). The stub fails loudly, so a
// command that does need the engine errors instead of silently doing nothing.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const stub = path.join(__dirname, 'no-schema-engine.sh');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || stub,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const cli = require.resolve('prisma/build/index.js');
const r = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
