import { Pool, type PoolConfig } from 'pg';

/**
 * DATABASE_URL may carry `?schema=name` (Prisma's convention); pg does not know it, so it is
 * taken off the URL and applied as the connection's search_path, which also serves raw SQL
 * and the migrator. Tests use it to give each test file a schema of its own.
 */
export function parseDatabaseUrl(databaseUrl: string): { connectionString: string; schema: string } {
  const u = new URL(databaseUrl);
  const schema = u.searchParams.get('schema') ?? 'public';
  u.searchParams.delete('schema');
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`DATABASE_URL schema must be a plain identifier, got ${JSON.stringify(schema)}`);
  return { connectionString: u.toString(), schema };
}

export function poolConfig(databaseUrl: string, extra: PoolConfig = {}): { config: PoolConfig; schema: string } {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
  return {
    schema,
    config: {
      connectionString,
      options: `-c search_path="${schema}"`,
      connectionTimeoutMillis: 5_000,
      ...extra,
    },
  };
}

export function createPool(databaseUrl: string, extra: PoolConfig = {}): Pool {
  const pool = new Pool(poolConfig(databaseUrl, extra).config);
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}
