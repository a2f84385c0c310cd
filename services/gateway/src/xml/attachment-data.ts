import { randomBytes } from 'node:crypto';
import { decodeBase64Fast } from '../tickets/base64';

const OPEN = '<data>';
const CLOSE = '</data>';

const BASE64_OR_SPACE = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n') {
  BASE64_OR_SPACE[char.charCodeAt(0)] = 1;
}

function startsWithAt(bytes: Buffer, offset: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

function skipPast(bytes: Buffer, offset: number, terminator: string): number {
  const end = bytes.indexOf(terminator, offset, 'latin1');
  return end < 0 ? bytes.length : end + terminator.length;
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
  /** The decoded bytes when `raw` is valid base64, else undefined. */
  bytes: Buffer | undefined;
}

/**
 * A request document with the content of its `<data>` elements taken out. libxml2
 * rejects text nodes over 10,000,000 bytes unless its "huge" mode is on, and a 15 MiB
 * attachment is 20 MB of base64, so attachment data never goes through the parser: each
 * `<data>` holding only base64 characters and white space is replaced by a token that
 * `take()` turns back into the original bytes and, for valid base64, the decoded ones.
 * Decoding here, while the content is scanned anyway, spares a second pass over it.
 * Line breaks are kept, so the parser's line numbers stay right.
 */
export class AttachmentData {
  private constructor(
    readonly skeleton: Buffer,
    private readonly prefix: string,
    private readonly blobs: ExtractedData[],
  ) {}

  /**
   * Scans `xml` for `<data>` start tags at markup level, skipping comments, CDATA
   * sections and processing instructions, where the same characters are only text.
   */
  static extract(xml: Buffer): AttachmentData {
    // The random prefix is made at the first token, because most documents have no attachment.
    let prefix = '';
    const blobs: ExtractedData[] = [];
    const parts: Buffer[] = [];
    let copiedUpTo = 0;
    let offset = 0;

    while (offset < xml.length) {
      const open = xml.indexOf(0x3c, offset);
      if (open < 0) break;

      if (startsWithAt(xml, open, '<!--')) {
        offset = skipPast(xml, open + 4, '-->');
      } else if (startsWithAt(xml, open, '<![CDATA[')) {
        offset = skipPast(xml, open + 9, ']]>');
      } else if (startsWithAt(xml, open, '<?')) {
        offset = skipPast(xml, open + 2, '?>');
      } else if (startsWithAt(xml, open, OPEN)) {
        const start = open + OPEN.length;
        const end = xml.indexOf(0x3c, start);
        const isSimple = end >= 0 && startsWithAt(xml, end, CLOSE);
        const raw = isSimple && end > start ? xml.subarray(start, end) : undefined;
        // Valid base64 is decoded at once, and other content is checked byte by byte.
        const bytes = raw && decodeBase64Fast(raw);
        if (raw && (bytes || isPlainBase64(raw))) {
          prefix ||= `#data-${randomBytes(8).toString('hex')}-`;
          const lineBreaks = '\n'.repeat(countLineBreaks(raw));
          parts.push(xml.subarray(copiedUpTo, start), Buffer.from(`${prefix}${blobs.length}${lineBreaks}`));
          blobs.push({ raw, bytes });
          copiedUpTo = end;
        }
        offset = start;
      } else {
        offset = open + 1;
      }
    }

    if (blobs.length === 0) return new AttachmentData(xml, prefix, blobs);
    parts.push(xml.subarray(copiedUpTo));
    return new AttachmentData(Buffer.concat(parts), prefix, blobs);
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
