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

export function measureMessage(text: string): SegmentInfo {
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
