/**
 * Store faults are retried with backoff, invalid data is not retried, and a job that
 * fails for the last time keeps its reason in the failed list.
 */
import { fixture, post } from '../support/http';
import { ticketDocument } from '../support/load';
import { keysLeftUnder, startStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '100', WAIT_TIMEOUT_MS: '5000' });
});
afterAll(async () => {
  await stack.close();
});

test('invalid data is not retried', async () => {
  const response = await post(stack.url, ticketDocument(['unknown department']).replace('<dept>1</dept>', '<dept>9</dept>'));

  expect(response.httpStatus).toBe(422);
  expect(response.results[0]!.reason).toBe('ticket 1: dept: department 9 not found');
  const [job] = await stack.gateway.queue.getCompleted();
  expect(job!.attemptsMade).toBe(1);
  expect(job!.returnvalue).toEqual({ status: 'rejected', reason: 'dept: department 9 not found' });
});

test('failing store is retried, then kept as failed', async () => {
  // Without the history table every ticket transaction fails.
  await stack.query('RENAME TABLE ticket_history TO ticket_history_away');
  try {
    const response = await post(stack.url, ticketDocument(['store keeps failing']));

    expect(response.httpStatus).toBe(503);
    expect(response.results[0]!.reason).toMatch(/not created: .*ticket_history/);
    const [failed] = await stack.gateway.queue.getFailed();
    expect(failed!.attemptsMade).toBe(3);
    expect(failed!.failedReason).toMatch(/ticket_history/);
  } finally {
    await stack.query('RENAME TABLE ticket_history_away TO ticket_history');
  }
  const [row] = await stack.query<{ count: number }>("SELECT COUNT(*) AS count FROM tickets WHERE subject = 'store keeps failing'");
  expect(Number(row!.count)).toBe(0);
  expect(await keysLeftUnder(stack.store, 'pending/')).toEqual([]);
});

test('failed ticket leaves no objects', async () => {
  await stack.query('RENAME TABLE ticket_history TO ticket_history_away');
  try {
    const response = await post(stack.url, fixture('10-attachment-content-looks-base64.xml'));
    expect(response.httpStatus).toBe(503);
  } finally {
    await stack.query('RENAME TABLE ticket_history_away TO ticket_history');
  }
  // The clean-up after the last failure runs right after the response, so wait a moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const leftovers = (await stack.store.list('')).map((item) => item.key);
  expect(leftovers.filter((key) => !key.startsWith('tickets/'))).toEqual([]);
  const failedJobs = await stack.gateway.queue.getFailed();
  expect(failedJobs.length).toBeGreaterThan(0);
  for (const job of failedJobs) expect(leftovers.filter((key) => key.startsWith(`tickets/${job.id}/`))).toEqual([]);
});

test('store fault heals on a retry', async () => {
  await stack.query('RENAME TABLE ticket_history TO ticket_history_away');
  const pending = post(stack.url, ticketDocument(['store recovers']));
  // Heal the store once the first attempt has failed and the job waits for its retry.
  for (let i = 0; i < 200 && (await stack.gateway.queue.getDelayedCount()) === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await stack.query('RENAME TABLE ticket_history_away TO ticket_history');

  const response = await pending;
  expect(response.httpStatus).toBe(200);
  const job = (await stack.gateway.queue.getCompleted()).find((candidate) => candidate.data.ticket.subject === 'store recovers');
  expect(job!.attemptsMade).toBeGreaterThanOrEqual(2);
  const [row] = await stack.query<{ count: number }>("SELECT COUNT(*) AS count FROM tickets WHERE subject = 'store recovers'");
  expect(Number(row!.count)).toBe(1);
});

test('value the database refuses is not retried', async () => {
  // A narrower column plays the part of any value that passes the field rules but not the schema.
  await stack.query('DELETE FROM tickets');
  await stack.query('ALTER TABLE tickets MODIFY subject VARCHAR(5) NOT NULL');
  try {
    const response = await post(stack.url, ticketDocument(['too long for the column']));

    expect(response.httpStatus).toBe(422);
    expect(response.results[0]!.reason).toMatch(/the database refused a value: Data too long for column 'subject'/);
    const job = (await stack.gateway.queue.getCompleted()).find(
      (candidate) => candidate.data.ticket.subject === 'too long for the column',
    );
    expect(job!.attemptsMade).toBe(1);
  } finally {
    await stack.query('ALTER TABLE tickets MODIFY subject VARCHAR(250) NOT NULL');
  }
});
