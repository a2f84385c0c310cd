/**
 * Request forms that Maian Support clients send: percent-encoded bodies, the legacy
 * URL forms, the key in a header, other encodings, and every document-level rejection.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { parseApiResponse, post, sha256, type ApiResponse } from '../support/http';
import { startStack, TEST_API_KEY, type TestStack } from '../support/stack';

const EXAMPLE = readFileSync(path.join(__dirname, '..', '..', 'examples', 'add-ticket.xml'), 'utf8');
const EXAMPLE_ATTACHMENT = Buffer.from(/<data>([\s\S]*?)<\/data>/.exec(EXAMPLE)![1]!.replace(/\s+/g, ''), 'base64');

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const INVALID_KEY = 'invalid API key';

/** Settings of the second stack, which tests the size limits and an address allow-list. */
const LIMITS = {
  MAX_TICKETS_PER_REQUEST: '3',
  MAX_BODY_BYTES: '4096',
  API_KEYS: 'fenced:fenced-key-0002',
  API_KEY_ALLOWLISTS: 'fenced=127.0.0.2/32',
};

let stack: TestStack;
let limited: TestStack;

beforeAll(async () => {
  [stack, limited] = await Promise.all([startStack(), startStack(LIMITS)]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), limited?.close()]);
});

function ticketXml(subject = 'Compatibility test', name = 'Ada Example'): string {
  return `    <ticket>
      <name>${name}</name>
      <email>ada@example.com</email>
      <dept>1</dept>
      <subject>${subject}</subject>
      <comments>Sent by the compatibility tests.</comments>
    </ticket>`;
}

interface DocumentOptions {
  /** Text of `<api>`, or null to leave the element out. */
  api?: string | null;
  /** Text of `<op>`, or null to leave the element out. */
  op?: string | null;
  tickets?: string[];
  declaration?: string;
}

function documentXml(options: DocumentOptions = {}): string {
  const { api = TEST_API_KEY, op = 'ticket', tickets = [ticketXml()] } = options;
  const declaration = options.declaration ?? '<?xml version="1.0" encoding="utf-8"?>';
  const lines = [declaration, '<msapi>'];
  if (api !== null) lines.push(`  <api>${api}</api>`);
  if (op !== null) lines.push(`  <op>${op}</op>`);
  lines.push('  <tickets>', ...tickets, '  </tickets>', '</msapi>');
  return lines.join('\n');
}

async function rowCounts(target: TestStack): Promise<{ tickets: number; accounts: number }> {
  const [row] = await target.query<{ tickets: number; accounts: number }>(
    'SELECT (SELECT COUNT(*) FROM tickets) AS tickets, (SELECT COUNT(*) FROM accounts) AS accounts',
  );
  return { tickets: Number(row!.tickets), accounts: Number(row!.accounts) };
}

/** Sends a request that must fail as a whole, then checks the response and that nothing was stored. */
async function expectDocumentRejected(
  target: TestStack,
  request: () => Promise<ApiResponse>,
  httpStatus: number,
  reason: string | RegExp,
): Promise<ApiResponse> {
  const before = await rowCounts(target);

  const response = await request();

  expect(response.httpStatus).toBe(httpStatus);
  expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
  expect(response.status).toBe('ERROR');
  if (typeof reason === 'string') expect(response.reason).toBe(reason);
  else expect(response.reason).toMatch(reason);
  expect(response.message).toBe(response.reason);
  expect(response.ticketId).toBeUndefined();
  expect(response.results).toEqual([]);
  expect(await rowCounts(target)).toEqual(before);
  return response;
}

function storedIds(response: ApiResponse): number[] {
  expect(response.results.map((result) => result.reason)).toEqual(response.results.map(() => undefined));
  expect(response.httpStatus).toBe(200);
  return response.results.map((result) => result.ticketId!);
}

async function ticketRow(id: number) {
  const [row] = await stack.query<{ name: string; hex_name: string; subject: string; hex_subject: string; email: string }>(
    'SELECT name, HEX(name) AS hex_name, subject, HEX(subject) AS hex_subject, email FROM tickets WHERE id = ?',
    [id],
  );
  return row!;
}

describe('percent-encoded bodies', () => {
  async function expectExampleStored(response: ApiResponse): Promise<void> {
    const [first, second] = storedIds(response);

    expect(response.message).toBe('2 tickets added');
    expect((await ticketRow(first!)).subject).toBe('Printer <on fire> in room 4.12');
    expect((await ticketRow(second!)).subject).toBe('VPN drops every 20 minutes');
    expect((await ticketRow(second!)).email).toBe('grace+helpdesk@example.org');
    const [attachment] = await stack.query<{ object_key: string; sha256: string }>(
      'SELECT object_key, sha256 FROM attachments WHERE ticket_id = ?',
      [first],
    );
    expect(attachment!.sha256).toBe(sha256(EXAMPLE_ATTACHMENT));
    expect((await stack.store.read(attachment!.object_key)).equals(EXAMPLE_ATTACHMENT)).toBe(true);
  }

  test('encodeURIComponent body stored', async () => {
    const response = await post(stack.url, encodeURIComponent(EXAMPLE), { headers: FORM });

    await expectExampleStored(response);
  });

  test('plus for spaces stored', async () => {
    const body = encodeURIComponent(EXAMPLE).replace(/%20/g, '+');
    expect(body).toContain('VPN+drops');

    const response = await post(stack.url, body, { headers: FORM });

    await expectExampleStored(response);
  });

  test('lower-case escapes stored', async () => {
    const body = encodeURIComponent(EXAMPLE).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

    const response = await post(stack.url, body, { headers: FORM });

    await expectExampleStored(response);
  });

  test('raw body keeps plus signs', async () => {
    const body = documentXml({ tickets: [ticketXml('C++ build fails + 1+1=2')] });

    const [id] = storedIds(await post(stack.url, body));

    expect((await ticketRow(id!)).subject).toBe('C++ build fails + 1+1=2');
  });
});

/**
 * Posts `body` in pieces of `pieceBytes` with a pause after each, so the gateway scans a
 * body that arrives in parts. Without `contentLength` the request is sent chunked.
 */
function postInPieces(url: string, body: Buffer, pieceBytes: number, contentLength: boolean): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/xml' };
    if (contentLength) headers['Content-Length'] = String(body.length);
    const req = request(`${url}/api`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const responseHeaders = new Headers(res.headers as Record<string, string>);
        resolve(parseApiResponse(res.statusCode!, responseHeaders, Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    const writeFrom = (offset: number): void => {
      if (offset >= body.length) {
        req.end();
        return;
      }
      req.write(body.subarray(offset, offset + pieceBytes));
      setTimeout(() => writeFrom(offset + pieceBytes), 2);
    };
    writeFrom(0);
  });
}

describe('bodies arriving in pieces', () => {
  test.each([
    { label: 'with Content-Length', contentLength: true },
    { label: 'chunked', contentLength: false },
  ])('example stored, $label', async ({ contentLength }) => {
    const response = await postInPieces(stack.url, Buffer.from(EXAMPLE), 97, contentLength);

    expect(response.httpStatus).toBe(200);
    expect(response.message).toBe('2 tickets added');
    const [first] = storedIds(response);
    const [attachment] = await stack.query<{ object_key: string }>('SELECT object_key FROM attachments WHERE ticket_id = ?', [
      first,
    ]);
    expect((await stack.store.read(attachment!.object_key)).equals(EXAMPLE_ATTACHMENT)).toBe(true);
  });
});

describe('character encodings', () => {
  const LATIN1_DECLARATION = '<?xml version="1.0" encoding="ISO-8859-1"?>';
  const NAME_HEX = '52656EC3A965204DC3BC6C6C6572';
  const SUBJECT_HEX = '436166C3A9206372C3A86D65';

  test('ISO-8859-1 document stored as UTF-8', async () => {
    const xml = documentXml({ declaration: LATIN1_DECLARATION, tickets: [ticketXml('Café crème', 'Renée Müller')] });
    const body = Buffer.from(xml, 'latin1');
    expect(body.includes(Buffer.from([0x65, 0x20, 0x4d, 0xfc]))).toBe(true);

    const [id] = storedIds(await post(stack.url, body));

    const row = await ticketRow(id!);
    expect(row.hex_name).toBe(NAME_HEX);
    expect(row.hex_subject).toBe(SUBJECT_HEX);
    expect(row.name).toBe('Renée Müller');
  });

  test('percent-encoded ISO-8859-1 stored as UTF-8', async () => {
    const xml = documentXml({ declaration: LATIN1_DECLARATION, tickets: [ticketXml('Café crème', 'Renée Müller')] });
    const body = [...Buffer.from(xml, 'latin1')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

    const [id] = storedIds(await post(stack.url, body, { headers: FORM }));

    const row = await ticketRow(id!);
    expect(row.hex_name).toBe(NAME_HEX);
    expect(row.hex_subject).toBe(SUBJECT_HEX);
  });

  test('UTF-8 BOM with leading blank line', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\n${documentXml({ declaration: '' })}`)]);

    const [id] = storedIds(await post(stack.url, body));

    expect((await ticketRow(id!)).subject).toBe('Compatibility test');
  });
});

describe('endpoints', () => {
  test.each(['/api', '/?api=1', '/?api', '/index.php?xml', '/index.php?api=yes', '/?p=api', '/?p=xml', '/index.php?p=xml'])(
    'POST %s stores ticket',
    async (requestPath) => {
      const response = await post(stack.url, documentXml(), { path: requestPath });

      expect(storedIds(response)).toHaveLength(1);
      expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    },
  );

  test.each(['/?p=other', '/', '/index.php', '/index.php?p=', '/tickets'])('POST %s is 404', async (requestPath) => {
    const before = await rowCounts(stack);

    const response = await fetch(`${stack.url}${requestPath}`, { method: 'POST', body: documentXml() });
    await response.text();

    expect(response.status).toBe(404);
    expect(await rowCounts(stack)).toEqual(before);
  });

  test('GET unknown URL is plain 404', async () => {
    const response = await fetch(`${stack.url}/tickets/1`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('Not found: GET /tickets/1 is no endpoint of this service; send tickets with POST /api\n');
  });

  test('GET /api is 405', async () => {
    const response = await fetch(`${stack.url}/api`);
    await response.text();

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('operation and API key', () => {
  test('missing op means ticket', async () => {
    expect(storedIds(await post(stack.url, documentXml({ op: null })))).toHaveLength(1);
  });

  test('empty op means ticket', async () => {
    expect(storedIds(await post(stack.url, documentXml({ op: '' })))).toHaveLength(1);
  });

  test('header key without api element', async () => {
    const response = await post(stack.url, documentXml({ api: null }), { headers: { 'X-API-Key': TEST_API_KEY } });

    expect(storedIds(response)).toHaveLength(1);
  });

  test('header key with empty api element', async () => {
    const response = await post(stack.url, documentXml({ api: '' }), { headers: { 'X-API-Key': TEST_API_KEY } });

    expect(storedIds(response)).toHaveLength(1);
  });

  test('header key matching api element', async () => {
    const response = await post(stack.url, documentXml(), { headers: { 'X-API-Key': TEST_API_KEY } });

    expect(storedIds(response)).toHaveLength(1);
  });

  test('header and api mismatch 401', async () => {
    await expectDocumentRejected(
      stack,
      () => post(stack.url, documentXml({ api: 'test-key-0002' }), { headers: { 'X-API-Key': TEST_API_KEY } }),
      401,
      `${INVALID_KEY}: the X-API-Key header and <api> differ`,
    );
  });

  test.each([
    { label: 'wrong key', api: 'not-the-key', header: undefined },
    { label: 'missing key', api: null, header: undefined },
    { label: 'empty key', api: '', header: undefined },
    { label: 'blank key', api: '  ', header: undefined },
    { label: 'wrong header key', api: null, header: 'not-the-key' },
    { label: 'wrong header, right element', api: TEST_API_KEY, header: 'not-the-key' },
  ])('$label is 401', async ({ api, header }) => {
    const headers: Record<string, string> = header === undefined ? {} : { 'X-API-Key': header };

    await expectDocumentRejected(stack, () => post(stack.url, documentXml({ api }), { headers }), 401, INVALID_KEY);
  });

  test('address outside allow-list 403', async () => {
    await expectDocumentRejected(
      limited,
      () => post(limited.url, documentXml({ api: 'fenced-key-0002' })),
      403,
      'address not allowed for this key: 127.0.0.1',
    );
  });
});

describe('document-level rejections', () => {
  test('other operation is 400', async () => {
    await expectDocumentRejected(
      stack,
      () => post(stack.url, documentXml({ op: 'account' })),
      400,
      'operation not supported: "account"; only "ticket" is',
    );
  });

  test.each([
    { label: 'empty tickets element', xml: documentXml({ tickets: [] }) },
    { label: 'no tickets element', xml: `<msapi><api>${TEST_API_KEY}</api><op>ticket</op></msapi>` },
  ])('$label is 400', async ({ xml }) => {
    await expectDocumentRejected(
      stack,
      () => post(stack.url, xml),
      400,
      'no <ticket> elements: the document has 0 tickets',
    );
  });

  test('tickets at the limit stored', async () => {
    const response = await post(limited.url, documentXml({ tickets: [ticketXml(), ticketXml(), ticketXml()] }));

    expect(response.httpStatus).toBe(200);
    expect(response.message).toBe('3 tickets added');
  });

  test('too many tickets is 413', async () => {
    const body = documentXml({ tickets: [ticketXml(), ticketXml(), ticketXml(), ticketXml()] });
    expect(Buffer.byteLength(body)).toBeLessThan(4096);

    await expectDocumentRejected(
      limited,
      () => post(limited.url, body),
      413,
      'too many tickets: the document has 4, the limit is 3 per request',
    );
  });

  test('oversized body is 413', async () => {
    const body = documentXml({ tickets: [ticketXml('x'.repeat(5000))] });

    await expectDocumentRejected(
      limited,
      () => post(limited.url, body),
      413,
      'request body is larger than the limit of 4096 bytes',
    );
  });

  test('schema errors listed with lines', async () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<msapi>
  <api>${TEST_API_KEY}</api>
  <tickets>
    <ticket>
      <subject>First</subject>
      <priorty>high</priorty>
    </ticket>
    <ticket>
      <email><b>ada@example.com</b></email>
    </ticket>
  </tickets>
</msapi>`;

    const response = await expectDocumentRejected(
      stack,
      () => post(stack.url, xml),
      400,
      "XML does not match the schema: line 7: Element 'priorty': This element is not expected.",
    );

    expect(response.errors).toEqual([
      { line: 7, message: "Element 'priorty': This element is not expected." },
      { line: 10, message: "Element 'email': Element content is not allowed, because the type definition is simple." },
    ]);
  });

  test('not well-formed names line', async () => {
    const xml = documentXml().replace('<dept>1</dept>', '<dept>1</dep>');

    const response = await expectDocumentRejected(stack, () => post(stack.url, xml), 400, /^XML is not well-formed: line 9: /);

    expect(response.errors).toHaveLength(1);
    expect(response.errors[0]!.line).toBe(9);
  });

  test('declaration after blank line 400', async () => {
    await expectDocumentRejected(
      stack,
      () => post(stack.url, `\n${documentXml()}`),
      400,
      'XML is not well-formed: line 2: XML declaration allowed only at the start of the document',
    );
  });

  test('other root element is 400', async () => {
    await expectDocumentRejected(stack, () => post(stack.url, '<a></a>'), 400, 'root element must be <msapi>, found <a>');
  });

  test('lower-case doctype is 400', async () => {
    const xml = documentXml().replace('<msapi>', '<!doctype msapi>\n<msapi>');

    await expectDocumentRejected(
      stack,
      () => post(stack.url, xml),
      400,
      'DOCTYPE and entity declarations are not accepted',
    );
  });

  test('empty body is 400', async () => {
    await expectDocumentRejected(
      stack,
      () => post(stack.url, ''),
      400,
      'no data received: the request body is empty',
    );
  });

  test.each([
    { label: 'JSON', body: JSON.stringify({ api: TEST_API_KEY, tickets: [] }), type: 'application/json' },
    { label: 'form field', body: `xml=${encodeURIComponent(documentXml())}`, type: FORM['Content-Type'] },
    { label: 'plain text', body: 'ticket please', type: 'text/plain' },
  ])('$label body is 415', async ({ body, type }) => {
    await expectDocumentRejected(
      stack,
      () => post(stack.url, body, { headers: { 'Content-Type': type } }),
      415,
      'unsupported body: expected an XML document starting with "<", or the same document percent-encoded',
    );
  });
});
