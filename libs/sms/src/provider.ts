import type { ProviderFailureKind } from './provider-failure.classifier';

/** The port the worker sends through (DESIGN.md "SMS provider"). */
export interface SmsRequest {
  from: string;
  to: string;
  body: string;
  /** Our Message id, for providers and logs that can carry it. */
  messageId: string;
}

export interface SmsResult {
  providerMessageId: string;
}

export interface SmsProvider {
  readonly name: string;
  /** Resolves with the provider's id, or rejects with a ProviderError. */
  send(req: SmsRequest): Promise<SmsResult>;
  close(): Promise<void>;
}

/**
 * A classified provider failure. `detail` is safe to log and store: provider messages can echo
 * the phone number, so adapters pass them through redaction first. Checked by name as well as
 * instanceof, since errors cross module and process boundaries.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly kind: ProviderFailureKind,
    readonly code: 'provider_rejected' | 'provider_unavailable' | 'opted_out',
    /** The provider's own error code (e.g. `Throttled`), or `Timeout` / `Network`. */
    readonly providerCode: string,
    readonly detail: string,
    readonly httpStatus?: number,
  ) {
    super(`${providerCode}: ${detail}`);
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return (
    err instanceof ProviderError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ProviderError' && typeof (err as { kind?: unknown }).kind === 'string')
  );
}
