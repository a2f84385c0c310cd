import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { TicketJobData } from '../../packages/shared/src';
import * as storeModule from '../../services/worker/src/tickets/store-ticket';
import { storeTicket, storeTickets, type StoreDeps, type TicketToStore } from '../../services/worker/src/tickets/store-ticket';
import { TicketBatcher } from '../../services/worker/src/tickets/ticket-batcher';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let deps: StoreDeps;

beforeAll(async () => {
  stack = await startStack();
  deps = { dataSource: stack.worker!.dataSource, defaultTimezone: 'UTC' };
});
afterAll(async () => {
  await stack.close();
});

/** Returns a ticket for department 1 with one value of custom field 1 and one attachment. */
function ticket(email: string, subject = `batch ${randomUUID()}`): TicketToStore {
  const jobId = randomUUID();
  const data: TicketJobData = {
    requestId: 'req-batch',
    keyLabel: 'test',
    callerIp: '127.0.0.1',
    index: 1,
    ticket: {
      name: 'Batch Sender',
      email,
      departmentId: 1,
      subject,
      comments: 'Stored in a group.',
      priority: '',
      status: '',
      language: '',
      customFields: [{ fieldId: 1, value: `ref-${jobId}` }],
    },
    attachments: [
      {
        position: 1,
        fileName: 'note.txt',
        ext: 'txt',
        sizeBytes: 4,
        mimeType: 'text/plain',
        sha256: '0'.repeat(64),
        objectKey: `tickets/${jobId}/1.txt`,
      },
    ],
  };
  const resolved = { departmentId: 1, priorityId: 1, statusId: 1, language: 'english', customFields: data.ticket.customFields, warnings: [] };
  return { jobId, data, resolved };
}

async function rowsOfJob(jobId: string) {
  const [row] = await stack.query<{ id: number; account_id: number; subject: string }>(
    'SELECT id, account_id, subject FROM tickets WHERE job_id = ?',
    [jobId],
  );
  const values = await stack.query<{ value: string }>('SELECT value FROM ticket_field_values WHERE ticket_id = ?', [row?.id]);
  const files = await stack.query<{ object_key: string }>('SELECT object_key FROM attachments WHERE ticket_id = ?', [row?.id]);
  const history = await stack.query('SELECT id FROM ticket_history WHERE ticket_id = ?', [row?.id]);
  return { row, values: values.map((value) => value.value), files: files.map((file) => file.object_key), history: history.length };
}

describe('storeTickets', () => {
  test('stores every row of each ticket', async () => {
    const items = [ticket(`a-${randomUUID()}@example.com`), ticket(`b-${randomUUID()}@example.com`)];

    const results = await storeTickets(deps, items);

    for (const [i, item] of items.entries()) {
      const stored = await rowsOfJob(item.jobId);
      expect(results[i]!.ticketId).toBe(Number(stored.row!.id));
      expect(stored.row!.subject).toBe(item.data.ticket.subject);
      expect(stored.values).toEqual([`ref-${item.jobId}`]);
      expect(stored.files).toEqual([`tickets/${item.jobId}/1.txt`]);
      expect(stored.history).toBe(1);
    }
  });

  test('one new address gets one account', async () => {
    const local = `same-${randomUUID()}`;
    const items = [ticket(`${local}@example.com`), ticket(`${local.toUpperCase()}@EXAMPLE.COM`), ticket(`${local}@example.com`)];

    await storeTickets(deps, items);

    const accounts = await stack.query('SELECT id FROM accounts WHERE email_normalized = ?', [`${local}@example.com`]);
    expect(accounts).toHaveLength(1);
    for (const item of items) expect(Number((await rowsOfJob(item.jobId)).row!.account_id)).toBe(Number(accounts[0]!.id));
  });

  test('a failure stores nothing', async () => {
    const items = [ticket(`c-${randomUUID()}@example.com`), ticket(`d-${randomUUID()}@example.com`, 'x'.repeat(300))];

    await expect(storeTickets(deps, items)).rejects.toThrow(/subject/);

    expect((await rowsOfJob(items[0]!.jobId)).row).toBeUndefined();
  });
});

describe('TicketBatcher', () => {
  test('failed group stores one by one', async () => {
    const earlier = ticket(`e-${randomUUID()}@example.com`);
    const first = await storeTicket(deps, earlier.jobId, earlier.data, earlier.resolved);
    const batcher = new TicketBatcher(deps, pino({ level: 'silent' }));
    const fresh = ticket(`f-${randomUUID()}@example.com`);
    const tooLong = ticket(`g-${randomUUID()}@example.com`, 'y'.repeat(300));

    // The first two go out alone. The broken ticket and the last one form a group, which
    // fails, so both are stored one by one.
    const results = await Promise.allSettled([earlier, fresh, tooLong, ticket(`h-${randomUUID()}@example.com`)].map((item) => batcher.store(item)));

    expect(results[0]).toEqual({ status: 'fulfilled', value: { ...first, replayed: true } });
    expect(results[1]!.status).toBe('fulfilled');
    expect((await rowsOfJob(fresh.jobId)).row).toBeDefined();
    expect(results[2]!.status).toBe('rejected');
    expect((await rowsOfJob(tooLong.jobId)).row).toBeUndefined();
    expect(results[3]!.status).toBe('fulfilled');
  });

  test('shares transactions under load', async () => {
    const batcher = new TicketBatcher(deps, pino({ level: 'silent' }));
    const items = Array.from({ length: 40 }, () => ticket(`load-${randomUUID()}@example.com`));
    const groups = jest.spyOn(storeModule, 'storeTickets');
    const singles = jest.spyOn(storeModule, 'storeTicket');

    const results = await Promise.all(items.map((item) => batcher.store(item)));
    const sizes = groups.mock.calls.map(([, group]) => group.length);
    const singleCalls = singles.mock.calls.length;
    groups.mockRestore();
    singles.mockRestore();

    expect(new Set(results.map((result) => result.ticketId)).size).toBe(40);
    for (const item of items) expect((await rowsOfJob(item.jobId)).row).toBeDefined();
    // Two tickets go out alone, and the other 38 share one transaction.
    expect(singleCalls).toBe(2);
    expect(sizes).toEqual([38]);
  });
});
