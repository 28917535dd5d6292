const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;

const isWhiteSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * Decodes the action API's `body`: standard base64 with optional padding; the URL-safe alphabet
 * accepted; line breaks (`\n`, `\r\n`) anywhere and white space around it ignored, as `base64`
 * and `openssl base64` wrap and end their output.
 *
 * A space inside is read as `+` (an unencoded query string turns `+` into a space). Spaces at
 * the end are ambiguous: a `+` can only be the last character of a whole 4-character group
 * (before padding its low bits would have to be zero), so a final run of 1 to 3 spaces is read
 * as `+` when the text has no `=` and the spaces complete its last group; any other final run
 * of white space (after `=`, holding a tab or line break, or not completing a group) is
 * ignored. Leading white space is always ignored: a `+` cannot begin UTF-8 text.
 *
 * Returns null unless the input is well-formed base64 of valid UTF-8.
 */
export function decodeBase64Text(raw: string): string | null {
  // Plain loops, not regexes: a trailing-white-space regex is quadratic on long runs of spaces.
  let end = raw.length;
  while (end > 0 && isWhiteSpace(raw[end - 1])) end--;
  let start = 0;
  while (start < end && isWhiteSpace(raw[start])) start++;
  const tail = raw.slice(end);

  let s = raw.slice(start, end).replace(/\r?\n/g, '').replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/');
  if (/^ {1,3}$/.test(tail) && !s.includes('=') && (s.length + tail.length) % 4 === 0) s += '+'.repeat(tail.length);
  if (!STANDARD.test(s)) return null;
  const unpadded = s.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return null;
  s = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
  const bytes = Buffer.from(s, 'base64');
  // Reject non-canonical encodings (stray bits) by re-encoding.
  if (bytes.toString('base64') !== s) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
