export * from './client';
export * from './connection';
export * from './migrator';
export * from './tenant-config.repository';
export * from './message.repository';
