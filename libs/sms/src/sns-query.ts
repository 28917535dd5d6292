/**
 * The SNS Query protocol for Publish (DESIGN.md "Verified facts"): a form-encoded `POST /`
 * answered with XML. Pure functions, so the wire format is tested without a network.
 */

export const SNS_API_VERSION = '2010-03-31';
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** `encodeURIComponent` plus `!'()*`, as the AWS SDK encodes query-protocol bodies. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The Publish body for a direct-to-phone transactional SMS from `from`, with the same fields
 * and order as `@aws-sdk/client-sns`'s PublishCommand. Throws URIError on a lone surrogate.
 */
export function publishBody(to: string, message: string, from: string): string {
  return (
    `Action=Publish&Version=${SNS_API_VERSION}&Message=${enc(message)}&PhoneNumber=${enc(to)}` +
    '&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=Transactional' +
    `&MessageAttributes.entry.2.Name=AWS.MM.SMS.OriginationNumber&MessageAttributes.entry.2.Value.DataType=String&MessageAttributes.entry.2.Value.StringValue=${enc(from)}`
  );
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function xmlText(s: string): string {
  if (!s.includes('&')) return s.trim();
  return s
    .replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (m, e: string) => {
      if (e[0] !== '#') return ENTITIES[e] ?? m;
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    })
    .trim();
}

/** The text of the first `<name>` element (namespace prefix allowed) at or after `from`, if any. */
const ELEMENTS = new Map<string, RegExp>();
function element(xml: string, name: string, from = 0): string | undefined {
  let re = ELEMENTS.get(name);
  if (!re) {
    re = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>`, 'g');
    ELEMENTS.set(name, re);
  }
  re.lastIndex = from;
  const m = re.exec(xml);
  return m ? xmlText(m[1]!) : undefined;
}

/** The MessageId of a `PublishResponse`, or undefined when there is none (or it is empty). */
export function parseMessageId(xml: string): string | undefined {
  const id = element(xml, 'MessageId');
  return id ? id : undefined;
}

/** `<Error><Code>` and `<Message>` of an `ErrorResponse`; either may be missing (e.g. a proxy's HTML). */
export function parseError(xml: string): { code?: string; message?: string } {
  const at = Math.max(0, xml.search(/<(?:[A-Za-z_][\w.-]*:)?Error[\s>]/));
  const code = element(xml, 'Code', at);
  const message = element(xml, 'Message', at);
  return { ...(code ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}
