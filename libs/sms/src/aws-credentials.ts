import type { AwsCredentials } from './sigv4';

/** Resolves credentials; a memoised chain answers its cached value until it refreshes. */
export type CredentialProvider = () => Promise<AwsCredentials>;

/** Temporary credentials are replaced this long before they expire (the SDK's own margin). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`): environment,
 * SSO, web identity token file, shared ini files / profiles (incl. role assumption and
 * credential_process), ECS container and EC2 instance metadata. Loaded on first use, so a
 * process with explicit credentials never loads it. The chain is memoised and refreshes
 * credentials that expire within 5 minutes.
 */
export function defaultCredentialChain(region: string): CredentialProvider {
  let chain: CredentialProvider | undefined;
  return () => {
    if (!chain) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { defaultProvider } = require('@aws-sdk/credential-provider-node') as typeof import('@aws-sdk/credential-provider-node');
      // The region is what the SDK hands the chain as its client's config (STS for web identity and roles).
      chain = defaultProvider({ parentClientConfig: { region } });
    }
    return chain();
  };
}

/**
 * Keeps the last credentials and answers them without asking the chain again while they are
 * good for more than `refreshBeforeMs`; closer to expiry every call goes back to the chain
 * (which refreshes them). Concurrent first calls share one resolution.
 */
export class CachedCredentials {
  private current: AwsCredentials | null = null;
  private pending: Promise<AwsCredentials> | null = null;

  constructor(
    private readonly provider: CredentialProvider,
    private readonly now: () => number = Date.now,
    private readonly refreshBeforeMs = REFRESH_BEFORE_EXPIRY_MS,
  ) {}

  /** Fixed credentials: never asked again. */
  static of(creds: AwsCredentials): CachedCredentials {
    const c = new CachedCredentials(() => Promise.resolve(creds));
    c.current = creds;
    return c;
  }

  /** The credentials to sign with now, synchronously when the cached ones are still good. */
  get(): AwsCredentials | Promise<AwsCredentials> {
    const c = this.current;
    if (c && (!c.expiration || c.expiration.getTime() - this.now() > this.refreshBeforeMs)) return c;
    if (!this.pending) {
      this.pending = this.provider().then(
        (fresh) => {
          this.pending = null;
          this.current = fresh;
          return fresh;
        },
        (err: unknown) => {
          this.pending = null;
          throw err;
        },
      );
      // A failed background refresh is not an unhandled rejection: the next call tries again.
      this.pending.catch(() => undefined);
    }
    // Close to expiry but still valid: sign with what we have while the refresh runs.
    if (c && (!c.expiration || c.expiration.getTime() > this.now() + 10_000)) return c;
    return this.pending;
  }
}
