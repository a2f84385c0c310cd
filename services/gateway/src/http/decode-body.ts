import { RequestError } from '../errors';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Decodes an application/x-www-form-urlencoded byte string: `+` becomes a space and
 * `%XX` becomes byte XX. A `%` without two hex digits stays as it is, as the WHATWG
 * URL standard prescribes. Works on bytes, so the result keeps any encoding.
 */
export function decodeFormBytes(input: Buffer): Buffer {
  const output = Buffer.allocUnsafe(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === 0x2b) {
      output[length++] = 0x20;
      continue;
    }
    if (byte === 0x25 && i + 2 < input.length) {
      const high = hexValue(input[i + 1]!);
      const low = hexValue(input[i + 2]!);
      if (high >= 0 && low >= 0) {
        output[length++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    output[length++] = byte;
  }
  return output.subarray(0, length);
}

/**
 * Turns a request body into the XML bytes to parse.
 * - Raw XML (first non-blank byte after an optional UTF-8 BOM is `<`) is returned
 *   unchanged, so a `+` stays a `+` and the XML declaration decides the encoding.
 * - A percent-encoded document (starting with `%3C` in any case) is decoded once.
 * - Anything else is rejected with 415.
 */
export function decodeBody(body: Buffer): Buffer {
  let start = 0;
  if (UTF8_BOM.every((byte, i) => body[i] === byte)) start = 3;
  while (start < body.length && isBlank(body[start]!)) start++;

  if (start >= body.length) throw new RequestError(400, 'no data received: the request body is empty');

  if (body[start] === 0x3c) return body;

  const isPercentEncoded =
    body[start] === 0x25 && body[start + 1] === 0x33 && (body[start + 2]! | 0x20) === 0x63;
  if (isPercentEncoded) return decodeFormBytes(body.subarray(start));

  throw new RequestError(
    415,
    'unsupported body: expected an XML document starting with "<", or the same document percent-encoded',
  );
}
