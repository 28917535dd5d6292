/**
 * `@pbx-sms/db/pg`: the plain-pg half of this library (pool, the worker's message writes, the
 * tenant-config reader and cache, retention), without the Prisma client. The worker imports
 * this entry point alone: the generated Prisma client costs several MB of memory in a process
 * that never uses it.
 */
export * from './connection';
export * from './message.repository';
export * from './sql/sql-runner';
export * from './sql/messages.claim';
export * from './sql/messages.read';
export * from './sql/messages.stale';
export * from './sql/attempts.finish';
export * from './sql/voicemail-messages.insert';
export * from './sql/retention';
export * from './tenant-config/tenant-config.reader';
export * from './tenant-config/tenant-config.cache';
export * from './tenant-config/config-changes.subscription';
