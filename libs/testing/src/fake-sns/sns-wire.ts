import type { IncomingMessage } from 'node:http';

/** SNS's query protocol as the fake speaks it: what a Publish request carries, and the XML answers. */

export type FakeSnsErrorCode =
  'Throttled' | 'KMSThrottling' | 'InternalError' | 'InvalidParameter' | 'ParameterValueInvalid' | 'AuthorizationError' | 'OptedOut' | 'EndpointDisabled';

/** The HTTP status and SOAP fault type SNS answers each code with. */
export const FAKE_SNS_ERRORS: Record<FakeSnsErrorCode, { status: number; type: 'Sender' | 'Receiver'; message: string }> = {
  Throttled: { status: 429, type: 'Sender', message: 'Rate exceeded' },
  KMSThrottling: { status: 400, type: 'Sender', message: 'KMS request was throttled' },
  InternalError: { status: 500, type: 'Receiver', message: 'Internal error' },
  InvalidParameter: { status: 400, type: 'Sender', message: 'Invalid parameter: PhoneNumber Reason: +1XXX is not valid to publish to' },
  ParameterValueInvalid: { status: 400, type: 'Sender', message: 'Invalid parameter value' },
  AuthorizationError: { status: 403, type: 'Sender', message: 'User is not authorized to perform: SNS:Publish' },
  OptedOut: { status: 400, type: 'Sender', message: 'Phone number is opted out' },
  EndpointDisabled: { status: 400, type: 'Sender', message: 'Endpoint is disabled' },
};

export interface FakeSnsRequest {
  action: string | null;
  phoneNumber: string | null;
  message: string | null;
  smsType: string | null;
  originationNumber: string | null;
  /** The request carried an AWS SigV4 Authorization header. */
  signed: boolean;
  receivedAt: number;
  /** HTTP status answered; 0 for a request left hanging. */
  status: number;
  errorCode: string | null;
  messageId: string | null;
  /** The request as it arrived, with `keepRaw`. */
  raw?: FakeSnsRawRequest;
}

/** A request as it arrived (with `keepRaw`). */
export interface FakeSnsRawRequest {
  method: string;
  path: string;
  /** Lowercase names, as Node parses them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

export function errorXml(code: string, type: string, message: string, requestId: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** A PublishResponse; without `messageId`, one whose PublishResult is empty. */
export function publishXml(messageId: string | null, requestId: string): string {
  const result = messageId === null ? '<PublishResult></PublishResult>' : `<PublishResult><MessageId>${messageId}</MessageId></PublishResult>`;
  return `<PublishResponse xmlns="${XMLNS}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`;
}

const E164 = /^\+[1-9][0-9]{7,14}$/;

/** Reads `MessageAttributes.entry.N.Name` / `.Value.StringValue` pairs. */
function messageAttributes(form: URLSearchParams): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 1; i <= 20; i++) {
    const name = form.get(`MessageAttributes.entry.${i}.Name`);
    if (name === null) break;
    out.set(name, form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '');
  }
  return out;
}

/** What a form-encoded request carries, not answered yet (`status` 0). */
export function readPublish(req: IncomingMessage, body: string, keepRaw: boolean): FakeSnsRequest {
  const form = new URLSearchParams(body);
  const attrs = messageAttributes(form);
  const authorization = req.headers.authorization;
  const r: FakeSnsRequest = {
    action: form.get('Action'),
    phoneNumber: form.get('PhoneNumber'),
    message: form.get('Message'),
    smsType: attrs.get('AWS.SNS.SMS.SMSType') ?? null,
    originationNumber: attrs.get('AWS.MM.SMS.OriginationNumber') ?? null,
    signed: typeof authorization === 'string' && authorization.startsWith('AWS4-HMAC-SHA256 '),
    receivedAt: Date.now(),
    status: 0,
    errorCode: null,
    messageId: null,
  };
  if (keepRaw) r.raw = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body };
  return r;
}

/** The error SNS answers a malformed Publish with, or null for a well-formed one. */
export function invalidPublish(r: FakeSnsRequest): { code: string; status: number; type: string; message: string } | null {
  if (r.action !== 'Publish') return { code: 'InvalidAction', status: 400, type: 'Sender', message: `Unsupported action ${r.action ?? ''}` };
  if (!r.signed) return { code: 'MissingAuthenticationToken', status: 403, type: 'Sender', message: 'Request is missing Authentication Token' };
  if (!r.message) return { code: 'InvalidParameter', status: 400, type: 'Sender', message: 'Invalid parameter: Empty message' };
  if (!r.phoneNumber || !E164.test(r.phoneNumber))
    return { code: 'InvalidParameter', status: 400, type: 'Sender', message: 'Invalid parameter: PhoneNumber Reason: not a valid E.164 number' };
  return null;
}
