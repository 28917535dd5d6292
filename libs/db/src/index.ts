export * from './client';
export * from './connection';
export * from './migrator';
export * from './tenant-config.repository';
export * from './admin.schemas';
export * from './admin.service';
export * from './diagnostics.service';
export * from './message-ops.service';
