/**
 * The error catalogue: every error the service answers or records, with its stable code,
 * HTTP status and readable text. The four documented cases answer exactly
 * `JSON.stringify({ error: documented })`; the rest answer `{ error, code }`.
 * The README's error table is checked against this table by a test.
 */
export const ERROR_CATALOGUE = {
  // Documented by the PBXware guide: the body is these bytes and nothing else.
  api_disabled: { status: 403, documented: 'SMS API is disabled', text: 'SMS API is disabled', retryable: false },
  tenant_inactive: {
    status: 403,
    documented: 'Action sms_message returned with error: ERR: SMS not enabled for this tenant: ',
    text: 'SMS notifications are not active for this tenant',
    retryable: false,
  },
  sender_invalid: { status: 422, documented: 'Invalid or missing sender SMS number', text: 'Invalid or missing sender SMS number', retryable: false },
  destination_missing: {
    status: 422,
    documented: 'Destination does not have an assigned SMS number',
    text: 'Destination does not have an assigned SMS number',
    retryable: false,
  },
  // Ours.
  unknown_action: { status: 400, text: 'Unknown or missing action', retryable: false },
  invalid_request: { status: 400, text: 'Invalid request', retryable: false },
  payload_too_large: { status: 413, text: 'Request body is too large', retryable: false },
  unauthorized: { status: 401, text: 'Missing, unknown or revoked API key', retryable: false },
  forbidden: { status: 403, text: 'This API key may not perform this action', retryable: false },
  invalid_number: { status: 400, text: 'Destination number is not a valid +E.164 number', retryable: false },
  invalid_body: { status: 400, text: 'Message body is missing or not valid text', retryable: false },
  message_too_long: { status: 400, text: 'Message is too long', retryable: false },
  voicemail_disabled: { status: 403, text: 'Voicemail SMS notifications are disabled for this tenant', retryable: false },
  extension_not_found: { status: 404, text: 'Extension not found', retryable: false },
  not_found: { status: 404, text: 'Not found', retryable: false },
  idempotency_conflict: { status: 422, text: 'Idempotency-Key was already used with a different request', retryable: false },
  rate_limited: { status: 429, text: 'Too many requests', retryable: true },
  unavailable: { status: 503, text: 'Service temporarily unavailable, retry later', retryable: true },
  internal_error: { status: 500, text: 'Internal error', retryable: true },
  // Recorded by the worker on Messages (never an HTTP answer of the public API).
  provider_rejected: { status: 502, text: 'The SMS provider rejected the message', retryable: false },
  provider_unavailable: { status: 503, text: 'The SMS provider could not be reached within the retry budget', retryable: false },
  opted_out: { status: 502, text: 'The destination number has opted out of SMS', retryable: false },
} as const satisfies Record<string, { status: number; documented?: string; text: string; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}

export type ErrorBody = { error: string } | { error: string; code: ErrorCode };

/** An error with a stable code. `detail` replaces the catalogue text for our own codes (never for documented ones). */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds, for 429 and 503. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, detail?: string, opts: { retryAfter?: number; cause?: unknown } = {}) {
    super(detail ?? ERROR_CATALOGUE[code].text, { cause: opts.cause });
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
  }

  body(): ErrorBody {
    return errorBody(this.code, this.message);
  }
}

/** The response body for a code: the documented bytes for the spec's four cases, `{ error, code }` otherwise. */
export function errorBody(code: ErrorCode, detail?: string): ErrorBody {
  const entry: { documented?: string; text: string } = ERROR_CATALOGUE[code];
  if (entry.documented !== undefined) return { error: entry.documented };
  return { error: detail ?? entry.text, code };
}

/** `instanceof` fails across realms and serialisation; the name and code travel. */
export function isAppError(err: unknown): err is AppError {
  return (
    err instanceof AppError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AppError' && isErrorCode((err as { code?: unknown }).code))
  );
}
