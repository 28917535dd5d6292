import fc from 'fast-check';
import { measureMessage, measureMessageQuick } from '@pbx-sms/core';

const gsmAscii = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 @$_!"#%&\'()*+,-./:;<=>?\n\r'.split('');
const tricky = [...gsmAscii, '^', '{', '}', '[', ']', '\\', '~', '|', '€', 'é', 'ß', 'Ω', '😀', 'ç', '`', '\t'];

describe('measureMessageQuick', () => {
  it.each([
    'New voicemail from Alice <+12015550150> (0:42) for extension 1001.',
    'x'.repeat(160),
    'x'.repeat(161),
    'Brace {yourself}',
    'Café',
    'emoji 😀',
    '',
  ])('agrees with measureMessage on %j', (text) => {
    expect(measureMessageQuick(text)).toEqual(measureMessage(text));
  });

  it('agrees with measureMessage on any text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tricky), { maxLength: 200 }).map((a) => a.join('')), (text) => {
        expect(measureMessageQuick(text)).toEqual(measureMessage(text));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on plain GSM text around the one-segment limit', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...gsmAscii), { minLength: 150, maxLength: 170 }).map((a) => a.join('')), (text) => {
        expect(measureMessageQuick(text)).toEqual(measureMessage(text));
      }),
      { numRuns: 300 },
    );
  });
});
