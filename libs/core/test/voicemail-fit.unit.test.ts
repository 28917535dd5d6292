import {
  BUDGET_CALLER_NAME,
  DEFAULT_VOICEMAIL_TEMPLATE as DEFAULT,
  MAX_UTF8_BYTES,
  fitVoicemailText,
  measureMessage,
  renderTemplate,
  templateBudget,
  templateTooLongReason,
  toGsm7,
  tooLongReason,
} from '@pbx-sms/core';

const base = { extension: '1001', callerId: '+12015550150', durationSeconds: 42 };
const defaultText = (name: string) => `New voicemail from ${name} <+12015550150> (0:42) for extension 1001.`;
/** Characters a GSM-7 caller name can have in one segment of the default template. */
const room = 160 - defaultText('').length;
const RU_TEMPLATE = 'Сообщение для {{extension}} от {{callerName}}';
const CJK_TEMPLATE = `${'张'.repeat(500)} {{callerName}}`;

describe('templateBudget', () => {
  it.each([
    ['the default template', DEFAULT, 1, 'GSM-7'],
    ['a GSM-7 template that a 20-character name takes past one segment', `${'x'.repeat(150)} {{callerName}}`, 2, 'GSM-7'],
    ['a UCS-2 template', RU_TEMPLATE, 1, 'UCS-2'],
    ['a template over the hard limit, capped at 10', `${'Ж'.repeat(700)} {{callerName}}`, 10, 'UCS-2'],
  ])('%s', (_name, template, segments, encoding) => {
    expect(templateBudget(template)).toEqual({ segments, encoding });
  });

  it('measures with a 20-character GSM-7 caller name', () => {
    expect(BUDGET_CALLER_NAME).toHaveLength(20);
    expect(measureMessage(BUDGET_CALLER_NAME).encoding).toBe('GSM-7');
  });
});

describe('fitVoicemailText', () => {
  // [case, template, caller facts, expected text (exact) or pattern, segments, encoding]
  it.each([
    ['a short GSM name is left alone', DEFAULT, { callerName: 'Alice' }, defaultText('Alice'), 1, 'GSM-7'],
    ['a name that fits exactly (160 characters) is left alone', DEFAULT, { callerName: 'A'.repeat(room) }, defaultText('A'.repeat(room)), 1, 'GSM-7'],
    [
      'one character more is cut with "..." (a "…" would make it UCS-2)',
      DEFAULT,
      { callerName: 'A'.repeat(room + 1) },
      defaultText(`${'A'.repeat(room - 3)}...`),
      1,
      'GSM-7',
    ],
    [
      'a long GSM name is cut at the budget',
      DEFAULT,
      { callerName: 'Abcdefghij '.repeat(28) },
      /^New voicemail from (Abcdefghij )+[A-Za-z]+\.\.\. <\+12015550150> \(0:42\) for extension 1001\.$/,
      1,
      'GSM-7',
    ],
    ['a non-GSM name that still fits one segment as UCS-2 is kept as written', DEFAULT, { callerName: 'Zoë 😀' }, defaultText('Zoë 😀'), 1, 'UCS-2'],
    [
      'one emoji that would take a GSM text to 2 UCS-2 segments is dropped',
      DEFAULT,
      { callerName: 'Alexandra Konstantinopoulou 😀' },
      defaultText('Alexandra Konstantinopoulou'),
      1,
      'GSM-7',
    ],
    [
      'a long Unicode name in a GSM template is transliterated, then cut',
      DEFAULT,
      { callerName: 'Иван Петров '.repeat(25) },
      /^New voicemail from (Ivan Petrov )+Ivan( Petr?o?v?)?\.\.\. <\+12015550150> \(0:42\) for extension 1001\.$/,
      1,
      'GSM-7',
    ],
    [
      'a long Unicode name in a UCS-2 template is cut with "…"',
      RU_TEMPLATE,
      { callerName: 'Ж'.repeat(300) },
      `Сообщение для 1001 от ${'Ж'.repeat(70 - 'Сообщение для 1001 от '.length - 1)}…`,
      1,
      'UCS-2',
    ],
    [
      'an emoji name that cannot fit at all is dropped',
      DEFAULT,
      { callerName: '😀'.repeat(200) },
      'New voicemail from +12015550150 (0:42) for extension 1001.',
      1,
      'GSM-7',
    ],
    [
      'an absurd caller number is cut once the name is gone',
      'From {{callerName}} {{callerId}} / {{callerId}} / {{callerId}}',
      { callerName: 'Bob', callerId: `+1${'2'.repeat(62)}` },
      /^From \+12+\.\.\. \/ \+12+\.\.\. \/ \+12+\.\.\.$/,
      1,
      'GSM-7',
    ],
    [
      'a two-segment budget lets the name take two segments, no more',
      `${'x'.repeat(150)} {{callerName}}`,
      { callerName: 'n'.repeat(400) },
      new RegExp(`^x{150} n{${306 - 151 - 3}}\\.\\.\\.$`),
      2,
      'GSM-7',
    ],
  ])('%s', (_name, template, caller, expected, segments, encoding) => {
    const r = fitVoicemailText(template, { ...base, ...caller });
    if (typeof expected === 'string') expect(r.text).toBe(expected);
    else expect(r.text).toMatch(expected);
    expect(r.info).toEqual(measureMessage(r.text));
    expect(r.info).toMatchObject({ segments, encoding });
    expect(tooLongReason(r.info)).toBeNull();
  });

  it('holds the text to 1,600 UTF-8 bytes even where the segment budget has room', () => {
    const budget = templateBudget(CJK_TEMPLATE);
    const r = fitVoicemailText(CJK_TEMPLATE, { extension: '1001', callerName: '张'.repeat(300) });
    expect(r.info.segments).toBeLessThanOrEqual(budget.segments);
    expect(r.info.bytes).toBeLessThanOrEqual(MAX_UTF8_BYTES);
    expect(r.info.bytes).toBeGreaterThan(MAX_UTF8_BYTES - 6);
    expect(r.text.endsWith('…')).toBe(true);
  });

  it('a template over the hard limit on its own comes back over it, caller parts dropped, for the length rule to refuse', () => {
    const r = fitVoicemailText(`${'Ж'.repeat(700)} {{callerName}}`, { extension: '1001', callerName: 'Bob' });
    expect(r.text).toBe('Ж'.repeat(700));
    expect(tooLongReason(r.info)).toMatch(/11 SMS segments/);
  });

  it('with no caller parts to cut, the text is the rendered template', () => {
    expect(fitVoicemailText(DEFAULT, { extension: '1001' }).text).toBe(renderTemplate(DEFAULT, { extension: '1001' }));
  });
});

describe('toGsm7', () => {
  it.each([
    ['Иван Петров', 'Ivan Petrov'],
    ['张伟', 'Zhang Wei'],
    ['Zoë 😀 Müller', 'Zoe Müller'],
    ['José Ñandú: GSM-7 letters kept, ú is not one', 'José Ñandu'],
    ['😀', ''],
  ])('%s → %s', (input, expected) => {
    expect(toGsm7(input.replace(/:.*/, ''))).toBe(expected);
  });
});

describe('templateTooLongReason', () => {
  it.each([
    ['the default template', DEFAULT, null],
    ['1,000 GSM-7 characters (7 segments)', 'x'.repeat(1000), null],
    ['exactly 10 UCS-2 segments', `${'Ж'.repeat(670)} {{callerName}}`, null],
    [
      '700 UCS-2 characters',
      `${'Ж'.repeat(700)} {{callerName}}`,
      'too long even with every placeholder empty: 11 SMS segments (UCS-2, 700 characters, 1400 UTF-8 bytes); the limit is 10 segments and 1600 bytes',
    ],
    [
      '600 CJK characters: 9 segments but 1,800 bytes',
      '张'.repeat(600),
      'too long even with every placeholder empty: 9 SMS segments (UCS-2, 600 characters, 1800 UTF-8 bytes); the limit is 10 segments and 1600 bytes',
    ],
  ])('%s', (_name, template, expected) => {
    expect(templateTooLongReason(template)).toBe(expected);
  });
});
