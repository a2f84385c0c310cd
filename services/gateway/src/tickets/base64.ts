const ALPHABET = /[^A-Za-z0-9+/]/;
const WHITE_SPACE = /[\t\n\r ]+/g;

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; problem: string };

/**
 * Decodes standard base64 strictly. Tabs, spaces and line breaks anywhere are skipped,
 * because clients wrap long data at 64 or 76 characters. Anything else outside the
 * alphabet, misplaced padding or a length that is not a multiple of 4 is an error, so a
 * damaged file is rejected instead of stored with wrong bytes.
 */
export function decodeBase64Strict(text: string): Base64Result {
  const compact = text.replace(WHITE_SPACE, '');
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const body = compact.slice(0, compact.length - padding);

  const bad = ALPHABET.exec(body);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    return { ok: false, problem: `unexpected character ${shown} at position ${bad.index + 1}` };
  }
  if (compact.length % 4 !== 0) {
    return { ok: false, problem: `length ${compact.length} is not a multiple of 4` };
  }
  return { ok: true, bytes: Buffer.from(compact, 'base64') };
}
