import { hasDoctype } from '../../services/gateway/src/xml/prolog';

const BOM = '\ufeff';
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

describe('hasDoctype', () => {
  test.each([
    { label: 'first thing in document', xml: '<!DOCTYPE msapi><msapi/>' },
    { label: 'after XML declaration', xml: `${DECLARATION}\n<!DOCTYPE msapi><msapi/>` },
    { label: 'after UTF-8 BOM', xml: `${BOM}${DECLARATION}<!DOCTYPE msapi><msapi/>` },
    { label: 'after blank lines', xml: ' \r\n\t\n<!DOCTYPE msapi><msapi/>' },
    { label: 'after a comment', xml: `${DECLARATION}<!-- sent by the portal --><!DOCTYPE msapi><msapi/>` },
    { label: 'after a processing instruction', xml: `${DECLARATION}<?xml-stylesheet href="a.xsl"?>\n<!DOCTYPE msapi><msapi/>` },
    {
      label: 'after comments and instructions',
      xml: `${DECLARATION}\n<!-- a -->\n<?pi one?>\n<!-- b -->\n<?pi two?>\n<!DOCTYPE msapi><msapi/>`,
    },
    { label: 'comment containing angle brackets', xml: '<!-- <msapi> --><!DOCTYPE msapi><msapi/>' },
    { label: 'lower-case keyword', xml: '<!doctype msapi><msapi/>' },
    { label: 'mixed-case keyword', xml: '<!DocType msapi><msapi/>' },
    { label: 'internal subset', xml: '<!DOCTYPE msapi [<!ENTITY x "y">]><msapi>&x;</msapi>' },
    { label: 'external DTD', xml: '<!DOCTYPE msapi SYSTEM "file:///etc/passwd"><msapi/>' },
    { label: 'bare entity declaration', xml: `${DECLARATION}<!ENTITY x "y"><msapi/>` },
    { label: 'lower-case entity declaration', xml: '<!entity x "y"><msapi/>' },
  ])('detects DOCTYPE $label', ({ xml }) => {
    expect(hasDoctype(Buffer.from(xml))).toBe(true);
  });

  test.each([
    { label: 'plain document', xml: `${DECLARATION}\n<msapi><op>ticket</op></msapi>` },
    { label: 'BOM and declaration', xml: `${BOM}${DECLARATION}<msapi/>` },
    { label: 'keyword inside a comment', xml: '<!-- <!DOCTYPE msapi> --><msapi/>' },
    { label: 'keyword inside an instruction', xml: '<?note <!DOCTYPE msapi> ?><msapi/>' },
    { label: 'keyword in element text', xml: '<msapi><comments>&lt;!DOCTYPE html&gt;</comments></msapi>' },
    { label: 'keyword in CDATA', xml: '<msapi><comments><![CDATA[<!DOCTYPE html>]]></comments></msapi>' },
    { label: 'keyword after root element', xml: '<msapi/>\n<!DOCTYPE msapi>' },
    { label: 'keyword in a later comment', xml: '<msapi><!-- <!DOCTYPE msapi> --></msapi>' },
    { label: 'unterminated comment', xml: '<!-- <!DOCTYPE msapi>' },
    { label: 'unterminated instruction', xml: '<?pi <!DOCTYPE msapi>' },
    { label: 'empty body', xml: '' },
    { label: 'BOM only', xml: BOM },
    { label: 'other declaration', xml: '<!ELEMENT msapi ANY><msapi/>' },
    { label: 'truncated keyword', xml: '<!DOCTYP' },
  ])('ignores $label', ({ xml }) => {
    expect(hasDoctype(Buffer.from(xml))).toBe(false);
  });

  test('reads Latin-1 documents', () => {
    const xml = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><!-- für --><!DOCTYPE msapi><msapi/>', 'latin1');

    expect(hasDoctype(xml)).toBe(true);
  });
});
