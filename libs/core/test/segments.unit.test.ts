import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { isValidE164, measureMessage } from '@pbx-sms/core';

/** measureMessage's fast path for plain GSM-7 text must agree exactly with the library. */
function reference(text: string) {
  const m = new SegmentedMessage(text, 'auto');
  return { segments: m.segmentsCount, encoding: m.getEncodingName() === 'UCS-2' ? 'UCS-2' : 'GSM-7', characters: m.numberOfCharacters, bytes: Buffer.byteLength(text, 'utf8') };
}

const BASIC = '@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const OTHERS = ['\r', '\r\n', '{', '}', '[', ']', '~', '^', '\\', '|', '€', '\f', 'ç', '你', '😀', 'é\u0301', '\u200b'];
const basicChar = fc.constantFrom(...BASIC.split(''));
const anyChar = fc.oneof({ weight: 8, arbitrary: basicChar }, { weight: 1, arbitrary: fc.constantFrom(...OTHERS) });

describe('measureMessage', () => {
  it('agrees with sms-segments-calculator on plain GSM-7 text of any length', () => {
    fc.assert(
      fc.property(fc.array(basicChar, { maxLength: 1700 }), (chars) => {
        const text = chars.join('');
        expect(measureMessage(text)).toEqual(reference(text));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with it on mixed text (extension table, CR, UCS-2, emoji, combining marks)', () => {
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 800 }), (chars) => {
        const text = chars.join('');
        expect(measureMessage(text)).toEqual(reference(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each([[''], ['a'.repeat(160)], ['a'.repeat(161)], ['a'.repeat(1530)], ['a'.repeat(1531)], ['line\r\nbreak']])('agrees at the edges: %#', (text) => {
    expect(measureMessage(text)).toEqual(reference(text));
  });
});

describe('isValidE164 (memoised)', () => {
  it('answers the same the second time', () => {
    for (const n of ['+14165551234', '+15555550100', '+38761123456', '+0123456789']) expect(isValidE164(n)).toBe(isValidE164(n));
    expect(isValidE164('+15555550100')).toBe(false);
    expect(isValidE164('+14165551234')).toBe(true);
  });
});
