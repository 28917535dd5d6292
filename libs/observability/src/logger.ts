import pino, { type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

const SECRET_KEYS = ['apikey', 'apiKey', 'key', 'token', 'authorization', 'x-api-key', 'password', 'secret', 'ADMIN_TOKEN'];
const PERSONAL_KEYS = [
  'to',
  'from',
  'to_number',
  'toNumber',
  'phoneNumber',
  'PhoneNumber',
  'smsNumber',
  'senderNumber',
  'e164',
  'body',
  'text',
  'callerId',
  'callerName',
];

/**
 * Paths pino censors: secrets and personal data at the top level, one level down (e.g.
 * `job.to`) and in request headers. Log messages themselves must not interpolate these values.
 */
export const REDACT_PATHS = [
  ...[...SECRET_KEYS, ...PERSONAL_KEYS].flatMap((k) => [`["${k}"]`, `*["${k}"]`]),
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

const QUERY_SECRET = /([?&](?:apikey|api_key|to_number|body|key|token)=)[^&#]*/gi;

// A number in a path (admin routes carry the +E.164 number as a path parameter).
const PATH_NUMBER = /(?:%2B|\+|%20| )\d{6,}|\d{11,}/gi;

/** A URL fit for logs: the values of apikey, to_number and body are replaced, and phone numbers in the path. */
export function redactUrl(url: string): string {
  return url.replace(QUERY_SECRET, '$1[redacted]').replace(PATH_NUMBER, '[redacted-number]');
}

const PHONE_LIKE = /\+?\d[\d \-()]{6,}\d/g;

/** Masks anything that looks like a phone number inside free text (error messages from providers, etc.). */
export function redactText(text: string): string {
  return text.replace(PHONE_LIKE, '[redacted-number]');
}

export interface LoggerSettings {
  level?: string;
  name?: string;
  /** A destination stream; tests pass one to capture and inspect real output. */
  destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: (err: unknown) => {
        const s = pino.stdSerializers.err(err as Error);
        if (s && typeof s.message === 'string') s.message = redactText(s.message);
        if (s && typeof s.stack === 'string') s.stack = redactText(s.stack);
        return s;
      },
      req: (req: { method?: string; url?: string; id?: unknown; routeOptions?: { url?: string } }) => ({
        id: req.id,
        method: req.method,
        url: req.url ? redactUrl(req.url) : undefined,
        route: req.routeOptions?.url,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    base: settings.name ? { service: settings.name } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
