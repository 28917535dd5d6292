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

// The library's own GSM-7 table (its internal module), so the fast path cannot drift from it.
const UNICODE_TO_GSM = require('sms-segments-calculator/dist/libs/UnicodeToGSM').default as Record<number, number[] | undefined>;

/** Whether a UTF-16 code unit is in the GSM-7 alphabet (basic set or extension table). */
export function isGsm7Char(codeUnit: number): boolean {
  return UNICODE_TO_GSM[codeUnit] !== undefined;
}

/**
 * Fast path, exact for texts of single-septet GSM-7 characters only (no extension table, no CR,
 * which the library reads as part of a CRLF grapheme): the common case, where the library's
 * grapheme splitting costs ~60 µs a message on the API's hot path. Anything else goes to the library.
 */
function measureBasicGsm(text: string): SegmentInfo | null {
  if (text.length === 0) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || UNICODE_TO_GSM[c]?.length !== 1) return null;
  }
  const n = text.length;
  return { segments: n <= 160 ? 1 : Math.ceil(n / 153), encoding: 'GSM-7', characters: n, bytes: Buffer.byteLength(text, 'utf8') };
}

export function measureMessage(text: string): SegmentInfo {
  const fast = measureBasicGsm(text);
  if (fast !== null) return fast;
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
