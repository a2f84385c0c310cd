import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import pino from 'pino';
import type { ObjectStore, TicketJobData } from '../../packages/shared/src';
import { RequestError } from '../../services/gateway/src/errors';
import { IntakeService } from '../../services/gateway/src/intake/intake-service';
import type { JobWaiter } from '../../services/gateway/src/intake/job-waiter';
import type { CheckedTicket } from '../../services/gateway/src/tickets/check-ticket';
import { startLocalStore, type LocalStore } from '../support/local-store';

let local: LocalStore;
let store: ObjectStore;

beforeAll(async () => {
  local = await startLocalStore('intake-upload');
  store = local.store;
});

afterAll(async () => {
  await local.close();
});

afterEach(async () => {
  for (const item of await store.list('')) await store.remove(item.key);
});

function ticketWithFile(): CheckedTicket {
  const bytes = Buffer.from('attached text');
  return {
    index: 1,
    ok: true,
    warnings: [],
    fields: {
      name: '',
      email: 'ada@example.com',
      departmentId: 1,
      subject: 'Subject',
      comments: 'Comments',
      priority: '',
      status: '',
      language: '',
      customFields: [],
    },
    attachments: [
      {
        position: 1,
        fileName: 'note.txt',
        ext: 'txt',
        mimeType: 'text/plain',
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes,
      },
    ],
  };
}

/** Returns a queue whose add always fails, with the given result of the removal that follows. */
function failingQueue(remove: () => Promise<number>, state = 'waiting'): Queue<TicketJobData> {
  const fail = () => Promise.reject(new Error('connection lost'));
  return { add: fail, addBulk: fail, remove, getJobState: () => Promise.resolve(state) } as unknown as Queue<TicketJobData>;
}

const waiter = { register: () => new Map(), forget: () => undefined } as unknown as JobWaiter;
const context = { requestId: 'r1', keyLabel: 'test', callerIp: '127.0.0.1', logger: pino({ level: 'silent' }), idempotent: false };

async function submitExpecting503(queue: Queue<TicketJobData>): Promise<string[]> {
  const intake = new IntakeService(queue, waiter, store, 1000);

  const error = await intake.submit([ticketWithFile()], context).catch((caught: unknown) => caught);

  expect(error).toBeInstanceOf(RequestError);
  expect((error as RequestError).status).toBe(503);
  return (await store.list('')).map((item) => item.key).sort();
}

describe('failed add', () => {
  test('removes files of a removed job', async () => {
    expect(await submitExpecting503(failingQueue(() => Promise.resolve(1)))).toEqual([]);
  });

  test('removes files of an unknown job', async () => {
    expect(await submitExpecting503(failingQueue(() => Promise.resolve(0), 'unknown'))).toEqual([]);
  });

  test('keeps files while the job may exist', async () => {
    const keys = await submitExpecting503(failingQueue(() => Promise.reject(new Error('still down'))));

    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^pending\/[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^tickets\/[0-9a-f-]{36}\/1\.txt$/);
  });
});
