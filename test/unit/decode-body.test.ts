import { decodeBody, decodeFormBytes } from '../../services/gateway/src/http/decode-body';
import { RequestError } from '../../services/gateway/src/errors';

const BOM = '\ufeff';

function failureOf(body: Buffer): RequestError {
  try {
    decodeBody(body);
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error(`expected decodeBody to reject ${JSON.stringify(body.toString('latin1'))}`);
}

describe('decodeBody raw XML', () => {
  test.each([
    { label: 'document', body: '<msapi><op>ticket</op></msapi>' },
    { label: 'XML declaration', body: '<?xml version="1.0"?><msapi/>' },
    { label: 'plus sign kept', body: '<msapi><email>a+b@example.com</email></msapi>' },
    { label: 'percent sign kept', body: '<msapi><subject>100%25 done</subject></msapi>' },
    { label: 'UTF-8 BOM', body: `${BOM}<?xml version="1.0"?><msapi/>` },
    { label: 'leading blanks', body: ' \r\n\t<msapi/>' },
    { label: 'BOM then blanks', body: `${BOM}\n <msapi/>` },
    { label: 'only an angle bracket', body: '<' },
  ])('returned unchanged: $label', ({ body }) => {
    const input = Buffer.from(body);

    const output = decodeBody(input);

    expect(output).toBe(input);
  });

  test('Latin-1 bytes returned unchanged', () => {
    const input = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><msapi><name>Renée</name></msapi>', 'latin1');

    expect(decodeBody(input).equals(input)).toBe(true);
  });
});

describe('decodeBody percent-encoded XML', () => {
  test.each([
    { label: 'upper-case %3C', body: '%3Cmsapi%2F%3E', expected: '<msapi/>' },
    { label: 'lower-case %3c', body: '%3cmsapi%2f%3e', expected: '<msapi/>' },
    { label: 'plus becomes space', body: '%3Csubject%3EPrinter+jam%3C%2Fsubject%3E', expected: '<subject>Printer jam</subject>' },
    { label: 'encoded plus kept', body: '%3Cemail%3Ea%2Bb%40example.com%3C%2Femail%3E', expected: '<email>a+b@example.com</email>' },
    { label: 'unencoded characters kept', body: '%3Cmsapi>text</msapi>', expected: '<msapi>text</msapi>' },
    { label: 'invalid escape kept', body: '%3Cs%3E100%ZZ%3C%2Fs%3E', expected: '<s>100%ZZ</s>' },
    { label: 'percent at the end kept', body: '%3Cs%3E5%', expected: '<s>5%' },
    { label: 'one hex digit at the end kept', body: '%3Cs%3E5%4', expected: '<s>5%4' },
    { label: 'decoded once only', body: '%3Cs%3E%253C%3C%2Fs%3E', expected: '<s>%3C</s>' },
    { label: 'leading blanks dropped', body: '\r\n %3Cmsapi%2F%3E', expected: '<msapi/>' },
    { label: 'BOM dropped', body: `${BOM}%3Cmsapi%2F%3E`, expected: '<msapi/>' },
  ])('decoded: $label', ({ body, expected }) => {
    expect(decodeBody(Buffer.from(body)).toString('latin1')).toBe(expected);
  });

  test('UTF-8 escapes decoded to bytes', () => {
    const output = decodeBody(Buffer.from('%3Cname%3ERen%C3%A9e+%F0%9F%98%80%3C%2Fname%3E'));

    expect(output.toString('utf8')).toBe('<name>Renée \u{1F600}</name>');
  });

  test('Latin-1 escapes kept as bytes', () => {
    const output = decodeBody(Buffer.from('%3Cname%3ERen%E9e%3C%2Fname%3E'));

    expect(output.equals(Buffer.from('<name>Renée</name>', 'latin1'))).toBe(true);
  });

  test('whole encodeURIComponent output round-trips', () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?>\n<msapi>\n  <subject>50% off & more + "quotes" 😀</subject>\n</msapi>';

    expect(decodeBody(Buffer.from(encodeURIComponent(xml))).toString('utf8')).toBe(xml);
  });
});

describe('decodeBody rejections', () => {
  test.each([
    { label: 'no bytes', body: '' },
    { label: 'blanks only', body: ' \r\n\t ' },
    { label: 'BOM only', body: BOM },
    { label: 'BOM and blanks', body: `${BOM}\n\n` },
  ])('empty body is 400: $label', ({ body }) => {
    const error = failureOf(Buffer.from(body));

    expect(error.status).toBe(400);
    expect(error.reason).toBe('no data received: the request body is empty');
  });

  test.each([
    { label: 'JSON', body: '{"tickets":[]}' },
    { label: 'plain text', body: 'hello' },
    { label: 'form field', body: 'xml=%3Cmsapi%2F%3E' },
    { label: 'other escape first', body: '%20%3Cmsapi%2F%3E' },
    { label: 'percent sign alone', body: '%' },
    { label: 'truncated %3', body: '%3' },
    { label: 'HTML entity', body: '&lt;msapi/&gt;' },
    { label: 'UTF-16 document', body: '\ufeff<msapi/>', encoding: 'utf16le' as const },
  ])('unsupported body is 415: $label', ({ body, encoding }) => {
    const error = failureOf(Buffer.from(body, encoding ?? 'utf8'));

    expect(error.status).toBe(415);
    expect(error.reason).toBe(
      'unsupported body: expected an XML document starting with "<", or the same document percent-encoded',
    );
  });
});

describe('decodeFormBytes', () => {
  test.each([
    { label: 'plain text', input: 'abc', expected: 'abc' },
    { label: 'plus', input: 'a+b', expected: 'a b' },
    { label: 'encoded plus', input: 'a%2Bb', expected: 'a+b' },
    { label: 'mixed-case hex', input: '%4a%4A', expected: 'JJ' },
    { label: 'invalid hex', input: '%G1%1G', expected: '%G1%1G' },
    { label: 'escape at the very end', input: 'a%41', expected: 'aA' },
    { label: 'NUL escape', input: '%00', expected: '\0' },
    { label: 'high byte', input: '%FF', expected: '\xff' },
  ])('decodes $label', ({ input, expected }) => {
    expect(decodeFormBytes(Buffer.from(input, 'latin1')).toString('latin1')).toBe(expected);
  });
});
