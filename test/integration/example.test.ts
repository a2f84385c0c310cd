import { readFileSync } from 'node:fs';
import path from 'node:path';
import { post, sha256 } from '../support/http';
import { keysLeftUnder, startStack, TEST_API_KEY, type TestStack } from '../support/stack';

const EXAMPLE = readFileSync(path.join(__dirname, '..', '..', 'examples', 'add-ticket.xml'));

describe('examples/add-ticket.xml', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('stores both tickets with field and attachment', async () => {
    const response = await post(stack.url, EXAMPLE);

    expect(response.httpStatus).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(response.status).toBe('OK');
    expect(response.message).toBe('2 tickets added');
    expect(response.results.map((result) => result.status)).toEqual(['OK', 'OK']);
    const [first, second] = response.results.map((result) => result.ticketId!);
    expect(response.ticketId).toBe(second);

    // Workers store tickets in parallel, so ids need not follow document order.
    const tickets = await stack.query<{ id: number; subject: string; email: string; priority_id: number }>(
      'SELECT id, subject, email, priority_id FROM tickets ORDER BY id = ? DESC',
      [first],
    );
    expect(tickets).toEqual([
      { id: first, subject: 'Printer <on fire> in room 4.12', email: 'ada@example.com', priority_id: 3 },
      { id: second, subject: 'VPN drops every 20 minutes', email: 'grace+helpdesk@example.org', priority_id: 2 },
    ]);

    const fields = await stack.query('SELECT ticket_id, field_id, value FROM ticket_field_values');
    expect(fields).toEqual([{ ticket_id: first, field_id: 1, value: 'Order 4711' }]);

    const history = await stack.query<{ ticket_id: number; action: string }>(
      'SELECT ticket_id, action FROM ticket_history ORDER BY ticket_id = ? DESC',
      [first],
    );
    expect(history).toEqual([
      { ticket_id: first, action: 'created' },
      { ticket_id: second, action: 'created' },
    ]);

    const [attachment] = await stack.query<{ object_key: string; sha256: string; size_bytes: number; file_name: string }>(
      'SELECT object_key, sha256, size_bytes, file_name FROM attachments WHERE ticket_id = ?',
      [first],
    );
    expect(attachment!.file_name).toBe('service-invoice.pdf');
    const [ticket] = await stack.query<{ job_id: string }>('SELECT job_id FROM tickets WHERE id = ?', [first]);
    expect(attachment!.object_key).toBe(`tickets/${ticket!.job_id}/1.pdf`);

    const expected = Buffer.from(
      /<data>([\s\S]*?)<\/data>/.exec(EXAMPLE.toString('utf8'))![1]!.replace(/\s+/g, ''),
      'base64',
    );
    const stored = await stack.store.read(attachment!.object_key);
    expect(stored.equals(expected)).toBe(true);
    expect(attachment!.sha256).toBe(sha256(expected));
    expect(Number(attachment!.size_bytes)).toBe(expected.length);

    expect(await keysLeftUnder(stack.store, 'pending/')).toEqual([]);
  });

  test('job data holds no key or file bytes', async () => {
    const jobs = await stack.gateway.queue.getCompleted();
    expect(jobs.length).toBeGreaterThan(0);
    const base64 = /<data>([\s\S]*?)<\/data>/.exec(EXAMPLE.toString('utf8'))![1]!.trim().split(/\s+/)[0]!;

    for (const job of jobs) {
      const stored = JSON.stringify(job.data);
      expect(stored).not.toContain(TEST_API_KEY);
      expect(stored).not.toContain(base64);
      expect(job.data.keyLabel).toBe('default');
    }
  });
});
