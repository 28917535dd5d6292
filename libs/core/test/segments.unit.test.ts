import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { isGsm7Char, isValidE164, measureMessage } from '@pbx-sms/core';

/** measureMessage's fast path for plain GSM-7 text must agree exactly with the library. */
function reference(text: string) {
  const m = new SegmentedMessage(text, 'auto');
  return {
    segments: m.segmentsCount,
    encoding: m.getEncodingName() === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    characters: m.numberOfCharacters,
    bytes: Buffer.byteLength(text, 'utf8'),
  };
}

const BASIC = '@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const OTHERS = ['\r', '\r\n', '{', '}', '[', ']', '~', '^', '\\', '|', '€', '\f', 'ç', '你', '😀', 'é\u0301', '\u200b'];
const basicChar = fc.constantFrom(...BASIC.split(''));
const gsmAscii = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 @$_!"#%&\'()*+,-./:;<=>?\n\r'.split('');
const tricky = [...gsmAscii, '^', '{', '}', '[', ']', '\\', '~', '|', '€', 'é', 'ß', 'Ω', '😀', 'ç', '`', '\t'];
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

  it.each(['New voicemail from Alice <+12015550150> (0:42) for extension 1001.', 'x'.repeat(160), 'x'.repeat(161), 'Brace {yourself}', 'Café', 'emoji 😀', ''])(
    'agrees with it on %j',
    (text) => {
      expect(measureMessage(text)).toEqual(reference(text));
    },
  );

  it('agrees with it on any text of ASCII, extension-table and other characters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...tricky), { maxLength: 200 }).map((a) => a.join('')),
        (text) => {
          expect(measureMessage(text)).toEqual(reference(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with it on plain GSM text around the one-segment limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...gsmAscii), { minLength: 150, maxLength: 170 }).map((a) => a.join('')),
        (text) => {
          expect(measureMessage(text)).toEqual(reference(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the GSM-7 alphabet', () => {
  /** Septets the library counts for one UTF-16 code unit: 0 when it is not GSM-7. */
  function librarySeptets(codeUnit: number): number {
    const m = new SegmentedMessage(String.fromCharCode(codeUnit), 'auto');
    return m.getEncodingName() === 'GSM-7' ? m.messageSize / 7 : 0;
  }

  it("is the library's, on every UTF-16 code unit that is not a surrogate", () => {
    const mismatches: number[] = [];
    const extension: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const septets = librarySeptets(c);
      if (isGsm7Char(c) !== septets > 0) mismatches.push(c);
      if (septets === 2) extension.push(c);
    }
    expect(mismatches).toEqual([]);
    expect(String.fromCharCode(...extension)).toBe('\f[\\]^{|}~€');
  });

  it("counts each character's septets as the library does (161 of one character)", () => {
    for (let c = 0; c < 0x10000; c++) {
      if (!isGsm7Char(c)) continue;
      const text = String.fromCharCode(c).repeat(161);
      expect([c, measureMessage(text)]).toEqual([c, reference(text)]);
    }
  });
});

describe('isValidE164 (memoised)', () => {
  it('answers the same the second time', () => {
    for (const n of ['+14165551234', '+15555550100', '+38761123456', '+0123456789']) expect(isValidE164(n)).toBe(isValidE164(n));
    expect(isValidE164('+15555550100')).toBe(false);
    expect(isValidE164('+14165551234')).toBe(true);
  });
});
