import { runAdmin } from '../../services/worker/src/admin/run-admin';
import { post, type ApiResponse } from '../support/http';
import { startStack, TEST_API_KEY, type TestStack } from '../support/stack';

/** How long a change may take to reach the worker; the stack reloads the catalog every 200 ms. */
const PROPAGATION_LIMIT_MS = 5000;
const RETRY_INTERVAL_MS = 100;

function ticketFor(departmentId: number): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<msapi>
  <api>${TEST_API_KEY}</api>
  <op>ticket</op>
  <tickets>
    <ticket>
      <name>Ada Example</name>
      <email>ada@example.com</email>
      <dept>${departmentId}</dept>
      <subject>Catalog change test</subject>
      <comments>Sent while the admin tool changes department ${departmentId}.</comments>
    </ticket>
  </tickets>
</msapi>`;
}

/** POSTs the ticket until `accept` returns true or the limit passes; returns the last response. */
async function postUntil(
  url: string,
  body: string,
  accept: (response: ApiResponse) => boolean,
): Promise<{ response: ApiResponse; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const response = await post(url, body);
    const elapsedMs = Date.now() - started;
    if (accept(response) || elapsedMs > PROPAGATION_LIMIT_MS) return { response, elapsedMs };
    await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
  }
}

describe('admin changes in a running worker', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  async function admin(...argv: string[]): Promise<string[]> {
    const lines: string[] = [];
    const code = await runAdmin(argv, { dataSource: stack.worker!.dataSource, out: (line) => lines.push(line) });
    expect(lines[0]).not.toMatch(/^error:/);
    expect(code).toBe(0);
    return lines;
  }

  test('department add and disable', async () => {
    // Loads the catalog into the worker's cache before the change.
    const warmUp = await post(stack.url, ticketFor(1));
    expect(warmUp.httpStatus).toBe(200);

    const added = await admin('departments', 'add', 'Field service');
    const departmentId = Number(/^added department (\d+) /.exec(added[0]!)?.[1]);
    expect(departmentId).toBeGreaterThan(1);

    const accepted = await postUntil(stack.url, ticketFor(departmentId), (response) => response.httpStatus === 200);
    expect(accepted.response.httpStatus).toBe(200);
    expect(accepted.elapsedMs).toBeLessThanOrEqual(PROPAGATION_LIMIT_MS);
    const stored = await stack.query('SELECT department_id FROM tickets WHERE id = ?', [accepted.response.ticketId]);
    expect(stored).toEqual([{ department_id: departmentId }]);

    await admin('departments', 'disable', String(departmentId));

    const rejected = await postUntil(stack.url, ticketFor(departmentId), (response) => response.httpStatus === 422);
    expect(rejected.response.httpStatus).toBe(422);
    expect(rejected.elapsedMs).toBeLessThanOrEqual(PROPAGATION_LIMIT_MS);
    const reason = rejected.response.results[0]?.reason ?? '';
    expect(reason).toContain('dept');
    expect(reason).toContain(`department ${departmentId} is disabled`);
  });
});
