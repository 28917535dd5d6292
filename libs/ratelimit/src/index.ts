export * from './take-tokens.command';
export * from './leased-token-buckets';
export * from './tenant.rate-limiter';
export * from './api-key.rate-limiter';
