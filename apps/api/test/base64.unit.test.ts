import { decodeBase64Text } from '../src/action/base64';

/**
 * The action API's `body` as real tools print it. The encoded strings are the literal output
 * of GNU coreutils 9.1 `base64` (wrapped at 76) and `base64 -w0`, OpenSSL 3.0 `openssl base64`
 * (wrapped at 64), each run as `printf '%s' "$text" | …`, and Node's
 * `Buffer.from(text).toString('base64url')`; the tools are not needed to run this test.
 */
const TOOLS: [string, string, Record<'base64' | 'base64 -w0' | 'openssl base64' | 'base64url', string>][] = [
  [
    'short, with + and / in its encoding',
    'Hi there? >>>',
    {
      base64: 'SGkgdGhlcmU/ID4+Pg==\n',
      'base64 -w0': 'SGkgdGhlcmU/ID4+Pg==',
      'openssl base64': 'SGkgdGhlcmU/ID4+Pg==\n',
      base64url: 'SGkgdGhlcmU_ID4-Pg',
    },
  ],
  [
    '64 bytes (over 57: GNU wraps once)',
    'New voicemail from Ann <+14165559999> (1:15) for extension 1001.',
    {
      base64: 'TmV3IHZvaWNlbWFpbCBmcm9tIEFubiA8KzE0MTY1NTU5OTk5PiAoMToxNSkgZm9yIGV4dGVuc2lv\nbiAxMDAxLg==\n',
      'base64 -w0': 'TmV3IHZvaWNlbWFpbCBmcm9tIEFubiA8KzE0MTY1NTU5OTk5PiAoMToxNSkgZm9yIGV4dGVuc2lvbiAxMDAxLg==',
      'openssl base64': 'TmV3IHZvaWNlbWFpbCBmcm9tIEFubiA8KzE0MTY1NTU5OTk5PiAoMToxNSkgZm9y\nIGV4dGVuc2lvbiAxMDAxLg==\n',
      base64url: 'TmV3IHZvaWNlbWFpbCBmcm9tIEFubiA8KzE0MTY1NTU5OTk5PiAoMToxNSkgZm9yIGV4dGVuc2lvbiAxMDAxLg',
    },
  ],
  [
    '149 bytes (three GNU lines, four OpenSSL lines)',
    'Voicemail for extension 1001 from +14165559999 (Ann Example), 2:05 long, received 2026-11-25 13:05. Call back? >>> Press 1 to listen, 2 to delete ~~~',
    {
      base64:
        'Vm9pY2VtYWlsIGZvciBleHRlbnNpb24gMTAwMSBmcm9tICsxNDE2NTU1OTk5OSAoQW5uIEV4YW1w\nbGUpLCAyOjA1IGxvbmcsIHJlY2VpdmVkIDIwMjYtMTEtMjUgMTM6MDUuIENhbGwgYmFjaz8gPj4+\nIFByZXNzIDEgdG8gbGlzdGVuLCAyIHRvIGRlbGV0ZSB+fn4=\n',
      'base64 -w0':
        'Vm9pY2VtYWlsIGZvciBleHRlbnNpb24gMTAwMSBmcm9tICsxNDE2NTU1OTk5OSAoQW5uIEV4YW1wbGUpLCAyOjA1IGxvbmcsIHJlY2VpdmVkIDIwMjYtMTEtMjUgMTM6MDUuIENhbGwgYmFjaz8gPj4+IFByZXNzIDEgdG8gbGlzdGVuLCAyIHRvIGRlbGV0ZSB+fn4=',
      'openssl base64':
        'Vm9pY2VtYWlsIGZvciBleHRlbnNpb24gMTAwMSBmcm9tICsxNDE2NTU1OTk5OSAo\nQW5uIEV4YW1wbGUpLCAyOjA1IGxvbmcsIHJlY2VpdmVkIDIwMjYtMTEtMjUgMTM6\nMDUuIENhbGwgYmFjaz8gPj4+IFByZXNzIDEgdG8gbGlzdGVuLCAyIHRvIGRlbGV0\nZSB+fn4=\n',
      base64url:
        'Vm9pY2VtYWlsIGZvciBleHRlbnNpb24gMTAwMSBmcm9tICsxNDE2NTU1OTk5OSAoQW5uIEV4YW1wbGUpLCAyOjA1IGxvbmcsIHJlY2VpdmVkIDIwMjYtMTEtMjUgMTM6MDUuIENhbGwgYmFjaz8gPj4-IFByZXNzIDEgdG8gbGlzdGVuLCAyIHRvIGRlbGV0ZSB-fn4',
    },
  ],
  [
    'Unicode and emoji, 74 bytes',
    'Nouveau message vocal de Zoë 📞 — rappelez-le ☎ 你好 😀 ~~~ ???',
    {
      base64: 'Tm91dmVhdSBtZXNzYWdlIHZvY2FsIGRlIFpvw6sg8J+TniDigJQgcmFwcGVsZXotbGUg4piOIOS9\noOWlvSDwn5iAIH5+fiA/Pz8=\n',
      'base64 -w0': 'Tm91dmVhdSBtZXNzYWdlIHZvY2FsIGRlIFpvw6sg8J+TniDigJQgcmFwcGVsZXotbGUg4piOIOS9oOWlvSDwn5iAIH5+fiA/Pz8=',
      'openssl base64': 'Tm91dmVhdSBtZXNzYWdlIHZvY2FsIGRlIFpvw6sg8J+TniDigJQgcmFwcGVsZXot\nbGUg4piOIOS9oOWlvSDwn5iAIH5+fiA/Pz8=\n',
      base64url: 'Tm91dmVhdSBtZXNzYWdlIHZvY2FsIGRlIFpvw6sg8J-TniDigJQgcmFwcGVsZXotbGUg4piOIOS9oOWlvSDwn5iAIH5-fiA_Pz8',
    },
  ],
];

describe("decodeBase64Text: real tools' output", () => {
  const rows = TOOLS.flatMap(([name, text, outputs]) => Object.entries(outputs).map(([tool, encoded]) => [name, tool, encoded, text] as const));
  it.each(rows)('%s: %s', (_name, _tool, encoded, text) => {
    expect(decodeBase64Text(encoded)).toBe(text);
  });

  it.each(TOOLS)('%s: `$(… | base64)` (no final line break), and with CRLF line breaks', (_name, text, outputs) => {
    expect(decodeBase64Text(outputs.base64.trimEnd())).toBe(text);
    expect(decodeBase64Text(outputs['openssl base64'].replace(/\n/g, '\r\n'))).toBe(text);
  });
});

describe('decodeBase64Text: spaces, white space and line breaks', () => {
  it.each([
    ['the spec example', 'WW91IGhhdmUgcmVjZWl2ZWQgYSBuZXcgdm9pY2VtYWlsLg==', 'You have received a new voicemail.'],
    ['without padding', 'WW91IGhhdmUgcmVjZWl2ZWQgYSBuZXcgdm9pY2VtYWlsLg', 'You have received a new voicemail.'],
    ['spaces inside read as +', Buffer.from('ü>?').toString('base64').replace(/\+/g, ' '), 'ü>?'],
    ['URL-safe alphabet', Buffer.from('ü>?~~~').toString('base64url'), 'ü>?~~~'],
    ['surrounding spaces, tabs and line breaks', ' \t\r\nSGk=\r\n\t ', 'Hi'],
    ['a space after the padding is white space', 'SGk= ', 'Hi'],
    ['trailing spaces that do not complete a group are white space', 'SGk  ', 'Hi'],
    // An unencoded final + in a query string arrives as a space: a + can only end a whole group.
    ['a trailing space completing a group is +', 'Pj4 ', '>>>'],
    ['the same + at the end of a wrapped text', 'SGkgdGhlcmU/ID4 Pj4 ', 'Hi there? >>>>>'],
    ['a trailing space before a line break is white space', 'Pj4+ \n', '>>>'],
    ['line breaks anywhere', 'SG\nk=', 'Hi'],
    ['empty', '', ''],
    ['white space only', ' \r\n', ''],
  ])('%s', (_name, input, expected) => {
    expect(decodeBase64Text(input)).toBe(expected);
  });
});

describe('decodeBase64Text: still refused', () => {
  it.each([
    ['not base64', 'not base64!'],
    ['a character outside the alphabet', 'abc$'],
    ['a lone character of a group', 'SGkh\nS'],
    ['impossible length', 'abcde'],
    ['padding in the middle', 'SGk=SGk='],
    ['mixed garbage', 'SGVs*bG8=\n'],
    ['a tab inside', 'SGVs\tbG8='],
    ['stray bits', 'aGl='],
    ['a lone carriage return inside', 'SGVs\rbG8='],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')],
    ['invalid UTF-8, wrapped', `${Buffer.from('x'.repeat(60)).toString('base64').slice(0, 76)}\n${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')}\n`],
  ])('%s', (_name, input) => {
    expect(decodeBase64Text(input)).toBeNull();
  });
});
