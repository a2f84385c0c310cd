import { randomBytes } from 'node:crypto';
import { Base64Decoder, type DecodedData } from '../tickets/base64';

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
  decoder: Base64Decoder;
  /** Content bytes before this offset went to the decoder already. */
  decodedUpTo: number;
}

/**
 * Finds the `<data>` elements of a request document, also while the document is still
 * arriving, and decodes their content on the way, so that little work is left when the
 * last byte comes in. It scans at markup level, skipping comments, CDATA sections and
 * processing instructions, where the same characters are only text. A `<data>` holding
 * only base64 characters and white space is taken out (see `AttachmentData`).
 */
export class AttachmentScanner {
  private prefix = '';
  private readonly parts: Buffer[] = [];
  private readonly blobs: ExtractedData[] = [];
  private copiedUpTo = 0;
  private offset = 0;
  /** End of the comment, CDATA section or processing instruction being skipped. */
  private skipping: string | undefined;
  private open: OpenData | undefined;

  /**
   * Scans the first `available` bytes of `buffer`. Each call passes the same buffer with
   * more bytes, and bytes that may start an unfinished tag wait for the next call.
   */
  scan(buffer: Buffer, available: number): void {
    this.run(buffer.subarray(0, available), buffer.length, false);
  }

  /** Scans the rest of the complete document and returns the result. */
  finish(xml: Buffer): AttachmentData {
    this.run(xml, xml.length, true);
    if (this.blobs.length === 0) return new AttachmentData(xml, '', []);
    this.parts.push(xml.subarray(this.copiedUpTo));
    return new AttachmentData(Buffer.concat(this.parts), this.prefix, this.blobs);
  }

  private run(xml: Buffer, totalLength: number, final: boolean): void {
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
          this.startMarkup(xml, open, totalLength);
        }
      }
    }
  }

  private startMarkup(xml: Buffer, open: number, totalLength: number): void {
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
      // The content is at most the rest of the document, which decodes to 3 bytes per 4.
      const decoder = new Base64Decoder(Math.floor((totalLength - start) / 4) * 3);
      this.open = { start, decoder, decodedUpTo: start };
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
   * is `</data>`, takes the content out if it qualifies. Returns false while the content
   * or its end tag has not fully arrived.
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

    // Scanning goes on from the start of the content, which may contain markup when not taken out.
    this.open = undefined;
    this.offset = open.start;
    if (end < 0 || end === open.start || !startsWithAt(xml, end, CLOSE)) return true;

    const raw = xml.subarray(open.start, end);
    // Valid base64 was decoded on the way, and other content is checked byte by byte.
    const decoded = open.decoder.end();
    if (decoded || isPlainBase64(raw)) this.takeOut(xml, raw, decoded, open.start, end);
    return true;
  }

  private takeOut(xml: Buffer, raw: Buffer, decoded: DecodedData | undefined, start: number, end: number): void {
    // The random prefix is made at the first token, because most documents have no attachment.
    this.prefix ||= `#data-${randomBytes(8).toString('hex')}-`;
    const lineBreaks = '\n'.repeat(decoded?.lineBreaks ?? countLineBreaks(raw));
    this.parts.push(xml.subarray(this.copiedUpTo, start), Buffer.from(`${this.prefix}${this.blobs.length}${lineBreaks}`));
    this.blobs.push({ raw, decoded });
    this.copiedUpTo = end;
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

  /** Scans a complete document; see `AttachmentScanner`. */
  static extract(xml: Buffer): AttachmentData {
    return new AttachmentScanner().finish(xml);
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
