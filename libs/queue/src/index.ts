export * from './jobs';
export * from './connection';
