import { parseXml, type Element } from 'libxmljs2';
import { randomBytes } from 'node:crypto';
import { AttachmentData, AttachmentScanner } from '../../services/gateway/src/xml/attachment-data';

function extract(xml: string): AttachmentData {
  return AttachmentData.extract(Buffer.from(xml));
}

function skeletonText(data: AttachmentData): string {
  return data.skeleton.toString('utf8');
}

function lineBreaks(text: string): number {
  return text.split('\n').length - 1;
}

/** Returns the `<data>` texts of the parsed skeleton, in document order. */
function dataTexts(data: AttachmentData): string[] {
  const document = parseXml(data.skeleton as unknown as string);
  return document.find<Element>('//data').map((element) => element.text());
}

describe('AttachmentData.extract', () => {
  test('replaces base64 with a token', () => {
    const data = extract('<file><data>QUJD</data></file>');

    const [text] = dataTexts(data);

    expect(skeletonText(data)).not.toContain('QUJD');
    expect(data.take(text!)!.raw.toString('latin1')).toBe('QUJD');
  });

  test('each file gets its own bytes', () => {
    const data = extract('<a><data>QUJD</data><data>REVG</data><data>R0hJ</data></a>');

    const texts = dataTexts(data);

    expect(texts).toHaveLength(3);
    expect(new Set(texts).size).toBe(3);
    expect(texts.map((text) => data.take(text)!.raw.toString('latin1'))).toEqual(['QUJD', 'REVG', 'R0hJ']);
  });

  test('keeps white space of the data', () => {
    const original = '\n    QUJD\n    REVG\r\n  ';
    const data = extract(`<a><data>${original}</data></a>`);

    expect(data.take(dataTexts(data)[0]!)!.raw.toString('latin1')).toBe(original);
  });

  test('token bytes are a view', () => {
    const body = Buffer.from('<a><data>QUJD</data></a>');
    const data = AttachmentData.extract(body);

    const bytes = data.take(dataTexts(data)[0]!)!.raw;

    expect(bytes.buffer).toBe(body.buffer);
  });

  test('keeps the number of lines', () => {
    const xml = '<a>\n<data>\nQUJD\nREVG\nR0hJ\n</data>\n<b/>\n</a>';

    const data = extract(xml);

    expect(lineBreaks(skeletonText(data))).toBe(lineBreaks(xml));
  });

  test('keeps element line numbers', () => {
    const xml = '<a>\n<data>\nQUJD\nREVG\nR0hJ\n</data>\n<after/>\n</a>';

    const document = parseXml(extract(xml).skeleton as unknown as string);

    expect(document.get<Element>('//after')!.line()).toBe(7);
  });

  test('keeps parse error line numbers', () => {
    const xml = '<a>\n<data>\nQUJD\nREVG\n</data>\n<broken>\n</a>';

    let line: number | undefined;
    try {
      parseXml(extract(xml).skeleton as unknown as string);
    } catch (error) {
      line = (error as { line?: number }).line;
    }

    expect(line).toBe(7);
  });

  test('document without data unchanged', () => {
    const body = Buffer.from('<msapi><tickets><ticket><subject>x</subject></ticket></tickets></msapi>');

    expect(AttachmentData.extract(body).skeleton).toBe(body);
  });

  test.each([
    { label: 'comment', xml: '<a><!-- <data>QUJD</data> --></a>' },
    { label: 'CDATA section', xml: '<a><c><![CDATA[<data>QUJD</data>]]></c></a>' },
    { label: 'processing instruction', xml: '<a><?note <data>QUJD</data> ?></a>' },
    { label: 'comment before root', xml: '<!-- <data>QUJD</data> --><a/>' },
  ])('skips markup in $label', ({ xml }) => {
    const data = extract(xml);

    expect(skeletonText(data)).toBe(xml);
  });

  test('finds data after skipped markup', () => {
    const data = extract('<a><!-- <data>AAAA</data> --><![CDATA[<data>BBBB</data>]]><data>QUJD</data></a>');

    const texts = dataTexts(data);

    expect(skeletonText(data)).toContain('AAAA');
    expect(skeletonText(data)).toContain('BBBB');
    expect(skeletonText(data)).not.toContain('QUJD');
    expect(data.take(texts[0]!)!.raw.toString('latin1')).toBe('QUJD');
  });

  test.each([
    { label: 'data URL', content: 'data:text/plain;base64,QUJD' },
    { label: 'character reference', content: 'QUJD&#10;REVG' },
    { label: 'entity reference', content: 'QUJD&amp;' },
    { label: 'CDATA section', content: '<![CDATA[QUJD]]>' },
    { label: 'child element', content: 'QUJD<b/>REVG' },
    { label: 'comment', content: 'QU<!-- x -->JD' },
    { label: 'non-ASCII text', content: 'QUJDé' },
    { label: 'URL-safe characters', content: 'QU-_' },
    { label: 'empty element', content: '' },
  ])('leaves inline: $label', ({ content }) => {
    const xml = `<a><data>${content}</data></a>`;

    const data = extract(xml);

    expect(skeletonText(data)).toBe(xml);
  });

  test.each([
    { label: 'attribute', xml: '<a><data encoding="base64">QUJD</data></a>' },
    { label: 'self-closing element', xml: '<a><data/>QUJD</a>' },
    { label: 'other element name', xml: '<a><database>QUJD</database></a>' },
    { label: 'unclosed element', xml: '<a><data>QUJD' },
  ])('ignores start tag: $label', ({ xml }) => {
    expect(skeletonText(extract(xml))).toBe(xml);
  });

  test('white-space data is extracted', () => {
    const data = extract('<a><data>\n  \n</data></a>');

    expect(data.take(dataTexts(data)[0]!)!.raw.toString('latin1')).toBe('\n  \n');
  });
});

/** Feeds `xml` to a scanner in pieces of the given sizes, as a request body arrives. */
function scanInPieces(xml: Buffer, sizes: number[]): AttachmentData {
  const scanner = new AttachmentScanner();
  const buffer = Buffer.alloc(xml.length);
  let available = 0;
  for (let i = 0; available < xml.length; i++) {
    const size = Math.min(sizes[i % sizes.length]!, xml.length - available);
    xml.copy(buffer, available, available, available + size);
    available += size;
    scanner.scan(buffer, available);
  }
  return scanner.finishNow(buffer);
}

/** Returns the skeleton with its random token prefix replaced, and what each token stands for. */
function normalized(data: AttachmentData) {
  const skeleton = data.skeleton.toString('latin1');
  const prefix = /#data-[0-9a-f]{16}-/.exec(skeleton)?.[0];
  // A document that is not well-formed is compared by its skeleton alone.
  const texts = data.skeleton.includes('</a>') || data.skeleton.includes('</m>') ? dataTexts(data) : [];
  const extracted = texts.map((text) => {
    const content = data.take(text);
    return content && { raw: content.raw.toString('latin1'), decoded: content.decoded?.bytes.toString('hex') };
  });
  return { skeleton: prefix ? skeleton.split(prefix).join('#token-') : skeleton, extracted };
}

describe('AttachmentScanner', () => {
  const wrapped = randomBytes(60_000).toString('base64').replace(/.{76}/g, '$&\r\n');
  const documents = [
    '<a><data>QUJD</data></a>',
    '<a><!-- <data>AAAA</data> --><![CDATA[<data>BBBB</data>]]><?pi <data>CCCC</data>?><data>QUJD</data></a>',
    `<m><t><file><data>${wrapped}</data></file><file><data>QUJ</data></file></t></m>`,
    '<a><data>QU&#x4A;D</data><data>QUJD<![CDATA[RA==]]></data><data></data><data>Q!==</data></a>',
    '<a><f1>Ref <data>QUJD\nREVG</data> end</f1><data>QQ==\r</data><data>QQ=\r\n=</data></a>',
    '<a><data>QUJD',
    '<a><!-- not closed <data>QUJD</data>',
  ];

  test.each(documents.map((xml, index) => ({ index, xml })))('matches one pass, document $index', ({ xml }) => {
    const bytes = Buffer.from(xml, 'latin1');
    const whole = normalized(AttachmentData.extract(bytes));

    for (const sizes of [[1], [2, 3], [7], [64, 1, 1000], [4096]]) {
      expect({ sizes, ...normalized(scanInPieces(bytes, sizes)) }).toEqual({ sizes, ...whole });
    }
  });

  test('decodes while the data arrives', () => {
    const original = randomBytes(100_000);
    const xml = Buffer.from(`<a><data>${original.toString('base64').replace(/.{64}/g, '$&\n')}</data></a>`);

    const data = scanInPieces(xml, [1500]);

    expect(data.take(dataTexts(data)[0]!)?.decoded?.bytes.equals(original)).toBe(true);
  });
});

describe('AttachmentData.take', () => {
  test('returns the decoded bytes of valid base64', () => {
    const data = extract('<a><data>QUJD\r\nREVG</data><data>QUJ</data></a>');
    const [valid, invalid] = dataTexts(data).map((text) => data.take(text)!);

    expect(valid!.decoded?.bytes.toString('latin1')).toBe('ABCDEF');
    expect(invalid!.raw.toString('latin1')).toBe('QUJ');
    expect(invalid!.decoded).toBeUndefined();
  });

  test('plain text returns undefined', () => {
    const data = extract('<a><data>QUJD</data></a>');

    expect(data.take('QUJD')).toBeUndefined();
    expect(data.take('')).toBeUndefined();
  });

  test('token of another document fails', () => {
    const first = extract('<a><data>QUJD</data></a>');
    const second = extract('<a><data>REVG</data></a>');

    expect(second.take(dataTexts(first)[0]!)).toBeUndefined();
  });

  test('surrounding white space ignored', () => {
    const data = extract('<a><data>QUJD</data></a>');

    expect(data.take(`\n  ${dataTexts(data)[0]!}  \n`)!.raw.toString('latin1')).toBe('QUJD');
  });
});

describe('AttachmentData.restore', () => {
  test('puts data of a custom field back', () => {
    const data = extract('<a><f1>Ref <data>QUJD\nREVG</data> end</f1></a>');
    const fieldText = parseXml(data.skeleton.toString('utf8')).get<Element>('//f1')!.text();

    expect(data.restore(fieldText)).toBe('Ref QUJD\nREVG end');
  });

  test('text without tokens unchanged', () => {
    const data = extract('<a><data>QUJD</data></a>');

    expect(data.restore('#data- plain text')).toBe('#data- plain text');
  });
});
