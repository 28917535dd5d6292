import { measureMessage, renderTemplate, unknownPlaceholders, DEFAULT_VOICEMAIL_TEMPLATE } from '@pbx-sms/core';

describe('measureMessage', () => {
  it.each([
    ['hello', 1, 'GSM-7'],
    ['x'.repeat(161), 2, 'GSM-7'],
    ['€uro', 1, 'GSM-7'],
    ['Привет', 1, 'UCS-2'],
    ['😀'.repeat(40), 2, 'UCS-2'],
  ])('%s → %i segments, %s', (text, segments, encoding) => {
    expect(measureMessage(text)).toMatchObject({ segments, encoding });
  });
});

describe('voicemail template', () => {
  const at = new Date('2026-11-25T18:05:00Z');
  it.each([
    [
      'default with everything',
      DEFAULT_VOICEMAIL_TEMPLATE,
      { extension: '1001', callerId: '+14165559999', callerName: 'Ann', durationSeconds: 75 },
      'New voicemail from Ann <+14165559999> (1:15) for extension 1001.',
    ],
    ['default with nothing known', DEFAULT_VOICEMAIL_TEMPLATE, { extension: '1001' }, 'New voicemail from unknown caller for extension 1001.'],
    [
      'time and date in the tenant time zone',
      '{{date}} {{time}} ext {{extension}}',
      { extension: '7', receivedAt: at, timeZone: 'America/Toronto' },
      '2026-11-25 13:05 ext 7',
    ],
    ['bad time zone falls back to UTC', '{{time}}', { extension: '7', receivedAt: at, timeZone: 'Nope/Nope' }, '18:05'],
  ])('%s', (_name, template, facts, expected) => {
    expect(renderTemplate(template, facts)).toBe(expected);
  });

  it('lists unknown placeholders', () => {
    expect(unknownPlaceholders('{{caller}} {{foo}} {{ bar }}')).toEqual(['foo', 'bar']);
    expect(unknownPlaceholders(DEFAULT_VOICEMAIL_TEMPLATE)).toEqual([]);
  });
});
