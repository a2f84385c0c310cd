import { randomBytes } from 'node:crypto';
import type { DecodedData } from '../tickets/base64';
import { decodeInline, type DataDecoder, type DecoderFactory } from '../tickets/decode-thread';

const OPEN = '<data>';
const CLOSE = '</data>';
/** Bytes the scanner needs after a "<" to tell the kinds of markup apart: `<![CDATA[`. */
const MAX_MARKUP_START = 9;

const BASE64_OR_SPACE = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n') {
  BASE64_OR_SPACE[char.charCodeAt(0)] = 1;
}

function startsWithAt(bytes: Buffer, offset: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

function isPlainBase64(bytes: Buffer): boolean {
  for (const byte of bytes) if (!BASE64_OR_SPACE[byte]) return false;
  return true;
}

function countLineBreaks(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}

/** The content of one `<data>` element taken out of the document. */
export interface ExtractedData {
  /** The original bytes: a view of the request body, not a copy. */
  raw: Buffer;
  /** The decoded bytes and their hash when `raw` is valid base64, else undefined. */
  decoded: DecodedData | undefined;
}

/** A `<data>` start tag whose end tag has not been reached yet. */
interface OpenData {
  /** Offset of the content, right after `<data>`. */
  start: number;
  decoder: DataDecoder;
  /** Content bytes before this offset went to the decoder already. */
  decodedUpTo: number;
}

/** A `<data>` element with only text in it, taken out when its content qualifies. */
interface Candidate {
  start: number;
  end: number;
  decoder: DataDecoder;
}

/**
 * Finds the `<data>` elements of a request document, also while the document is still
 * arriving, and decodes their content on the way, so that little work is left when the
 * last byte comes in. It scans at markup level, skipping comments, CDATA sections and
 * processing instructions, where the same characters are only text. A `<data>` holding
 * only base64 characters and white space is taken out (see `AttachmentData`).
 */
export class AttachmentScanner {
  private readonly candidates: Candidate[] = [];
  private offset = 0;
  /** End of the comment, CDATA section or processing instruction being skipped. */
  private skipping: string | undefined;
  private open: OpenData | undefined;

  /** `openDecoder` decodes on the calling thread unless a `DecodeThread` is given. */
  constructor(private readonly openDecoder: DecoderFactory = decodeInline) {}

  /**
   * Scans the first `available` bytes of `buffer`. Each call passes the same buffer with
   * more bytes, and bytes that may start an unfinished tag wait for the next call.
   */
  scan(buffer: Buffer, available: number): void {
    this.run(buffer.subarray(0, available), buffer, false);
  }

  /** Scans the rest of the complete document and returns the result. */
  async finish(xml: Buffer): Promise<AttachmentData> {
    this.run(xml, xml, true);
    const results = await Promise.all(this.candidates.map((candidate) => candidate.decoder.end()));
    return this.build(xml, results);
  }

  /** Like `finish`, for a scanner that decodes on the calling thread. */
  finishNow(xml: Buffer): AttachmentData {
    this.run(xml, xml, true);
    const results = this.candidates.map((candidate) => candidate.decoder.end());
    if (results.some((result) => result instanceof Promise)) throw new Error('finishNow needs a scanner that decodes inline');
    return this.build(xml, results as (DecodedData | undefined)[]);
  }

  /** Stops the decoders of a body that will not be parsed, such as one that failed to arrive. */
  discard(): void {
    this.open?.decoder.discard();
    this.open = undefined;
    for (const candidate of this.candidates.splice(0)) candidate.decoder.discard();
  }

  /**
   * Replaces the content of every candidate that qualifies with a token: valid base64,
   * decoded on the way, or content that is only base64 characters and white space,
   * checked byte by byte.
   */
  private build(xml: Buffer, results: (DecodedData | undefined)[]): AttachmentData {
    const parts: Buffer[] = [];
    const blobs: ExtractedData[] = [];
    // The random prefix is made at the first token, because most documents have no attachment.
    let prefix = '';
    let copiedUpTo = 0;
    this.candidates.forEach(({ start, end }, i) => {
      const raw = xml.subarray(start, end);
      const decoded = results[i];
      if (!decoded && !isPlainBase64(raw)) return;
      prefix ||= `#data-${randomBytes(8).toString('hex')}-`;
      const lineBreaks = '\n'.repeat(decoded?.lineBreaks ?? countLineBreaks(raw));
      parts.push(xml.subarray(copiedUpTo, start), Buffer.from(`${prefix}${blobs.length}${lineBreaks}`));
      blobs.push({ raw, decoded });
      copiedUpTo = end;
    });

    if (blobs.length === 0) return new AttachmentData(xml, '', []);
    parts.push(xml.subarray(copiedUpTo));
    return new AttachmentData(Buffer.concat(parts), prefix, blobs);
  }

  private run(xml: Buffer, body: Buffer, final: boolean): void {
    while (this.offset < xml.length) {
      if (this.skipping !== undefined) {
        if (!this.skipMarkup(xml, final)) return;
      } else if (this.open) {
        if (!this.scanData(xml, final)) return;
      } else {
        const open = xml.indexOf(0x3c, this.offset);
        if (open < 0) {
          this.offset = xml.length;
        } else if (!final && open + MAX_MARKUP_START > xml.length) {
          this.offset = open;
          return;
        } else {
          this.startMarkup(xml, open, body);
        }
      }
    }
  }

  /** `body` is the whole buffer that `xml` is the filled part of. */
  private startMarkup(xml: Buffer, open: number, body: Buffer): void {
    if (startsWithAt(xml, open, '<!--')) {
      this.skipping = '-->';
      this.offset = open + 4;
    } else if (startsWithAt(xml, open, '<![CDATA[')) {
      this.skipping = ']]>';
      this.offset = open + 9;
    } else if (startsWithAt(xml, open, '<?')) {
      this.skipping = '?>';
      this.offset = open + 2;
    } else if (startsWithAt(xml, open, OPEN)) {
      const start = open + OPEN.length;
      this.open = { start, decoder: this.openDecoder(body, start), decodedUpTo: start };
      this.offset = start;
    } else {
      this.offset = open + 1;
    }
  }

  /** Moves past the end of skipped markup, or returns false while that end has not arrived. */
  private skipMarkup(xml: Buffer, final: boolean): boolean {
    const terminator = this.skipping!;
    const end = xml.indexOf(terminator, this.offset, 'latin1');
    if (end >= 0) {
      this.offset = end + terminator.length;
      this.skipping = undefined;
      return true;
    }
    if (final) {
      this.offset = xml.length;
      return true;
    }
    // The terminator may begin in the last bytes, so those are searched again.
    this.offset = Math.max(this.offset, xml.length - terminator.length + 1);
    return false;
  }

  /**
   * Feeds the content of the open `<data>` to its decoder up to the next "<". When that
   * is `</data>`, the element becomes a candidate. Returns false while the content or its
   * end tag has not fully arrived.
   */
  private scanData(xml: Buffer, final: boolean): boolean {
    const open = this.open!;
    const end = xml.indexOf(0x3c, open.decodedUpTo);
    const contentEnd = end < 0 ? xml.length : end;
    if (contentEnd > open.decodedUpTo) {
      open.decoder.push(xml.subarray(open.decodedUpTo, contentEnd));
      open.decodedUpTo = contentEnd;
    }
    if (!final && (end < 0 || end + CLOSE.length > xml.length)) return false;

    this.open = undefined;
    if (end < 0 || end === open.start || !startsWithAt(xml, end, CLOSE)) {
      // Content with markup in it stays in the document, and scanning goes on inside it.
      open.decoder.discard();
      this.offset = open.start;
      return true;
    }
    this.candidates.push({ start: open.start, end, decoder: open.decoder });
    this.offset = end;
    return true;
  }
}

/**
 * A request document with the content of its `<data>` elements taken out. libxml2
 * rejects text nodes over 10,000,000 bytes unless its "huge" mode is on, and a 15 MiB
 * attachment is 20 MB of base64, so attachment data never goes through the parser: each
 * `<data>` holding only base64 characters and white space is replaced by a token that
 * `take()` turns back into the original bytes and, for valid base64, the decoded ones.
 * Line breaks are kept, so the parser's line numbers stay right.
 */
export class AttachmentData {
  /** Made by `AttachmentScanner.finish()`. */
  constructor(
    readonly skeleton: Buffer,
    private readonly prefix: string,
    private readonly blobs: ExtractedData[],
  ) {}

  /** Scans a complete document on the calling thread; see `AttachmentScanner`. */
  static extract(xml: Buffer): AttachmentData {
    return new AttachmentScanner().finishNow(xml);
  }

  /** Returns the content taken out for a `<data>` text that is a token, else undefined. */
  take(text: string): ExtractedData | undefined {
    const trimmed = text.trim();
    if (this.blobs.length === 0 || !trimmed.startsWith(this.prefix)) return undefined;
    return this.blobs[Number(trimmed.slice(this.prefix.length))];
  }

  /**
   * Puts the original content back into text that contains tokens, for a `<data>`
   * element found outside an attachment, such as inside a custom field. The content is
   * base64 characters and white space only, so Latin-1 decoding restores it exactly.
   */
  restore(text: string): string {
    if (this.blobs.length === 0 || !text.includes(this.prefix)) return text;
    const token = new RegExp(`${this.prefix}(\\d+)\n*`, 'g');
    return text.replace(token, (_, index: string) => this.blobs[Number(index)]!.raw.toString('latin1'));
  }
}
