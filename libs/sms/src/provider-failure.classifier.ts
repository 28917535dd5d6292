import type { ErrorCode } from '@pbx-sms/core';

/**
 * Classifies an SMS provider's failure (DESIGN.md "Verified facts", SNS): transient failures
 * are retried with backoff, permanent ones fail the message at once. Pure: the adapter
 * extracts these facts from whatever its SDK throws.
 */
export interface ProviderFailureFacts {
  /** The SDK's exception name or the wire error code, e.g. `ThrottledException` or `Throttled`. */
  code?: string | undefined;
  httpStatus?: number | undefined;
  /** The call timed out (no answer within the provider timeout). */
  timeout?: boolean | undefined;
  /** The connection failed (refused, reset, DNS, ...). */
  network?: boolean | undefined;
}

export type ProviderFailureKind = 'transient' | 'permanent';

export interface ProviderFailureClass {
  kind: ProviderFailureKind;
  /** The code recorded on the Message if this failure ends it. */
  code: Extract<ErrorCode, 'provider_rejected' | 'provider_unavailable' | 'opted_out'>;
}

const TRANSIENT_CODES = new Set([
  'Throttled',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'KMSThrottling',
  'KMSThrottlingException',
  'InternalError',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  // The request's credentials or timestamp went stale (temporary credentials expiring between
  // refreshes, clock skew): the next attempt signs again with fresh ones. Failing the SMS for
  // good would blame the message for the sender's credentials.
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'RequestTimeTooSkewed',
]);

const OPTED_OUT_CODES = new Set(['OptedOut', 'OptedOutException']);

const PERMANENT_CODES = new Set([
  'InvalidParameter',
  'InvalidParameterException',
  'ParameterValueInvalid',
  'InvalidParameterValueException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'InvalidSecurity',
  'InvalidSecurityException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'EndpointDisabled',
  'EndpointDisabledException',
  'ValidationError',
  'ValidationException',
  'NotFound',
  'NotFoundException',
  'KMSAccessDenied',
  'KMSAccessDeniedException',
  'KMSDisabled',
  'KMSDisabledException',
  'KMSNotFound',
  'KMSNotFoundException',
  'KMSInvalidState',
  'KMSInvalidStateException',
  'KMSOptInRequired',
]);

export function classifyProviderFailure(f: ProviderFailureFacts): ProviderFailureClass {
  const transient: ProviderFailureClass = { kind: 'transient', code: 'provider_unavailable' };
  const rejected: ProviderFailureClass = { kind: 'permanent', code: 'provider_rejected' };
  if (f.timeout || f.network) return transient;
  if (f.code !== undefined) {
    if (OPTED_OUT_CODES.has(f.code)) return { kind: 'permanent', code: 'opted_out' };
    if (TRANSIENT_CODES.has(f.code)) return transient;
    if (PERMANENT_CODES.has(f.code)) return rejected;
  }
  const s = f.httpStatus;
  if (s !== undefined) {
    if (s === 408 || s === 429 || s >= 500) return transient;
    if (s >= 400) return rejected;
  }
  // No status and no known code: the request most likely never got a clear answer.
  // Retrying is safe because the retry budget is bounded.
  return transient;
}

/** Socket and DNS error codes that mean the provider could not be reached: transient. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);
