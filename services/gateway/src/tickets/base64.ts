const WHITE_SPACE = 1;
const ALPHABET = 2;
const PADDING = 3;

const CLASS = new Uint8Array(256);
for (const byte of [0x20, 0x09, 0x0a, 0x0d]) CLASS[byte] = WHITE_SPACE;
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') CLASS[char.charCodeAt(0)] = ALPHABET;
CLASS[0x3d] = PADDING;

/** Decodes this many base64 characters per step, so no string of the whole file is made. */
const CHUNK_CHARACTERS = 1024 * 1024;

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; problem: string };

function describeByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Decodes standard base64 strictly. Tabs, spaces and line breaks anywhere are skipped,
 * because clients wrap long data at 64 or 76 characters. Anything else outside the
 * alphabet, misplaced padding or a length that is not a multiple of 4 is an error, so a
 * damaged file is rejected instead of stored with wrong bytes.
 *
 * `input` contains the encoded text as bytes and is overwritten while white space is
 * squeezed out, which avoids a copy of large attachments.
 */
export function decodeBase64Strict(input: Buffer): Base64Result {
  let length = 0;
  let firstPadding = -1;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    const kind = CLASS[byte];
    if (kind === WHITE_SPACE) continue;
    if (kind === 0 || (kind === ALPHABET && firstPadding >= 0)) {
      return { ok: false, problem: `unexpected ${describeByte(byte)} at position ${i + 1}` };
    }
    if (kind === PADDING && firstPadding < 0) firstPadding = length;
    input[length++] = byte;
  }

  if (length % 4 !== 0) return { ok: false, problem: `length ${length} is not a multiple of 4` };
  if (firstPadding >= 0 && firstPadding < length - 2) {
    return { ok: false, problem: 'padding "=" may only end the data' };
  }

  const output = Buffer.allocUnsafe((length / 4) * 3);
  let written = 0;
  for (let start = 0; start < length; start += CHUNK_CHARACTERS) {
    const chunk = input.toString('latin1', start, Math.min(start + CHUNK_CHARACTERS, length));
    written += output.write(chunk, written, 'base64');
  }
  return { ok: true, bytes: output.subarray(0, written) };
}

/** Decodes base64 given as text; characters outside Latin-1 are reported as invalid. */
export function decodeBase64Text(text: string): Base64Result {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) {
      // A whole code point, so an emoji is shown as itself and not as half a surrogate pair.
      const character = String.fromCodePoint(text.codePointAt(i)!);
      return { ok: false, problem: `unexpected ${JSON.stringify(character)} at position ${i + 1}` };
    }
  }
  return decodeBase64Strict(Buffer.from(text, 'latin1'));
}
