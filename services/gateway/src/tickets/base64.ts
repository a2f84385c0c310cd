import { createHash } from 'node:crypto';

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
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Input bytes decoded per step by the fast path. Each step makes a Latin-1 string this
 * long, and strings this small are freed by the young-generation collector.
 */
const STEP_BYTES = 64 * 1024;

function countByte(input: Buffer, byte: number): number {
  let count = 0;
  for (let at = input.indexOf(byte); at >= 0; at = input.indexOf(byte, at + 1)) count++;
  return count;
}

/** Counts spaces and tabs with native searches. */
function countBlanks(input: Buffer): number {
  let count = 0;
  if (input.includes(0x20)) count += countByte(input, 0x20);
  if (input.includes(0x09)) count += countByte(input, 0x09);
  return count;
}

/** `LineFeeds.lineLength` before the distance of the first two line feeds is known. */
const UNKNOWN = 0;
/** `LineFeeds.lineLength` once line feeds stopped coming at one distance. */
const IRREGULAR = -1;

/**
 * Counts line feeds, and the carriage returns right before them, across the pieces of
 * one stream. Data wrapped at a fixed width has its line feeds at one distance, so after
 * the first two the count checks the expected offsets only. At the first line of another
 * length it searches for every line feed instead. A line feed between two expected ones
 * is then not counted, so the decoder declines such data, which stays correct.
 */
class LineFeeds {
  /** Line feeds counted so far. Exact whenever the decoder accepts the data. */
  total = 0;
  private lineLength = UNKNOWN;
  /** Stream offset of the last line feed counted, or -1. */
  private last = -1;

  /** Counts in `bytes`, which start at stream offset `base`. */
  count(bytes: Buffer, base: number): number {
    let count = 0;
    let at = -1;
    for (;;) {
      let next: number;
      if (this.lineLength > 0) {
        next = this.last + this.lineLength - base;
        if (next >= bytes.length) break;
        if (bytes[next] !== LINE_FEED) {
          this.lineLength = IRREGULAR;
          continue;
        }
      } else {
        next = bytes.indexOf(LINE_FEED, at + 1);
        if (next < 0) break;
        if (this.lineLength === UNKNOWN && this.last >= 0) this.lineLength = base + next - this.last;
      }
      count += next > 0 && bytes[next - 1] === CARRIAGE_RETURN ? 2 : 1;
      this.total++;
      at = next;
      this.last = base + next;
    }
    return count;
  }
}

/** Decoded bytes of valid base64 and their SHA-256. */
export interface DecodedData {
  bytes: Buffer;
  sha256: string;
  /** Line feeds in the base64 text. */
  lineBreaks: number;
}

/**
 * Decodes base64 that arrives in pieces with Node's native decoder, without a JavaScript
 * loop over every byte, and hashes the output as it grows. That decoder is lenient: it
 * skips bytes outside the alphabet, accepts the URL-safe "-" and "_", and stops at the
 * first "=". So the result counts only when none of that can have happened. The input
 * has no "-" or "_" and padding only at the end. The decoded length matches the number
 * of characters other than white space, which is false once a byte was skipped. For any
 * other input, a carriage return without a line feed included, `end()` returns undefined
 * and `decodeBase64Strict` names the problem. Where both succeed they give the same bytes.
 */
export class Base64Decoder {
  private readonly output: Buffer;
  private readonly hash = createHash('sha256');
  private written = 0;
  private characters = 0;
  private padding = 0;
  private valid = true;
  /** Characters of an incomplete group of four, decoded with the next piece. */
  private carried = '';
  /** True when the last piece ended with a carriage return, which needs a line feed next. */
  private pendingReturn = false;
  private readonly lineFeeds = new LineFeeds();
  /** Stream offset of the next piece. */
  private consumed = 0;

  /** `capacity` is the most bytes the output may need: 3 for every 4 input bytes. */
  constructor(capacity: number) {
    this.output = Buffer.allocUnsafe(capacity);
  }

  push(input: Buffer): void {
    for (let start = 0; start < input.length && this.valid; start += STEP_BYTES) {
      this.decodeStep(input.subarray(start, start + STEP_BYTES));
    }
  }

  end(): DecodedData | undefined {
    if (this.pendingReturn) this.valid = false;
    if (this.valid && this.carried !== '') this.decode(this.carried);
    const expected = (this.characters / 4) * 3 - this.padding;
    if (!this.valid || this.characters % 4 !== 0 || this.written !== expected) return undefined;
    const view = this.output.subarray(0, this.written);
    // A copy lets a small file decoded against a large estimate free the rest of it.
    const bytes = this.written * 2 < this.output.length ? Buffer.from(view) : view;
    // Every line feed was counted, or the decoded length would have fallen short.
    return { bytes, sha256: this.hash.digest('hex'), lineBreaks: this.lineFeeds.total };
  }

  private decodeStep(piece: Buffer): void {
    if (this.pendingReturn) {
      this.pendingReturn = false;
      if (piece[0] !== LINE_FEED) this.valid = false;
    }
    // A carriage return at the end waits for the line feed that makes it white space.
    let length = piece.length;
    if (piece[length - 1] === CARRIAGE_RETURN) {
      this.pendingReturn = true;
      length--;
    }
    const bytes = piece.subarray(0, length);
    if (bytes.includes(0x2d) || bytes.includes(0x5f) || !this.checkPadding(bytes)) {
      this.valid = false;
      return;
    }

    this.characters += length - this.lineFeeds.count(bytes, this.consumed) - countBlanks(bytes);
    this.consumed += piece.length;
    let text = this.carried + bytes.toString('latin1');
    this.carried = '';
    // Whole groups of four characters are decoded now, and the rest is carried. After the
    // padding nothing valid can follow, so everything is decoded.
    let extra = this.padding === 0 ? this.characters % 4 : 0;
    if (extra > 0) {
      let cut = text.length;
      while (extra > 0) if (CLASS[text.charCodeAt(--cut)] !== WHITE_SPACE) extra--;
      this.carried = text.slice(cut);
      text = text.slice(0, cut);
    }
    this.decode(text);
  }

  private decode(text: string): void {
    const before = this.written;
    this.written += this.output.write(text, this.written, 'base64');
    this.hash.update(this.output.subarray(before, this.written));
  }

  /** Counts "=" and returns false when anything but white space follows the first one. */
  private checkPadding(bytes: Buffer): boolean {
    const first = this.padding > 0 ? 0 : bytes.indexOf(PADDING_BYTE);
    if (first < 0) return true;
    for (let i = first; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === PADDING_BYTE) {
        if (++this.padding > 2) return false;
      } else if (CLASS[byte] !== WHITE_SPACE) {
        return false;
      }
    }
    return true;
  }
}

/** Decodes a whole buffer with `Base64Decoder`, or returns undefined when it is not valid base64. */
export function decodeBase64Fast(input: Buffer): DecodedData | undefined {
  const decoder = new Base64Decoder(Math.floor(input.length / 4) * 3);
  decoder.push(input);
  return decoder.end();
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
