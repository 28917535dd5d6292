import { classifyProviderFailure, type ProviderFailureFacts } from '@pbx-sms/sms';

describe('classifyProviderFailure', () => {
  it.each<[string, ProviderFailureFacts, 'transient' | 'permanent', string]>([
    ['SNS throttling (exception name)', { code: 'ThrottledException', httpStatus: 429 }, 'transient', 'provider_unavailable'],
    ['SNS throttling (wire code)', { code: 'Throttled' }, 'transient', 'provider_unavailable'],
    ['KMS throttling', { code: 'KMSThrottlingException', httpStatus: 400 }, 'transient', 'provider_unavailable'],
    ['internal error', { code: 'InternalErrorException', httpStatus: 500 }, 'transient', 'provider_unavailable'],
    ['an unknown 5xx', { code: 'SomethingNew', httpStatus: 502 }, 'transient', 'provider_unavailable'],
    ['a bare 503', { httpStatus: 503 }, 'transient', 'provider_unavailable'],
    ['HTTP 429 with an unknown code', { code: 'SlowDown', httpStatus: 429 }, 'transient', 'provider_unavailable'],
    ['expired temporary credentials', { code: 'ExpiredToken', httpStatus: 403 }, 'transient', 'provider_unavailable'],
    ['a request signed too long ago (clock skew)', { code: 'RequestExpired', httpStatus: 400 }, 'transient', 'provider_unavailable'],
    ['a timeout', { timeout: true }, 'transient', 'provider_unavailable'],
    ['a connection error', { network: true }, 'transient', 'provider_unavailable'],
    ['nothing known at all', {}, 'transient', 'provider_unavailable'],
    ['invalid parameter', { code: 'InvalidParameterException', httpStatus: 400 }, 'permanent', 'provider_rejected'],
    ['invalid parameter value', { code: 'InvalidParameterValueException', httpStatus: 400 }, 'permanent', 'provider_rejected'],
    ['authorization error', { code: 'AuthorizationErrorException', httpStatus: 403 }, 'permanent', 'provider_rejected'],
    ['invalid security', { code: 'InvalidSecurityException', httpStatus: 403 }, 'permanent', 'provider_rejected'],
    ['endpoint disabled', { code: 'EndpointDisabledException', httpStatus: 400 }, 'permanent', 'provider_rejected'],
    ['validation error', { code: 'ValidationError', httpStatus: 400 }, 'permanent', 'provider_rejected'],
    ['not found', { code: 'NotFoundException', httpStatus: 404 }, 'permanent', 'provider_rejected'],
    ['an unknown 4xx', { code: 'Weird', httpStatus: 400 }, 'permanent', 'provider_rejected'],
    ['opted out (exception name)', { code: 'OptedOutException', httpStatus: 400 }, 'permanent', 'opted_out'],
    ['opted out (wire code)', { code: 'OptedOut' }, 'permanent', 'opted_out'],
  ])('%s is %s with code %s', (_label, facts, kind, code) => {
    expect(classifyProviderFailure(facts)).toEqual({ kind, code });
  });

  it('a timeout is transient whatever code came with it', () => {
    expect(classifyProviderFailure({ timeout: true, code: 'InvalidParameter', httpStatus: 400 }).kind).toBe('transient');
  });
});
