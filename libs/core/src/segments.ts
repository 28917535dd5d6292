import { SegmentedMessage } from 'sms-segments-calculator';

/** A single Publish to SNS carries at most 1,600 bytes; we also cap at 10 concatenated parts. */
export const MAX_SEGMENTS = 10;
export const MAX_UTF8_BYTES = 1600;

export type Encoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  segments: number;
  encoding: Encoding;
  characters: number;
  bytes: number;
}

/**
 * The GSM 03.38 alphabet as UTF-16 code units, as sms-segments-calculator maps it: the basic set
 * (one septet each) and the extension table (an escape and a septet each). A test checks every
 * code unit against the library.
 */
const GSM7_BASIC = '\n\r !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ';
const GSM7_EXTENSION = '\f[\\]^{|}~€';

/** Septets per UTF-16 code unit: 0 when the code unit is not in the GSM-7 alphabet. */
const SEPTETS = new Uint8Array(0x10000);
for (let i = 0; i < GSM7_BASIC.length; i++) SEPTETS[GSM7_BASIC.charCodeAt(i)] = 1;
for (let i = 0; i < GSM7_EXTENSION.length; i++) SEPTETS[GSM7_EXTENSION.charCodeAt(i)] = 2;

/** Whether a UTF-16 code unit is in the GSM-7 alphabet (basic set or extension table). */
export function isGsm7Char(codeUnit: number): boolean {
  return SEPTETS[codeUnit] !== 0;
}

/**
 * Exact for texts of one-septet GSM-7 characters only (no extension table, no CR, which the
 * library reads as part of a CRLF grapheme): the common case, which then skips the library's
 * grapheme splitting (tens of µs a message). Null for anything else.
 */
function measureBasicGsm(text: string): SegmentInfo | null {
  if (text.length === 0) return null;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || SEPTETS[c] !== 1) return null;
    bytes += c < 0x80 ? 1 : 2;
  }
  const n = text.length;
  return { segments: n <= 160 ? 1 : Math.ceil(n / 153), encoding: 'GSM-7', characters: n, bytes };
}

/** Segments, encoding, characters and UTF-8 bytes of a text, as sms-segments-calculator counts them. */
export function measureMessage(text: string): SegmentInfo {
  const basic = measureBasicGsm(text);
  if (basic !== null) return basic;
  const m = new SegmentedMessage(text, 'auto');
  return {
    segments: m.segmentsCount,
    encoding: m.getEncodingName() === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    characters: m.numberOfCharacters,
    bytes: Buffer.byteLength(text, 'utf8'),
  };
}

/** Null when the text fits; otherwise the reason, naming the count. */
export function tooLongReason(info: SegmentInfo): string | null {
  if (info.segments > MAX_SEGMENTS) {
    return `Message is too long: ${info.segments} SMS segments (${info.encoding}, ${info.characters} characters); the limit is ${MAX_SEGMENTS}`;
  }
  if (info.bytes > MAX_UTF8_BYTES) {
    return `Message is too long: ${info.bytes} UTF-8 bytes; the limit is ${MAX_UTF8_BYTES}`;
  }
  return null;
}
