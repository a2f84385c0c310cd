import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { sweepUploads } from '../../services/worker/src/upload-sweep';
import { post } from '../support/http';
import { startStack, type TestStack } from '../support/stack';

const EXAMPLE = readFileSync(path.join(__dirname, '..', '..', 'examples', 'add-ticket.xml'));

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

async function keysUnder(prefix: string): Promise<string[]> {
  return (await stack.store.list(prefix)).map((item) => item.key).sort();
}

async function putEmpty(key: string): Promise<void> {
  await stack.store.put(key, Buffer.alloc(0), 'application/octet-stream');
}

test('stored ticket leaves no marker', async () => {
  const response = await post(stack.url, EXAMPLE);
  expect(response.httpStatus).toBe(200);

  // The worker removes the marker right after it returns the result.
  for (let i = 0; i < 50 && (await keysUnder('pending/')).length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  expect(await keysUnder('pending/')).toEqual([]);
});

test('sweep removes only files without a ticket', async () => {
  const [attachment] = await stack.query<{ object_key: string; job_id: string }>(
    'SELECT a.object_key, t.job_id FROM attachments a JOIN tickets t ON t.id = a.ticket_id',
  );
  const stored = attachment!.job_id;
  const orphan = randomUUID();
  const fresh = randomUUID();
  // A stored ticket whose marker removal failed, a job that never stored its ticket, and
  // a marker that is not named by a job id.
  await putEmpty(`pending/${stored}`);
  await stack.store.put(`tickets/${orphan}/1.txt`, Buffer.from('left behind'), 'text/plain');
  await putEmpty(`pending/${orphan}`);
  await putEmpty('pending/not-a-job');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await stack.store.put(`tickets/${fresh}/1.txt`, Buffer.from('still queued'), 'text/plain');
  await putEmpty(`pending/${fresh}`);

  // The store may keep whole seconds only, so the sweep runs as if exactly 1 s had passed
  // since the fresh marker was written.
  const freshWritten = (await stack.store.list(`pending/${fresh}`))[0]!.lastModified.getTime();
  const database = { query: (sql: string, params?: unknown[]) => stack.query(sql, params) };

  const result = await sweepUploads(stack.store, database, 1000, pino({ level: 'silent' }), freshWritten + 1000);

  expect(result).toEqual({ markers: 2, files: 1 });
  expect(await keysUnder('pending/')).toEqual([`pending/${fresh}`, 'pending/not-a-job'].sort());
  const files = await keysUnder('tickets/');
  expect(files).toContain(attachment!.object_key);
  expect(files).toContain(`tickets/${fresh}/1.txt`);
  expect(files.filter((key) => key.startsWith(`tickets/${orphan}/`))).toEqual([]);
});
