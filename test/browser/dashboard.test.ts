/**
 * The queue dashboard in a real browser: Debian's Chromium, driven by playwright-core,
 * against a dashboard started in this process on the shared Redis.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { redisOptionsFromUrl, type TicketJobData } from '@ticket-intake/shared';
import { loadDashboardConfig, type EnabledDashboardConfig } from '../../services/dashboard/src/config';
import { startDashboard, type RunningDashboard } from '../../services/dashboard/src/dashboard';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.TEST_CHROMIUM_PATH ?? '/usr/bin/chromium';
const USER = 'operator';
const PASSWORD = 'dashboard-test-password';
const JOB_COUNT = 3;

interface CspViolation {
  blockedURI: string;
  directive: string;
}

function ticketJob(index: number): TicketJobData {
  return {
    requestId: `dashboard-test-request-${index}`,
    keyLabel: 'helpdesk',
    callerIp: '198.51.100.23',
    index,
    ticket: {
      name: 'Ada Example',
      email: `ada.private.${index}@Example.COM`,
      departmentId: 2,
      subject: `Private subject ${index}`,
      comments: 'Comments that an operator does not need to read',
      priority: '',
      status: '',
      language: '',
      customFields: [],
    },
    attachments: [
      {
        position: 1,
        fileName: 'invoice.pdf',
        ext: 'pdf',
        sizeBytes: 10,
        mimeType: 'application/pdf',
        sha256: '0'.repeat(64),
        objectKey: `tickets/dashboard-test-${index}/1.pdf`,
      },
    ],
  };
}

describe('queue dashboard in Chromium', () => {
  const queueName = `dashboard-test-${randomBytes(4).toString('hex')}`;
  let queue: Queue<TicketJobData>;
  let dashboard: RunningDashboard;
  let browser: Browser;

  beforeAll(async () => {
    queue = new Queue<TicketJobData>(queueName, { connection: redisOptionsFromUrl(new URL(REDIS_URL)) });
    for (let index = 1; index <= JOB_COUNT; index++) await queue.add('ticket', ticketJob(index));

    const config = loadDashboardConfig({
      REDIS_URL,
      QUEUE_NAME: queueName,
      DASHBOARD_USER: USER,
      DASHBOARD_PASSWORD: PASSWORD,
      DASHBOARD_PORT: '0',
      DASHBOARD_HOST: '127.0.0.1',
    });
    expect(config.credentials).not.toBeNull();
    dashboard = await startDashboard(config as EnabledDashboardConfig, pino({ level: 'silent' }));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close(1000);
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  /**
   * Opens a context that records Content-Security-Policy violations and aborts every
   * request to a host other than 127.0.0.1, recording its URL, so a page that slipped
   * past the policy still sends nothing off this machine.
   */
  async function openContext(credentials?: { username: string; password: string }) {
    const context: BrowserContext = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
    const offHostRequests: string[] = [];
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => {
        offHostRequests.push(route.request().url());
        return route.abort();
      },
    );
    // A string, because the test is compiled without the DOM types.
    await context.addInitScript({
      content: `
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => {
          window.cspViolations.push({ blockedURI: event.blockedURI, directive: event.effectiveDirective });
        });`,
    });
    return { context, page: await context.newPage(), offHostRequests };
  }

  test('shows queue and waiting count', async () => {
    const { context, page, offHostRequests } = await openContext({ username: USER, password: PASSWORD });
    try {
      const response = await page.goto(`${dashboard.url}/admin/queues`);
      expect(response?.status()).toBe(200);

      await page.locator(`a[title="${queueName}"]`).first().waitFor({ state: 'visible', timeout: 10_000 });
      const waitingTab = page.locator('a[href$="?status=waiting"]');
      await waitingTab.waitFor({ state: 'visible' });
      expect((await waitingTab.innerText()).replace(/\s+/g, ' ')).toMatch(new RegExp(`waiting ${JOB_COUNT}$`, 'i'));

      const violations = (await page.evaluate('window.cspViolations')) as CspViolation[];
      // The policy stops Bull Board's Google Fonts stylesheet and nothing else the UI loads.
      expect(violations).toHaveLength(1);
      expect(violations[0]!.blockedURI).toMatch(/^https:\/\/fonts\.googleapis\.com\//);
      expect(offHostRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('shows job summaries without personal data', async () => {
    const { context, page, offHostRequests } = await openContext({ username: USER, password: PASSWORD });
    try {
      await page.goto(`${dashboard.url}/admin/queues/queue/${queueName}?status=waiting`);
      const firstJob = page.getByText('dashboard-test-request-1');
      await firstJob.waitFor({ state: 'visible', timeout: 10_000 });

      const text = await page.locator('body').innerText();
      for (let index = 1; index <= JOB_COUNT; index++) {
        expect(text).toContain(`dashboard-test-request-${index}`);
      }
      expect(text).toContain('example.com');
      expect(text).toContain('attachmentCount');
      expect(text).not.toContain('ada.private');
      expect(text).not.toContain('Private subject');
      expect(text).not.toContain('198.51.100.23');
      expect(text).not.toContain('tickets/dashboard-test');
      expect(offHostRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('wrong password gets 401 without queue', async () => {
    const { context, page } = await openContext({ username: USER, password: 'wrong-password' });
    try {
      const response = await page.goto(`${dashboard.url}/admin/queues`);
      expect(response?.status()).toBe(401);
      expect(response?.headers()['www-authenticate']).toMatch(/^Basic realm=/);
      expect(await page.locator('body').innerText()).not.toContain(queueName);

      const api = await context.request.get(`${dashboard.url}/admin/queues/api/queues`);
      expect(api.status()).toBe(401);
      expect(await api.text()).not.toContain(queueName);
    } finally {
      await context.close();
    }
  });

  test('missing credentials get 401', async () => {
    // Chromium cancels an unanswered Basic challenge in a page (ERR_INVALID_AUTH_CREDENTIALS),
    // so the request goes through the context's API client.
    const { context } = await openContext();
    try {
      const response = await context.request.get(`${dashboard.url}/admin/queues`);
      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Basic realm=/);
      expect(await response.text()).not.toContain(queueName);
    } finally {
      await context.close();
    }
  });
});

describe('dashboard write access', () => {
  const queueName = `dashboard-write-test-${randomBytes(4).toString('hex')}`;
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  let queue: Queue<TicketJobData>;
  const dashboards: RunningDashboard[] = [];

  async function start(readOnly: boolean): Promise<RunningDashboard> {
    const config = loadDashboardConfig({
      REDIS_URL,
      QUEUE_NAME: queueName,
      DASHBOARD_USER: USER,
      DASHBOARD_PASSWORD: PASSWORD,
      DASHBOARD_PORT: '0',
      DASHBOARD_READ_ONLY: String(readOnly),
    });
    const dashboard = await startDashboard(config as EnabledDashboardConfig, pino({ level: 'silent' }));
    dashboards.push(dashboard);
    return dashboard;
  }

  function call(dashboard: RunningDashboard, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${dashboard.url}/admin/queues/api/queues/${queueName}${path}`, {
      method,
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    queue = new Queue<TicketJobData>(queueName, { connection: redisOptionsFromUrl(new URL(REDIS_URL)) });
    await queue.add('ticket', ticketJob(1), { jobId: 'job-1' });
  });

  afterAll(async () => {
    for (const dashboard of dashboards) await dashboard.close(1000);
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  test('read-only rejects queue actions', async () => {
    const dashboard = await start(true);

    const pause = await call(dashboard, 'PUT', '/pause');
    expect(pause.status).toBe(405);
    expect(await queue.isPaused()).toBe(false);
  });

  test('writable allows pause, not data edits', async () => {
    const dashboard = await start(false);

    const pause = await call(dashboard, 'PUT', '/pause');
    expect(pause.status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    const resume = await call(dashboard, 'PUT', '/resume');
    expect(resume.status).toBe(200);

    const add = await call(dashboard, 'POST', '/add', { name: 'ticket', data: {}, options: {} });
    expect(add.status).toBe(403);
    const edit = await call(dashboard, 'PATCH', '/job-1/update-data', { jobData: {} });
    expect(edit.status).toBe(403);
    const job = await queue.getJob('job-1');
    expect(job?.data.ticket.email).toBe('ada.private.1@Example.COM');
    expect(await queue.count()).toBe(1);
  });
});
