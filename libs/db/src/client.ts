import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { poolConfig } from './connection';

export { PrismaClient, Prisma } from './generated/prisma/client';
export type * from './generated/prisma/client';

export interface DbOptions {
  /** Pool size; default 10. */
  max?: number;
}

/** A Prisma client over node-postgres (no native engine). One per process; close with $disconnect(). */
export function createPrisma(databaseUrl: string, opts: DbOptions = {}): PrismaClient {
  const { config, schema } = poolConfig(databaseUrl, { max: opts.max ?? 10 });
  const adapter = new PrismaPg(config, {
    schema,
    onPoolError: () => undefined,
    onConnectionError: () => undefined,
  });
  return new PrismaClient({ adapter });
}
