/**
 * The gateway's wait for a worker is bounded: with no worker, with many fast jobs whose
 * results are removed later, and while Redis restarts.
 */
import { fixture, post } from '../support/http';
import { PrivateRedis } from '../support/redis-server';
import { startStack, type TestStack } from '../support/stack';

const WAIT_MS = 2000;
const SLACK_MS = 2000;

function oneTicket(subject: string): string {
  return fixture('04-utf8-bom.xml')
    .toString('utf8')
    .replace(/<subject>[\s\S]*?<\/subject>/, `<subject>${subject}</subject>`);
}

async function ticketCount(stack: TestStack, subject: string): Promise<number> {
  const [row] = await stack.query<{ count: number }>('SELECT COUNT(*) AS count FROM tickets WHERE subject LIKE ?', [
    subject,
  ]);
  return Number(row!.count);
}

describe('20 A: no worker running', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ WAIT_TIMEOUT_MS: String(WAIT_MS) }, { worker: false });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('answers 503 in time and never stores the ticket later', async () => {
    const started = Date.now();
    const response = await post(stack.url, oneTicket('wait-20 part A'));
    const elapsed = Date.now() - started;

    expect(response.httpStatus).toBe(503);
    expect(elapsed).toBeLessThan(WAIT_MS + SLACK_MS);
    expect(response.reason).toMatch(/not created/);
    expect(response.results[0]!.status).toBe('ERROR');

    await stack.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await ticketCount(stack, 'wait-20 part A')).toBe(0);
    expect(await stack.gateway.queue.count()).toBe(0);
    expect(await stack.store.list('')).toEqual([]);
  });
});

describe('20 B: many fast jobs', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ WORKER_CONCURRENCY: '16' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('answers all 500 requests with 200', async () => {
    const total = 500;
    const inFlight = 50;
    const timeoutMs = Number(stack.env.WAIT_TIMEOUT_MS);
    const statuses: number[] = [];
    const slowest: number[] = [];
    let next = 0;

    async function client(): Promise<void> {
      while (next < total) {
        const n = next++;
        const started = Date.now();
        const response = await post(stack.url, oneTicket(`wait-20 #${n}`));
        slowest.push(Date.now() - started);
        statuses.push(response.httpStatus);
        expect(response.results[0]!.ticketId).toBeGreaterThan(0);
      }
    }
    await Promise.all(Array.from({ length: inFlight }, client));

    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(Math.max(...slowest)).toBeLessThan(timeoutMs);
    expect(await ticketCount(stack, 'wait-20 #%')).toBe(total);
  });
});

describe('20 C: Redis restarts while a request waits', () => {
  let redis: PrivateRedis;
  let stack: TestStack;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stack = await startStack({ REDIS_URL: redis.url, WAIT_TIMEOUT_MS: String(WAIT_MS) });
  });
  afterAll(async () => {
    await stack.close();
    await redis.stop();
  });

  test('answers in time and recovers without a restart', async () => {
    await stack.stopWorker();

    const started = Date.now();
    const pending = post(stack.url, oneTicket('wait-20 part C'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.restart();
    const response = await pending;

    expect(Date.now() - started).toBeLessThan(WAIT_MS + SLACK_MS);
    expect([200, 503]).toContain(response.httpStatus);
    if (response.httpStatus === 503) expect(response.reason).toMatch(/not created/);

    await stack.startWorker();
    const next = await post(stack.url, oneTicket('wait-20 after restart'));
    expect(next.httpStatus).toBe(200);
  });
});
