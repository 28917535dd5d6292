export * from './jobs';
export * from './redis-layout';
export * from './connection';
export * from './producer';
export * from './consumer';
