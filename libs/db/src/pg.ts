/**
 * `@pbx-sms/db/pg`: the plain-pg half of this library (pool, the worker's message writes, the
 * config readers), without the Prisma client. The worker imports this entry point alone: the
 * generated Prisma client costs several MB of memory in a process that never uses it.
 */
export * from './connection';
export * from './message.repository';
export * from './tenant-config.pg';
export * from './retention.repository';
