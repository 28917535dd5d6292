import { isValidE164, normalizeToNumber } from '@pbx-sms/core';

describe('isValidE164', () => {
  it.each([
    ['+14165551234', true],
    ['+12015550150', true],
    ['+38761123456', true],
    ['14165551234', false],
    ['+1416abc', false],
    ['+1 416 555 1234', false],
    ['+15555550100', false],
    ['+0123456789', false],
    ['', false],
    ['+1234567', false],
  ])('%s is %s', (value, expected) => {
    expect(isValidE164(value)).toBe(expected);
  });

  it('rejects non-strings', () => {
    expect(isValidE164(14165551234)).toBe(false);
    expect(isValidE164(null)).toBe(false);
  });
});

describe('normalizeToNumber', () => {
  it('reads a leading space before digits as the + an unencoded query string lost', () => {
    expect(normalizeToNumber(' 14165551234')).toBe('+14165551234');
    expect(normalizeToNumber('+14165551234')).toBe('+14165551234');
    expect(normalizeToNumber(' abc')).toBe(' abc');
  });
});
