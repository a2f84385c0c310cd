import { fixture, post } from '../support/http';
import { startStack, type TestStack } from '../support/stack';

const BODY_WITHOUT_KEY = fixture('04-utf8-bom.xml')
  .toString('utf8')
  .replace(/<api>[^<]*<\/api>/, '');

describe('labelled keys with allow-lists', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({
      API_KEYS: 'shop:key-of-the-shop,office:key-of-the-office,proxied:key-behind-proxy',
      API_KEY_ALLOWLISTS: 'office=10.0.0.0/8 2001:db8::/32;proxied=192.0.2.0/24',
      TRUSTED_PROXIES: '127.0.0.1,::1',
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('label recorded on the ticket', async () => {
    const response = await post(stack.url, BODY_WITHOUT_KEY, { headers: { 'X-API-Key': 'key-of-the-shop' } });

    expect(response.httpStatus).toBe(200);
    const [row] = await stack.query<{ api_key_label: string; caller_ip: string }>(
      'SELECT api_key_label, caller_ip FROM tickets WHERE id = ?',
      [response.results[0]!.ticketId],
    );
    expect(row!.api_key_label).toBe('shop');
    expect(row!.caller_ip).toMatch(/127\.0\.0\.1/);
  });

  test('caller outside the allow-list gets 403', async () => {
    const response = await post(stack.url, BODY_WITHOUT_KEY, { headers: { 'X-API-Key': 'key-of-the-office' } });

    expect(response.httpStatus).toBe(403);
    expect(response.reason).toMatch(/address not allowed for this key/);
  });

  test('forwarded address from a trusted proxy counts', async () => {
    const allowed = await post(stack.url, BODY_WITHOUT_KEY, {
      headers: { 'X-API-Key': 'key-behind-proxy', 'X-Forwarded-For': '192.0.2.44' },
    });
    const refused = await post(stack.url, BODY_WITHOUT_KEY, {
      headers: { 'X-API-Key': 'key-behind-proxy', 'X-Forwarded-For': '198.51.100.7' },
    });

    expect(allowed.httpStatus).toBe(200);
    expect(refused.httpStatus).toBe(403);
    const [row] = await stack.query<{ caller_ip: string }>('SELECT caller_ip FROM tickets WHERE id = ?', [
      allowed.results[0]!.ticketId,
    ]);
    expect(row!.caller_ip).toBe('192.0.2.44');
  });

  test('IPv6 allow-list entry matches', async () => {
    const response = await post(stack.url, BODY_WITHOUT_KEY, {
      headers: { 'X-API-Key': 'key-of-the-office', 'X-Forwarded-For': '2001:db8::17' },
    });

    expect(response.httpStatus).toBe(200);
  });
});

describe('untrusted forwarding header', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({
      API_KEYS: 'office:key-of-the-office',
      API_KEY_ALLOWLISTS: 'office=10.0.0.0/8',
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('X-Forwarded-For is ignored without TRUSTED_PROXIES', async () => {
    const response = await post(stack.url, BODY_WITHOUT_KEY, {
      headers: { 'X-API-Key': 'key-of-the-office', 'X-Forwarded-For': '10.1.2.3' },
    });

    expect(response.httpStatus).toBe(403);
  });
});
