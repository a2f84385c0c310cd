import { fixture, post } from '../support/http';
import { startStack, TEST_API_KEY, type TestStack } from '../support/stack';

const DOCUMENT = fixture('04-utf8-bom.xml');
const WRONG_KEY_DOCUMENT = DOCUMENT.toString('utf8').replace(TEST_API_KEY, 'not-the-key');

describe('per-key rate limit', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('answers 429 with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await post(stack.url, DOCUMENT));

    expect(statuses.map((response) => response.httpStatus)).toEqual([200, 200, 429]);
    const limited = statuses[2]!;
    expect(limited.reason).toMatch(/rate limit/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('failed key throttle', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ FAILED_KEY_LIMIT: '3', FAILED_KEY_WINDOW_SECONDS: '30' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('blocks an address after repeated wrong keys', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await post(stack.url, WRONG_KEY_DOCUMENT);
      expect(response.httpStatus).toBe(401);
      expect(response.reason).toBe('invalid API key');
    }

    const blocked = await post(stack.url, DOCUMENT);
    expect(blocked.httpStatus).toBe(429);
    expect(blocked.reason).toMatch(/wrong API key/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
