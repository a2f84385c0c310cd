/**
 * Inputs that broke real ticket and XML intake systems, each with the exact behaviour
 * this service must show. The documents are in test/fixtures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture, post, sha256, type ApiResponse } from '../support/http';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

async function countRows(): Promise<{ tickets: number; attachments: number }> {
  const [row] = await stack.query<{ tickets: number; attachments: number }>(
    'SELECT (SELECT COUNT(*) FROM tickets) AS tickets, (SELECT COUNT(*) FROM attachments) AS attachments',
  );
  return { tickets: Number(row!.tickets), attachments: Number(row!.attachments) };
}

async function expectNothingQueued(): Promise<void> {
  const counts = await stack.gateway.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
  expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, prioritized: 0 });
}

async function expectRejectedDocument(name: string, status: number, body = fixture(name)): Promise<ApiResponse> {
  const before = await countRows();
  const objectsBefore = (await stack.store.list('')).length;

  const response = await post(stack.url, body);

  expect(response.httpStatus).toBe(status);
  expect(response.status).toBe('ERROR');
  expect(response.results).toEqual([]);
  expect(await countRows()).toEqual(before);
  expect((await stack.store.list('')).length).toBe(objectsBefore);
  await expectNothingQueued();
  return response;
}

async function attachmentsOf(ticketId: number) {
  return stack.query<{ file_name: string; hex_name: string; size_bytes: number; sha256: string; object_key: string }>(
    'SELECT file_name, HEX(file_name) AS hex_name, size_bytes, sha256, object_key FROM attachments WHERE ticket_id = ? ORDER BY position',
    [ticketId],
  );
}

function storedId(response: ApiResponse, index = 1): number {
  const result = response.results[index - 1]!;
  expect(result.status).toBe('OK');
  return result.ticketId!;
}

test('01 external entities rejected before parsing', async () => {
  // The entities point at a file and a listener of this test, not at fixed names.
  const directory = mkdtempSync(path.join(tmpdir(), 'ti-xxe-'));
  const canaryPath = path.join(directory, 'canary.txt');
  writeFileSync(canaryPath, 'CANARY-6d1f');
  let connections = 0;
  const listener: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  const document = fixture('01-xxe-external-entity.xml')
    .toString('utf8')
    .replace('file:///tmp/msapi-xxe-canary.txt', `file://${canaryPath}`)
    .replace('http://127.0.0.1:8999/', `http://127.0.0.1:${port}/`);
  expect(document).toContain(`file://${canaryPath}`);
  expect(document).toContain(`127.0.0.1:${port}/xxe-beacon`);

  try {
    const response = await expectRejectedDocument('01-xxe-external-entity.xml', 400, Buffer.from(document));
    expect(response.reason).toMatch(/DOCTYPE and entity declarations are not accepted/);
    expect(response.raw).not.toContain('CANARY-6d1f');
    expect(connections).toBe(0);
  } finally {
    await new Promise((resolve) => listener.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
});

test('02 entity expansion bomb rejected fast', async () => {
  const rssBefore = process.memoryUsage().rss;
  const started = Date.now();

  const response = await expectRejectedDocument('02-entity-expansion-bomb.xml', 400);

  expect(Date.now() - started).toBeLessThan(2000);
  expect(response.reason).toMatch(/DOCTYPE and entity declarations are not accepted/);
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);

  const next = await post(stack.url, fixture('04-utf8-bom.xml'));
  expect(next.httpStatus).toBe(200);
});

test('04 UTF-8 byte-order mark is not stored', async () => {
  const response = await post(stack.url, fixture('04-utf8-bom.xml'));

  expect(response.httpStatus).toBe(200);
  expect(response.results).toHaveLength(1);
  const [row] = await stack.query<{ name: string; subject: string; comments: string; hex_subject: string }>(
    'SELECT name, subject, comments, HEX(subject) AS hex_subject FROM tickets WHERE id = ?',
    [storedId(response)],
  );
  expect(row!.hex_subject.startsWith('EFBBBF')).toBe(false);
  for (const text of [row!.name, row!.subject, row!.comments]) expect(text).not.toContain('\uFEFF');
});

test('06 control character fails with its line', async () => {
  const response = await expectRejectedDocument('06-control-char-in-comments.xml', 400);

  expect(response.reason).toMatch(/not well-formed/);
  expect(response.reason).toMatch(/line 12\b/);
});

test('08 wrapped base64 decodes to the same bytes', async () => {
  const response = await post(stack.url, fixture('08-base64-line-wrapped.xml'));

  expect(response.httpStatus).toBe(200);
  const rows = await attachmentsOf(storedId(response));
  expect(rows).toHaveLength(3);
  for (const row of rows) {
    expect(Number(row.size_bytes)).toBe(1024);
    expect(row.sha256).toBe('e8fb2696f8a3c10f2389d3af9f976b490c2d0fb1eeb8c4dadebde83b808f24a9');
    const bytes = await stack.store.read(row.object_key);
    expect(bytes.length).toBe(1024);
    expect(sha256(bytes)).toBe(row.sha256);
  }
});

test('10 base64-looking content is decoded once', async () => {
  const response = await post(stack.url, fixture('10-attachment-content-looks-base64.xml'));

  expect(response.httpStatus).toBe(200);
  const [first, second] = await attachmentsOf(storedId(response));
  const firstBytes = await stack.store.read(first!.object_key);
  expect(firstBytes.length).toBe(21);
  expect(sha256(firstBytes)).toBe('e37dcfcc34cb8549fa893f33809b089905c070edc43bc12a758c7c980f0887af');
  const secondBytes = await stack.store.read(second!.object_key);
  expect(secondBytes.toString('latin1')).toBe('AAAA');
  expect(sha256(secondBytes)).toBe('63c1dd951ffedf6f7fd968ad4efa39b8ed584f162f46e715114ee184f8de9201');
});

test('11 zero-byte attachments are stored', async () => {
  const response = await post(stack.url, fixture('11-zero-byte-attachment.xml'));

  expect(response.httpStatus).toBe(200);
  expect(response.results).toHaveLength(1);
  const rows = await attachmentsOf(storedId(response));
  expect(rows.map((row) => Number(row.size_bytes))).toEqual([0, 0, 10]);
  for (const row of rows.slice(0, 2)) {
    const stat = await stack.store.client.statObject(stack.store.bucket, row.object_key);
    expect(stat.size).toBe(0);
    expect(stat.etag).toBe('d41d8cd98f00b204e9800998ecf8427e');
  }
  const third = await stack.store.read(rows[2]!.object_key);
  expect(sha256(third)).toBe('64074f40a6bd6941b68f48dd0c70ffd815e376a4cc0a799052bf390c2363ca33');
});

test('12 awkward names stored byte for byte', async () => {
  const response = await post(stack.url, fixture('12-attachment-names-unicode-reserved.xml'));

  expect(response.httpStatus).toBe(200);
  const ticketId = storedId(response);
  const rows = await attachmentsOf(ticketId);
  const [{ job_id: ticketJobId }] = (await stack.query<{ job_id: string }>('SELECT job_id FROM tickets WHERE id = ?', [
    ticketId,
  ])) as [{ job_id: string }];
  expect(rows.map((row) => row.hex_name.toLowerCase())).toEqual([
    '517561727465726c79207265706f7274202866696e616c29207632',
    '696e766f6963653f69643d343223706167653d33',
    '3130302520646f6e65202b206d6f7265',
    'e5a0b1e5918ae69bb82032303234',
    '63616665cc81207265cc8173756d65cc81',
    '636c697020f09f938e206e6f7465',
  ]);
  for (const [i, row] of rows.entries()) {
    expect((await stack.store.read(row.object_key)).toString('utf8')).toBe(`attachment-${i + 1}\n`);
    expect(row.object_key).toBe(`tickets/${ticketJobId}/${i + 1}.txt`);
  }
});

test('14 emoji and astral characters intact', async () => {
  const response = await post(stack.url, fixture('14-emoji-astral-fields.xml'));

  expect(response.httpStatus).toBe(200);
  const id = storedId(response);
  const [ticket] = await stack.query<Record<string, string>>(
    'SELECT HEX(name) AS name, HEX(subject) AS subject, HEX(comments) AS comments FROM tickets WHERE id = ?',
    [id],
  );
  expect(ticket!.name!.toLowerCase()).toBe('5a6fc3ab20f09fa68a204578616d706c65');
  expect(ticket!.subject!.toLowerCase()).toBe(
    '5072696e746572206f6e206669726520f09f94a5f09f96a8efb88f20616761696e',
  );
  expect(ticket!.comments!.toLowerCase()).toBe(
    '5465616d3a20f09f91a9e2808df09f92bbf09f91a8e2808df09f94a7207c20666c616720f09f87b3f09f87bf207c20434a4b206578742d4220f0a09c8ef0a09cb1207c206d61746820f09d9498f09d94ab207c20736b696e20746f6e6520f09f918df09f8fbd207c20656e642e',
  );
  const [field] = await stack.query<{ value: string }>(
    'SELECT HEX(value) AS value FROM ticket_field_values WHERE ticket_id = ? AND field_id = 1',
    [id],
  );
  expect(field!.value.toLowerCase()).toBe('f09f8eab20233432');
});

test('16 identical tickets all stored', async () => {
  const before = (await countRows()).tickets;

  const first = await post(stack.url, fixture('16-identical-tickets.xml'));
  const second = await post(stack.url, fixture('16-identical-tickets.xml'));

  for (const response of [first, second]) {
    expect(response.httpStatus).toBe(200);
    expect(response.results.map((result) => result.status)).toEqual(['OK', 'OK', 'OK']);
  }
  const ids = [...first.results, ...second.results].map((result) => result.ticketId);
  expect(new Set(ids).size).toBe(6);
  expect((await countRows()).tickets - before).toBe(6);
});

test('17 fifth ticket rejected, four stored', async () => {
  const before = (await countRows()).tickets;

  const response = await post(stack.url, fixture('17-batch-fifth-ticket-invalid.xml'));

  expect(response.httpStatus).toBe(200);
  expect(response.results.map((result) => result.status)).toEqual(['OK', 'OK', 'OK', 'OK', 'ERROR']);
  const rejected = response.results[4]!;
  expect(rejected.index).toBe(5);
  expect(rejected.reason).toMatch(/ticket 5/);
  expect(rejected.reason).toMatch(/email/);
  expect(rejected.reason).toContain('juno.example.com');
  expect(response.ticketId).toBe(response.results[3]!.ticketId);
  expect((await countRows()).tickets - before).toBe(4);

  const ids = response.results.slice(0, 4).map((result) => result.ticketId);
  const rows = await stack.query<{ id: number; name: string; email: string; priority_id: number }>(
    `SELECT id, name, email, priority_id FROM tickets WHERE id IN (${ids.join(',')})`,
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  expect(byId.get(ids[0]!)!.email).toBe('fern+billing@example.com');
  expect(byId.get(ids[2]!)!.email).toBe('Hazel.Example@Example.NET');
  expect(byId.get(ids[3]!)!.name).toBe("Ivy O'Example");
  expect(byId.get(ids[3]!)!.priority_id).toBe(2);
  const [juno] = await stack.query<{ count: number }>(
    "SELECT COUNT(*) AS count FROM tickets WHERE email = 'juno.example.com'",
  );
  expect(Number(juno!.count)).toBe(0);
});
