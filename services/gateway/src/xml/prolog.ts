function startsWithAt(bytes: Buffer, offset: number, text: string, ignoreCase = false): boolean {
  if (offset + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) {
    let byte = bytes[offset + i]!;
    let expected = text.charCodeAt(i);
    if (ignoreCase) {
      byte |= 0x20;
      expected |= 0x20;
    }
    if (byte !== expected) return false;
  }
  return true;
}

/**
 * Reports whether the document's prolog (everything before the root element) holds a
 * DOCTYPE or an entity declaration. These are the only places where XML can declare
 * entities or point at an external DTD. A DOCTYPE anywhere later is not well-formed
 * and the parser rejects it without processing it.
 *
 * Works on the raw bytes, which the body decoder guarantees to be ASCII-compatible.
 */
export function hasDoctype(xml: Buffer): boolean {
  let offset = xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf ? 3 : 0;

  while (offset < xml.length) {
    const byte = xml[offset]!;
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) {
      offset++;
    } else if (startsWithAt(xml, offset, '<?')) {
      const end = xml.indexOf('?>', offset + 2, 'latin1');
      if (end < 0) return false;
      offset = end + 2;
    } else if (startsWithAt(xml, offset, '<!--')) {
      const end = xml.indexOf('-->', offset + 4, 'latin1');
      if (end < 0) return false;
      offset = end + 3;
    } else {
      return startsWithAt(xml, offset, '<!DOCTYPE', true) || startsWithAt(xml, offset, '<!ENTITY', true);
    }
  }
  return false;
}
