import pino from 'pino';
import { sweepStaging } from '../../services/worker/src/staging-sweep';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
});
afterAll(async () => {
  await stack.close();
});

test('sweep removes only old staged objects', async () => {
  await stack.store.put('staging/orphan/1', Buffer.from('left behind'), 'text/plain');
  await stack.store.put('tickets/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/1.txt', Buffer.from('stored'), 'text/plain');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await stack.store.put('staging/fresh/1', Buffer.from('still queued'), 'text/plain');

  const removed = await sweepStaging(stack.store, 1000, pino({ level: 'silent' }));

  expect(removed).toBe(1);
  const keys = (await stack.store.list('')).map((item) => item.key).sort();
  expect(keys).toEqual(['staging/fresh/1', 'tickets/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/1.txt']);
});
