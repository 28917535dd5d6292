export * from './provider';
export * from './local.provider';
export * from './sns.provider';
export * from './create-provider';
