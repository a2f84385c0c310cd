import { fixture, post } from '../support/http';
import { parseMetrics, sampleValue, scrape, type Sample } from '../support/metrics';
import { TEST_API_KEY, startStack, type TestStack } from '../support/stack';

const WITH_ATTACHMENTS = fixture('08-base64-line-wrapped.xml');
const UNKNOWN_DEPARTMENT = fixture('04-utf8-bom.xml').toString('utf8').replace('<dept>1</dept>', '<dept>999</dept>');

/** Scrapes `url` until `ready` accepts the samples, for counters that the worker updates after the gateway responds. */
async function scrapeUntil(url: string, ready: (samples: Sample[]) => boolean, timeoutMs = 5000): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrape(url);
    if (ready(samples) || Date.now() > deadline) return samples;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('metrics', () => {
  let stack: TestStack;
  let workerUrl: string;
  let attachmentBytes: number;

  beforeAll(async () => {
    stack = await startStack();
    workerUrl = `http://127.0.0.1:${stack.worker!.httpPort}`;

    const stored = await post(stack.url, WITH_ATTACHMENTS, { headers: { 'X-API-Key': TEST_API_KEY } });
    expect(stored.httpStatus).toBe(200);
    const rejected = await post(stack.url, UNKNOWN_DEPARTMENT);
    expect(rejected.httpStatus).toBe(422);
    const unauthorized = await post(stack.url, WITH_ATTACHMENTS, { headers: { 'X-API-Key': 'not-a-key' } });
    expect(unauthorized.httpStatus).toBe(401);
    const malformed = await post(stack.url, '<msapi><api>', { headers: { 'X-API-Key': TEST_API_KEY } });
    expect(malformed.httpStatus).toBe(400);
    const legacy = await post(stack.url, UNKNOWN_DEPARTMENT, { path: '/index.php?xml' });
    expect(legacy.httpStatus).toBe(422);
    expect((await fetch(`${stack.url}/no-such-page?token=abc`)).status).toBe(404);

    const [row] = await stack.query<{ bytes: string }>('SELECT SUM(size_bytes) AS bytes FROM attachments');
    attachmentBytes = Number(row!.bytes);
  });
  afterAll(async () => {
    await stack.close();
  });

  test('gateway times requests by route', async () => {
    const samples = await scrape(`${stack.url}/metrics`);
    const count = (labels: Record<string, string>) =>
      sampleValue(samples, 'ticket_intake_http_request_duration_seconds_count', labels);

    expect(count({ route: '/api', method: 'POST', status_code: '200' })).toBe(1);
    expect(count({ route: '/api', method: 'POST', status_code: '422' })).toBe(1);
    expect(count({ route: '/api', method: 'POST', status_code: '401' })).toBe(1);
    expect(count({ route: 'legacy', method: 'POST', status_code: '422' })).toBe(1);
    expect(count({ route: 'unmatched', method: 'GET', status_code: '404' })).toBe(1);
    const bucket = sampleValue(samples, 'ticket_intake_http_request_duration_seconds_bucket', {
      route: '/api',
      status_code: '200',
      le: '+Inf',
    });
    expect(bucket).toBe(1);
  });

  test('gateway route labels exclude URLs', async () => {
    const samples = await scrape(`${stack.url}/metrics`);
    const routes = new Set(samples.flatMap((sample) => (sample.labels.route ? [sample.labels.route] : [])));

    // The scrapes of the test before count as /metrics requests.
    expect([...routes].sort()).toEqual(['/api', '/metrics', 'legacy', 'unmatched']);
  });

  test('gateway counts ticket results and rejections', async () => {
    const samples = await scrape(`${stack.url}/metrics`);
    const results = (outcome: string) => sampleValue(samples, 'ticket_intake_ticket_results_total', { outcome });
    const rejections = (reason: string) => sampleValue(samples, 'ticket_intake_requests_rejected_total', { reason });

    expect(results('stored')).toBe(1);
    expect(results('rejected')).toBe(2);
    expect(results('not_created')).toBe(0);
    expect(results('pending')).toBe(0);
    expect(rejections('unauthorized')).toBe(1);
    expect(rejections('bad_xml')).toBe(1);
    expect(attachmentBytes).toBeGreaterThan(0);
    expect(sampleValue(samples, 'ticket_intake_attachment_bytes_uploaded_total')).toBe(attachmentBytes);
  });

  test('gateway exports queue gauges and process metrics', async () => {
    const samples = await scrape(`${stack.url}/metrics`);

    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(sampleValue(samples, 'ticket_intake_queue_jobs', { state })).toBe(0);
    }
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  test('gateway metrics have Prometheus content type', async () => {
    const response = await fetch(`${stack.url}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseMetrics(await response.text()).length).toBeGreaterThan(0);
  });

  test('worker counts stored and rejected tickets', async () => {
    const samples = await scrapeUntil(
      `${workerUrl}/metrics`,
      (current) => (sampleValue(current, 'ticket_intake_tickets_rejected_total', { field: 'dept' }) ?? 0) >= 2,
    );

    expect(sampleValue(samples, 'ticket_intake_tickets_stored_total')).toBe(1);
    expect(sampleValue(samples, 'ticket_intake_tickets_rejected_total', { field: 'dept' })).toBe(2);
    expect(sampleValue(samples, 'ticket_intake_attachment_bytes_stored_total')).toBe(attachmentBytes);
    expect(sampleValue(samples, 'ticket_intake_job_duration_seconds_count', { result: 'stored' })).toBe(1);
    expect(sampleValue(samples, 'ticket_intake_job_duration_seconds_count', { result: 'rejected' })).toBe(2);
    expect(sampleValue(samples, 'ticket_intake_job_failures_total', { outcome: 'retried' })).toBe(0);
    expect(sampleValue(samples, 'ticket_intake_job_failures_total', { outcome: 'final' })).toBe(0);
    expect(sampleValue(samples, 'ticket_intake_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  test('worker health and readiness answer 200', async () => {
    const health = await fetch(`${workerUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${workerUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  test('worker answers 404 to other paths', async () => {
    const response = await fetch(`${workerUrl}/api`);

    expect(response.status).toBe(404);
  });

  // Runs last: it removes the bucket.
  test('readiness names a missing bucket', async () => {
    for (const { key } of await stack.store.list('')) await stack.store.remove(key);
    await stack.store.client.removeBucket(stack.store.bucket);

    const worker = await fetch(`${workerUrl}/readyz`);
    expect(worker.status).toBe(503);
    expect(await worker.json()).toEqual({
      status: 'not ready',
      reason: 'object store: bucket "test-attachments" does not exist',
    });

    const gateway = await fetch(`${stack.url}/readyz`);
    expect(gateway.status).toBe(503);
    expect(await gateway.json()).toEqual({
      status: 'not ready',
      reason: 'object store: bucket "test-attachments" does not exist',
    });
  });
});
