export * from './jobs';
export * from './connection';
export * from './producer';
export * from './tenant-rate-limiter';
export * from './token-leases';
