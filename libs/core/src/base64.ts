const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes the action API's `body`: standard base64 with optional padding; spaces read as `+`
 * (an unencoded query string turns `+` into a space); the URL-safe alphabet accepted.
 * Returns null unless the input is well-formed base64 of valid UTF-8.
 */
export function decodeBase64Text(raw: string): string | null {
  let s = raw.trim().replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/');
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
