import { measureMessage, type SegmentInfo } from './segments';

/** Plain-ASCII characters of the GSM 03.38 basic set: one septet each, no escape. */
const GSM_BASIC_ASCII = /^[A-Za-z0-9 @$_!"#%&'()*+,\-./:;<=>?\n\r]+$/;

/**
 * `measureMessage` with a fast path for the common case (a short plain-ASCII GSM-7 text fits
 * one segment), skipping the full grapheme-aware calculation, which costs more than the rest of
 * a voicemail job. Anything else goes to `measureMessage`. A property test checks both agree.
 */
export function measureMessageQuick(text: string): SegmentInfo {
  if (text.length <= 160 && GSM_BASIC_ASCII.test(text)) {
    return { segments: 1, encoding: 'GSM-7', characters: text.length, bytes: text.length };
  }
  return measureMessage(text);
}
