export * from './errors';
export * from './phone';
export * from './segments';
export * from './base64';
export * from './rules';
export * from './template';
export * from './api-key';
export * from './action-params';
