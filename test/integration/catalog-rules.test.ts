/**
 * Catalog rules that the worker applies: departments, priority levels, statuses,
 * languages, custom fields and accounts. The seeded catalog is extended in beforeAll.
 */
import { post, type ApiResponse } from '../support/http';
import { startStack, TEST_API_KEY, type TestStack } from '../support/stack';

/** Workers reload the catalog every 200 ms in tests (CATALOG_REFRESH_MS). */
const CATALOG_RELOAD_WAIT_MS = 300;
const CONCURRENT_REQUESTS = 50;

let stack: TestStack;
let addressCounter = 0;

beforeAll(async () => {
  stack = await startStack({ WORKER_CONCURRENCY: '8' });

  await stack.query(
    `INSERT INTO departments (id, name, enabled, sort_order)
     VALUES (2, 'Billing', 1, 2), (3, 'Archive', 0, 3), (4, 'Contracts', 1, 4)`,
  );
  await stack.query(
    `INSERT INTO priority_levels (id, marker, name, enabled, is_default, sort_order)
     VALUES (4, 'urgent', 'Urgent', 0, 0, 4)`,
  );
  await stack.query(
    `INSERT INTO ticket_statuses (id, marker, name, enabled, is_default, sort_order)
     VALUES (4, 'waiting', 'Waiting for customer', 0, 0, 4)`,
  );
  await stack.query(
    `INSERT INTO languages (id, marker, name, enabled, is_default, sort_order)
     VALUES (2, 'german', 'Deutsch', 1, 0, 2), (3, 'french', 'Français', 0, 0, 3)`,
  );
  await stack.query(
    `INSERT INTO custom_fields (id, label, field_type, options, required, enabled, sort_order) VALUES
       (2, 'Plan', 'select', '["Basic","Pro"]', 1, 1, 2),
       (3, 'Order number', 'text', '[]', 0, 1, 3),
       (4, 'Channels', 'checkbox', '["Email","Phone","Chat"]', 0, 1, 4),
       (5, 'Retired', 'text', '[]', 0, 0, 5)`,
  );
  await stack.query('INSERT INTO custom_field_departments (field_id, department_id) VALUES (2, 4), (3, 2), (4, 4), (5, 1)');

  await new Promise((resolve) => setTimeout(resolve, CATALOG_RELOAD_WAIT_MS));
});

afterAll(async () => {
  await stack.close();
});

type Fields = Record<string, string | undefined>;

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Returns a new address for each call, so every test creates its own account. */
function newAddress(label: string): string {
  addressCounter++;
  return `${label}-${addressCounter}@example.com`;
}

/** Builds a one-ticket document and leaves out every field set to undefined. */
function documentWith(overrides: Fields, customFields = ''): string {
  const fields: Fields = {
    name: 'Ada Example',
    email: newAddress('ada'),
    dept: '1',
    subject: 'Catalog rule test',
    comments: 'Checks one catalog rule.',
    ...overrides,
  };
  const elements = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `      <${name}>${escapeText(value)}</${name}>`);
  if (customFields !== '') elements.push(`      <customfields>${customFields}</customfields>`);

  return `<?xml version="1.0" encoding="utf-8"?>
<msapi>
  <api>${TEST_API_KEY}</api>
  <op>ticket</op>
  <tickets>
    <ticket>
${elements.join('\n')}
    </ticket>
  </tickets>
</msapi>`;
}

function send(overrides: Fields, customFields = ''): Promise<ApiResponse> {
  return post(stack.url, documentWith(overrides, customFields));
}

async function ticketCount(): Promise<number> {
  const [row] = await stack.query<{ count: number }>('SELECT COUNT(*) AS count FROM tickets');
  return Number(row!.count);
}

async function ticketRow(id: number) {
  const [row] = await stack.query<{
    department_id: number;
    priority_id: number;
    status_id: number;
    account_id: number;
    name: string;
    email: string;
  }>('SELECT department_id, priority_id, status_id, account_id, name, email FROM tickets WHERE id = ?', [id]);
  return row!;
}

async function fieldValues(ticketId: number): Promise<{ field_id: number; value: string }[]> {
  return stack.query('SELECT field_id, value FROM ticket_field_values WHERE ticket_id = ? ORDER BY field_id', [ticketId]);
}

async function accountsOf(email: string) {
  return stack.query<{ id: number; name: string; email: string; language: string }>(
    'SELECT id, name, email, language FROM accounts WHERE email_normalized = ?',
    [email.toLowerCase()],
  );
}

/** Returns the stored ticket id, failing with the response's reason when it was not stored. */
function storedId(response: ApiResponse): number {
  expect(response.results[0]?.reason).toBeUndefined();
  expect(response.httpStatus).toBe(200);
  expect(response.results[0]!.status).toBe('OK');
  return response.results[0]!.ticketId!;
}

/** Sends one ticket that must be rejected and checks that nothing was stored. */
async function expectRejected(overrides: Fields, customFields: string, reason: string): Promise<void> {
  const before = await ticketCount();

  const response = await send(overrides, customFields);

  expect(response.httpStatus).toBe(422);
  expect(response.status).toBe('ERROR');
  expect(response.ticketId).toBeUndefined();
  expect(response.reason).toBe(`ticket 1: ${reason}`);
  expect(response.results).toHaveLength(1);
  expect(response.results[0]!.status).toBe('ERROR');
  expect(response.results[0]!.reason).toBe(`ticket 1: ${reason}`);
  expect(await ticketCount()).toBe(before);
}

describe('departments', () => {
  test.each([
    { label: 'unknown', dept: '9', reason: 'dept: department 9 not found' },
    { label: 'disabled', dept: '3', reason: 'dept: department 3 is disabled' },
  ])('$label department rejected', async ({ dept, reason }) => {
    await expectRejected({ dept }, '', reason);
  });

  test('second department accepted', async () => {
    const id = storedId(await send({ dept: '2' }));

    expect((await ticketRow(id)).department_id).toBe(2);
  });
});

describe('priority levels', () => {
  test.each([
    { label: 'upper-case marker', priority: 'HIGH', expected: 3 },
    { label: 'name', priority: 'High', expected: 3 },
    { label: 'marker', priority: 'medium', expected: 2 },
    { label: 'id', priority: '3', expected: 3 },
    { label: 'padded marker', priority: ' Medium ', expected: 2 },
    { label: 'blank', priority: '  ', expected: 1 },
    { label: 'empty', priority: '', expected: 1 },
    { label: 'missing', priority: undefined, expected: 1 },
  ])('priority $label resolved', async ({ priority, expected }) => {
    const id = storedId(await send({ priority }));

    expect((await ticketRow(id)).priority_id).toBe(expected);
  });

  test.each([
    { label: 'unknown', priority: 'critical' },
    { label: 'disabled', priority: 'urgent' },
    { label: 'disabled id', priority: '4' },
    { label: 'unknown id', priority: '9' },
  ])('priority $label rejected', async ({ priority }) => {
    const reason = `priority: "${priority}" is not a known priority (use one of low, medium, high)`;

    await expectRejected({ priority }, '', reason);
  });
});

describe('ticket statuses', () => {
  test.each([
    { label: 'upper-case marker', status: 'OPEN', expected: 1 },
    { label: 'name', status: 'Closed', expected: 3 },
    { label: 'marker', status: 'close', expected: 2 },
    { label: 'id', status: '3', expected: 3 },
    { label: 'blank', status: ' ', expected: 1 },
    { label: 'missing', status: undefined, expected: 1 },
  ])('status $label resolved', async ({ status, expected }) => {
    const id = storedId(await send({ status }));

    expect((await ticketRow(id)).status_id).toBe(expected);
  });

  test.each([
    { label: 'unknown', status: 'pending' },
    { label: 'disabled', status: 'waiting' },
    { label: 'disabled name', status: 'Waiting for customer' },
    { label: 'unknown id', status: '7' },
  ])('status $label rejected', async ({ status }) => {
    const reason = `status: "${status}" is not a known status (use one of open, close, closed)`;

    await expectRejected({ status }, '', reason);
  });
});

describe('languages', () => {
  test.each([
    { label: 'marker', language: 'german', expected: 'german' },
    { label: 'upper-case marker', language: 'GERMAN', expected: 'german' },
    { label: 'name', language: 'Deutsch', expected: 'german' },
    { label: 'id', language: '2', expected: 'german' },
    { label: 'blank', language: ' ', expected: 'english' },
  ])('language $label for new account', async ({ language, expected }) => {
    const email = newAddress('lang');

    const response = await send({ email, language });

    storedId(response);
    expect(response.results[0]!.warnings).toEqual([]);
    const [account] = await accountsOf(email);
    expect(account!.language).toBe(expected);
  });

  test.each([
    { label: 'unknown', language: 'klingon' },
    { label: 'disabled', language: 'french' },
  ])('$label language warns, uses default', async ({ language }) => {
    const email = newAddress('lang');

    const response = await send({ email, language });

    storedId(response);
    expect(response.results[0]!.warnings).toEqual([
      `language: "${language}" is not configured; english is used for a new account`,
    ]);
    const [account] = await accountsOf(email);
    expect(account!.language).toBe('english');
  });
});

describe('custom fields', () => {
  test('text field value stored', async () => {
    const id = storedId(await send({ dept: '2' }, '<f3>A-100</f3>'));

    expect(await fieldValues(id)).toEqual([{ field_id: 3, value: 'A-100' }]);
  });

  test.each([
    { label: 'unknown id', xml: '<f99>x</f99>', warning: 'customfields: f99 ignored: there is no custom field 99' },
    { label: 'disabled field', xml: '<f5>x</f5>', warning: 'customfields: f5 ignored: there is no custom field 5' },
    {
      label: 'other department',
      xml: '<f3>A-100</f3>',
      warning: 'customfields: f3 ignored: field 3 does not apply to department 1',
    },
  ])('$label ignored with warning', async ({ xml, warning }) => {
    const response = await send({ dept: '1' }, `<f1>Order 4711</f1>${xml}`);

    const id = storedId(response);
    expect(response.results[0]!.warnings).toEqual([warning]);
    expect(await fieldValues(id)).toEqual([{ field_id: 1, value: 'Order 4711' }]);
  });

  test.each([
    { label: 'missing', xml: '', reason: 'customfields: f2 (Plan) is required' },
    { label: 'blank', xml: '<f2>  </f2>', reason: 'customfields: f2 (Plan) is required' },
    { label: 'outside options', xml: '<f2>Gold</f2>', reason: 'customfields: f2 (Plan): "Gold" is not one of Basic, Pro' },
    { label: 'in another case', xml: '<f2>pro</f2>', reason: 'customfields: f2 (Plan): "pro" is not one of Basic, Pro' },
    {
      label: 'two select values',
      xml: '<f2>Basic#####Pro</f2>',
      reason: 'customfields: f2 (Plan): "Basic#####Pro" is not one of Basic, Pro',
    },
    {
      label: 'bad checkbox value',
      xml: '<f2>Pro</f2><f4>Email#####Fax</f4>',
      reason: 'customfields: f4 (Channels): "Fax" is not one of Email, Phone, Chat',
    },
  ])('custom field $label rejected', async ({ xml, reason }) => {
    await expectRejected({ dept: '4' }, xml, reason);
  });

  test('select value in options stored', async () => {
    const id = storedId(await send({ dept: '4' }, '<f2>Pro</f2>'));

    expect(await fieldValues(id)).toEqual([{ field_id: 2, value: 'Pro' }]);
  });

  test('checkbox values stored joined', async () => {
    const id = storedId(await send({ dept: '4' }, '<f2>Basic</f2><f4>Email#####Chat</f4>'));

    expect(await fieldValues(id)).toEqual([
      { field_id: 2, value: 'Basic' },
      { field_id: 4, value: 'Email#####Chat' },
    ]);
  });

  test('required field other department', async () => {
    const id = storedId(await send({ dept: '2' }));

    expect(await fieldValues(id)).toEqual([]);
  });
});

describe('accounts', () => {
  test('existing account keeps name, language', async () => {
    const first = storedId(
      await send({ name: 'Kim Example', email: 'Kim.Example@Example.COM', language: 'german' }),
    );
    const second = storedId(
      await send({ name: 'K. Example', email: 'kim.example@example.com', language: 'english' }),
    );

    const accounts = await accountsOf('kim.example@example.com');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.name).toBe('Kim Example');
    expect(accounts[0]!.email).toBe('Kim.Example@Example.COM');
    expect(accounts[0]!.language).toBe('german');

    const firstRow = await ticketRow(first);
    const secondRow = await ticketRow(second);
    expect(firstRow.account_id).toBe(accounts[0]!.id);
    expect(secondRow.account_id).toBe(accounts[0]!.id);
    expect(firstRow.email).toBe('Kim.Example@Example.COM');
    expect(secondRow.email).toBe('kim.example@example.com');
    expect(secondRow.name).toBe('K. Example');
  });

  test('blank name uses e-mail', async () => {
    const email = newAddress('Blank.Name');

    const id = storedId(await send({ name: '  ', email }));

    expect((await ticketRow(id)).name).toBe(email);
    const [account] = await accountsOf(email);
    expect(account!.name).toBe(email);
  });

  test('blank name, longest e-mail', async () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email).toHaveLength(254);

    const id = storedId(await send({ name: undefined, email }));

    expect((await ticketRow(id)).name).toBe(email);
    const [account] = await accountsOf(email);
    expect(account!.name).toBe(email);
  });

  test('concurrent first tickets share account', async () => {
    const email = 'Rush.Hour@Example.com';

    const responses = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, (_, i) => send({ email, name: `Caller ${i}` })),
    );

    expect(responses.map((response) => response.httpStatus)).toEqual(Array(CONCURRENT_REQUESTS).fill(200));
    const accounts = await accountsOf(email);
    expect(accounts).toHaveLength(1);
    const [row] = await stack.query<{ tickets: number; accounts: number }>(
      'SELECT COUNT(*) AS tickets, COUNT(DISTINCT account_id) AS accounts FROM tickets WHERE email = ?',
      [email],
    );
    expect(Number(row!.tickets)).toBe(CONCURRENT_REQUESTS);
    expect(Number(row!.accounts)).toBe(1);
  });
});
