export * from './batcher';
export * from './send-slots';
export * from './active-jobs';
