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

const PADDING_BYTE = 0x3d;
const URL_SAFE_BYTES = [0x2d, 0x5f];
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Input bytes decoded per step by the fast path. Each step makes a Latin-1 string this
 * long, and strings this small are freed by the young-generation collector.
 */
const FAST_CHUNK_BYTES = 64 * 1024;

function countByte(input: Buffer, byte: number): number {
  let count = 0;
  for (let at = input.indexOf(byte); at >= 0; at = input.indexOf(byte, at + 1)) count++;
  return count;
}

/**
 * Counts the white space of `input[start, end)` with native searches: line feeds, the
 * carriage returns right before them, spaces and tabs. A carriage return without a line
 * feed is not counted, so the fast path declines such data and the strict decoder runs.
 */
function countWhiteSpace(input: Buffer, start: number, end: number): number {
  let count = 0;
  for (let at = input.indexOf(LINE_FEED, start); at >= 0 && at < end; at = input.indexOf(LINE_FEED, at + 1)) {
    count++;
    if (at > start && input[at - 1] === CARRIAGE_RETURN) count++;
  }
  // A CRLF split between two steps counts in the step that contains the carriage return.
  if (input[end - 1] === CARRIAGE_RETURN && input[end] === LINE_FEED) count++;

  const chunk = input.subarray(start, end);
  if (chunk.includes(0x20)) count += countByte(chunk, 0x20);
  if (chunk.includes(0x09)) count += countByte(chunk, 0x09);
  return count;
}

/**
 * Counts the padding from the first "=" to the end, or returns -1 when anything but
 * white space and at most two "=" follows it.
 */
function trailingPadding(input: Buffer, firstPadding: number): number {
  let padding = 0;
  for (let i = firstPadding; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === PADDING_BYTE) {
      if (++padding > 2) return -1;
    } else if (CLASS[byte] !== WHITE_SPACE) {
      return -1;
    }
  }
  return padding;
}

/**
 * Decodes valid base64 with Node's native decoder, without a JavaScript loop over every
 * byte. That decoder is lenient: it skips bytes outside the alphabet, accepts the URL-safe
 * "-" and "_", and stops at the first "=". Its result is returned only when none of that
 * can have happened: no "-" or "_", padding only at the end, and a decoded length that
 * matches the number of characters other than white space, which is false once a byte was
 * skipped. For any other input it returns undefined, and `decodeBase64Strict`
 * names the problem. Where both succeed they give the same bytes.
 */
export function decodeBase64Fast(input: Buffer): Buffer | undefined {
  if (URL_SAFE_BYTES.some((byte) => input.includes(byte))) return undefined;
  const firstPadding = input.indexOf(PADDING_BYTE);
  const padding = firstPadding < 0 ? 0 : trailingPadding(input, firstPadding);
  if (padding < 0) return undefined;

  const output = Buffer.allocUnsafe(Math.floor(input.length / 4) * 3);
  let written = 0;
  let characters = 0;
  // Each step decodes whole groups of four characters and carries the rest into the next.
  let carried = '';
  for (let start = 0; start < input.length; start += FAST_CHUNK_BYTES) {
    const chunk = input.subarray(start, start + FAST_CHUNK_BYTES);
    const significant = chunk.length - countWhiteSpace(input, start, start + chunk.length);
    characters += significant;
    let text = carried + chunk.toString('latin1');
    carried = '';
    const isLast = start + chunk.length >= input.length;
    let extra = isLast ? 0 : characters % 4;
    if (extra > 0) {
      let cut = text.length;
      while (extra > 0) if (CLASS[text.charCodeAt(--cut)] !== WHITE_SPACE) extra--;
      carried = text.slice(cut);
      text = text.slice(0, cut);
    }
    written += output.write(text, written, 'base64');
  }

  if (characters % 4 !== 0 || written !== (characters / 4) * 3 - padding) return undefined;
  return output.subarray(0, written);
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
