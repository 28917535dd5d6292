export * from './provider';
export * from './provider-failure.classifier';
export * from './local.provider';
export * from './sns.provider';
export * from './sns-query';
export * from './sigv4';
export * from './aws-credentials';
export * from './create-provider';
