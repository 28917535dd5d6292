import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPrisma, migrate, parseDatabaseUrl, type PrismaClient } from '@pbx-sms/db';

export interface TestDatabase {
  /** DATABASE_URL for this test file: its own schema. */
  url: string;
  schema: string;
  prisma: PrismaClient;
  /** Drops the schema and disconnects. */
  cleanup(): Promise<void>;
}

function baseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
}

/**
 * A fresh, migrated schema of its own for one test file, so files run in parallel. Only
 * schemas named `test_…` are ever created or dropped.
 */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const schema = `test_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const u = new URL(baseUrl());
  u.searchParams.set('schema', schema);
  const url = u.toString();
  await migrate(url);
  const prisma = createPrisma(url, { max: 5 });
  return {
    url,
    schema,
    prisma,
    async cleanup() {
      await prisma.$disconnect();
      await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  if (!schema.startsWith('test_')) throw new Error(`refusing to drop non-test schema ${schema}`);
  const client = new Client({ connectionString: parseDatabaseUrl(baseUrl()).connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
