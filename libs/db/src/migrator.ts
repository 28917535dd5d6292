import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { poolConfig } from './connection';

/**
 * Applies prisma/migrations/<name>/migration.sql in folder-name order, recording each in
 * Prisma's own `_prisma_migrations` table exactly as `prisma migrate deploy` does, so a
 * machine that has Prisma's schema engine accepts the database as migrated. We need our own
 * because the engine is a native download this machine cannot fetch. Idempotent; concurrent
 * runs serialise on an advisory lock.
 */

const LOCK_ID = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export function defaultMigrationsDir(): string {
  // libs/db/{src,dist}/migrator.* → <repo>/prisma/migrations
  return path.resolve(__dirname, '..', '..', '..', 'prisma', 'migrations');
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrate(databaseUrl: string, migrationsDir = defaultMigrationsDir()): Promise<MigrationResult> {
  const { config, schema } = poolConfig(databaseUrl);
  const client = new Client(config);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(CREATE_TABLE);
    const names = (await readdir(migrationsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const done = await client.query<{ migration_name: string; finished_at: Date | null }>(
      'SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const finished = new Set(done.rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    const failed = done.rows.filter((r) => r.finished_at === null).map((r) => r.migration_name);
    if (failed.length > 0) {
      throw new Error(
        `Migration ${failed[0]} failed earlier and was left unfinished; fix the database, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed[0]}')`,
      );
    }
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const name of names) {
      if (finished.has(name)) {
        result.alreadyApplied.push(name);
        continue;
      }
      const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      const id = randomUUID();
      const checksum = createHash('sha256').update(sql).digest('hex');
      await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [id, checksum, name]);
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, String((err as Error).message)]);
        throw new Error(`Migration ${name} failed: ${(err as Error).message}`, { cause: err });
      }
      result.applied.push(name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
