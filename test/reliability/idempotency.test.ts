import type { Connection } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { fixture, post } from '../support/http';
import { startStack, TEST_API_KEY, type TestStack } from '../support/stack';

const DOCUMENT = fixture('16-identical-tickets.xml');

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ API_KEYS: 'shop:key-of-the-shop', WAIT_TIMEOUT_MS: '1500' });
});
afterAll(async () => {
  await stack.close();
});

async function ticketCount(): Promise<number> {
  const [row] = await stack.query<{ count: number }>('SELECT COUNT(*) AS count FROM tickets');
  return Number(row!.count);
}

test('repeat returns the first answer', async () => {
  const before = await ticketCount();
  const headers = { 'Idempotency-Key': 'order-1001' };

  const first = await post(stack.url, DOCUMENT, { headers });
  const second = await post(stack.url, DOCUMENT, { headers });

  expect(first.httpStatus).toBe(200);
  expect(second.httpStatus).toBe(200);
  expect(second.raw).toBe(first.raw);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(await ticketCount()).toBe(before + 3);
});

test('different body answers 409', async () => {
  const headers = { 'Idempotency-Key': 'order-1002' };
  await post(stack.url, DOCUMENT, { headers });

  const changed = DOCUMENT.toString('utf8').replace('<dept>1</dept>', '<dept> 1 </dept>');
  const conflict = await post(stack.url, changed, { headers });

  expect(conflict.httpStatus).toBe(409);
  expect(conflict.reason).toMatch(/different request body/);
});

test('concurrent duplicates store once', async () => {
  const before = await ticketCount();
  const headers = { 'Idempotency-Key': 'order-1003' };

  const answers = await Promise.all(Array.from({ length: 5 }, () => post(stack.url, DOCUMENT, { headers })));

  for (const answer of answers) {
    expect(answer.httpStatus).toBe(200);
    expect(answer.raw).toBe(answers[0]!.raw);
  }
  expect(await ticketCount()).toBe(before + 3);
});

test('same key of another API key is separate', async () => {
  const before = await ticketCount();
  const withoutKey = DOCUMENT.toString('utf8').replace(/<api>[^<]*<\/api>/, '');

  const first = await post(stack.url, withoutKey, {
    headers: { 'Idempotency-Key': 'order-1004', 'X-API-Key': TEST_API_KEY },
  });
  const other = await post(stack.url, withoutKey, {
    headers: { 'Idempotency-Key': 'order-1004', 'X-API-Key': 'key-of-the-shop' },
  });

  expect(first.httpStatus).toBe(200);
  expect(other.httpStatus).toBe(200);
  expect(other.headers.get('idempotent-replayed')).toBeNull();
  expect(await ticketCount()).toBe(before + 6);
});

test('overlong key answers 400', async () => {
  const response = await post(stack.url, DOCUMENT, { headers: { 'Idempotency-Key': 'k'.repeat(256) } });

  expect(response.httpStatus).toBe(400);
  expect(response.reason).toMatch(/Idempotency-Key/);
});

describe('a ticket still running when the wait ends', () => {
  let blocker: Connection;

  beforeAll(async () => {
    blocker = await createConnection(stack.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await blocker.end();
  });

  test('answers 504, then the final result on retry', async () => {
    const document = fixture('04-utf8-bom.xml')
      .toString('utf8')
      .replace(/<email>[^<]*<\/email>/, '<email>slow@example.com</email>');
    const headers = { 'Idempotency-Key': 'order-1005' };
    const before = await ticketCount();

    // An uncommitted account row with the same address makes the worker's insert wait.
    await blocker.beginTransaction();
    await blocker.query(
      "INSERT INTO accounts (name, email, email_normalized, language, timezone) VALUES ('Slow', 'slow@example.com', 'slow@example.com', 'english', 'UTC')",
    );
    const first = await post(stack.url, document, { headers });
    await blocker.rollback();

    expect(first.httpStatus).toBe(504);
    expect(first.results[0]!.status).toBe('PENDING');
    expect(first.results[0]!.reason).toMatch(/same Idempotency-Key for the final result/);

    const retry = await post(stack.url, document, { headers });
    expect(retry.httpStatus).toBe(200);
    expect(retry.results[0]!.ticketId).toBeGreaterThan(0);
    expect(await ticketCount()).toBe(before + 1);

    const again = await post(stack.url, document, { headers });
    expect(again.raw).toBe(retry.raw);
  });
});
