/**
 * Scale-out test without Docker. Runs N gateways and M workers as separate processes
 * behind Debian's nginx, against the local Redis and MariaDB and an embedded S3 server.
 * Then sends a bounded number of single-ticket requests through nginx and checks that
 * every request got 200, every ticket was stored exactly once, and every gateway and
 * every worker took part. Exits with code 0 when every check passes, 1 when one fails
 * and 2 for invalid options.
 *
 *   npm run scale-test -- --gateways 3 --workers 4
 *
 * All traffic goes to 127.0.0.1. The script creates a database, a queue and a temporary
 * directory of its own and removes them at the end, also after a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { createConnection } from 'mysql2/promise';
import { redisOptionsFromUrl } from '@ticket-intake/shared';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from './local-s3';
import { freePort } from './free-port';

// Compiled to scripts/dist, two levels below the repository root.
const root = path.resolve(__dirname, '..', '..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MYSQL_ROOT_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const API_KEY = 'scale-test-key';

const STARTUP_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const LOAD_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

const USAGE = `Usage: node scripts/dist/scale-out.js [options]

Options (each may also be set by the environment variable in brackets):
  --gateways N     gateway processes behind nginx, 1 to 16 (SCALE_GATEWAYS, default 2)
  --workers M      worker processes, 1 to 16 (SCALE_WORKERS, default 3)
  --requests R     single-ticket requests to send, 1 to 5000 (SCALE_REQUESTS, default 300)
  --concurrency C  requests in flight at once, 1 to 100 (SCALE_CONCURRENCY, default 20)
  --help           print this text

Redis and MariaDB are reached at TEST_REDIS_URL (default redis://127.0.0.1:6379) and
TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306), the same as the test suite.`;

function log(message: string): void {
  console.log(`[scale-out] ${message}`);
}

class UsageError extends Error {}

interface Options {
  gateways: number;
  workers: number;
  requests: number;
  concurrency: number;
}

function readCount(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new UsageError(`--${name} is invalid: expected a whole number from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

function readOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      gateways: { type: 'string' },
      workers: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;

  const env = process.env;
  return {
    gateways: readCount('gateways', values.gateways ?? env.SCALE_GATEWAYS, 2, 16),
    workers: readCount('workers', values.workers ?? env.SCALE_WORKERS, 3, 16),
    requests: readCount('requests', values.requests ?? env.SCALE_REQUESTS, 300, 5000),
    concurrency: readCount('concurrency', values.concurrency ?? env.SCALE_CONCURRENCY, 20, 100),
  };
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

const TAIL_LINES = 20;

/**
 * A gateway or worker process whose JSON log lines are counted by message, so the
 * script can tell how much work each process did.
 */
class ServiceProcess {
  readonly child: ChildProcess;
  private readonly messageCounts = new Map<string, number>();
  /** First log line of each message, so a wait that starts late still finds it. */
  private readonly firstLines = new Map<string, Record<string, unknown>>();
  private readonly waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  private readonly tail: string[] = [];
  private exited = false;

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [path.join(root, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.readLine(line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.keep(line));
    this.child.once('exit', () => {
      this.exited = true;
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  count(message: string): number {
    return this.messageCounts.get(message) ?? 0;
  }

  /** Last lines of output, for error messages. */
  recentOutput(): string {
    return this.tail.map((line) => `    ${line}`).join('\n');
  }

  /** Resolves with the first log line carrying `message`; rejects when the process exits first. */
  waitFor(message: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const seen = this.firstLines.get(message);
    if (seen) return Promise.resolve(seen);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} did not log "${message}" within ${timeoutMs} ms. Its last output:\n${this.recentOutput()}`));
      }, timeoutMs);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before it logged "${message}". Its last output:\n${this.recentOutput()}`));
      };
      this.child.once('exit', onExit);
      this.waiters.push({
        message,
        resolve: (line) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(line);
        },
      });
    });
  }

  /** Sends SIGTERM and waits for the exit; sends SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      log(`${this.name} (pid ${this.pid}) did not stop within ${timeoutMs} ms after SIGTERM; sending SIGKILL`);
      this.child.kill('SIGKILL');
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private keep(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private readLine(line: string): void {
    this.keep(line);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof entry.msg !== 'string') return;

    this.messageCounts.set(entry.msg, this.count(entry.msg) + 1);
    if (!this.firstLines.has(entry.msg)) this.firstLines.set(entry.msg, entry);
    for (const waiter of this.waiters.filter((candidate) => candidate.message === entry.msg)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  }
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

function findNginx(): string {
  const candidates = [...(process.env.PATH ?? '').split(':').filter((dir) => dir !== ''), '/usr/sbin']
    .map((dir) => path.join(dir, 'nginx'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error('nginx not found in PATH or /usr/sbin; install it with `apt-get install -y nginx` (scripts/setup.sh does)');
}

/** Writes an nginx.conf that spreads requests on `listenPort` over the gateways. */
function writeNginxConfig(directory: string, listenPort: number, gatewayPorts: number[]): string {
  const servers = gatewayPorts.map((port) => `        server 127.0.0.1:${port};`).join('\n');
  const temp = (name: string) => path.join(directory, name);
  const config = `worker_processes 1;
error_log ${temp('error.log')} warn;

events {
    worker_connections 512;
}

http {
    access_log off;
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};

    # Round robin, nginx's default, over every gateway.
    upstream gateways {
${servers}
        keepalive 32;
    }

    server {
        listen 127.0.0.1:${listenPort};

        location / {
            proxy_pass http://gateways;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 60s;
        }
    }
}
`;
  const file = path.join(directory, 'nginx.conf');
  writeFileSync(file, config);
  return file;
}

/** Polls `url` until it returns 200; fails early when `server` exits. */
async function waitForHttp(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`nginx exited (${server.signalCode ?? `code ${server.exitCode}`}) before ${url} responded; its messages are above`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not respond with 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------

function ticketDocument(subject: string, position: number): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<msapi>
  <api>${API_KEY}</api>
  <op>ticket</op>
  <tickets>
    <ticket>
      <name>Scale Test</name>
      <email>scale-test@example.com</email>
      <dept>1</dept>
      <subject>${subject}</subject>
      <comments>Request ${position} of the scale-out test.</comments>
    </ticket>
  </tickets>
</msapi>
`;
}

interface LoadResult {
  sent: number;
  /** Requests by outcome: an HTTP status, or the name of the error for requests without one. */
  outcomes: Map<string, number>;
  elapsedMs: number;
}

/**
 * Sends one request for each subject to `url`, `concurrency` at a time. Stops early
 * after LOAD_TIMEOUT_MS or when `stop` is aborted.
 */
async function sendLoad(url: string, subjects: string[], concurrency: number, stop: AbortSignal): Promise<LoadResult> {
  const outcomes = new Map<string, number>();
  const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const started = Date.now();
  const deadline = started + LOAD_TIMEOUT_MS;
  let next = 0;

  async function runLane(): Promise<void> {
    while (next < subjects.length && Date.now() < deadline && !stop.aborted) {
      const position = next++;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/xml' },
          body: ticketDocument(subjects[position]!, position + 1),
          signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        });
        await response.arrayBuffer();
        count(String(response.status));
      } catch (error) {
        count((error as Error).name);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, () => runLane()));
  return { sent: next, outcomes, elapsedMs: Date.now() - started };
}

/** Waits until `read` returns at least `expected`, or `timeoutMs` passes. */
async function waitForCount(read: () => number, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (read() < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------

interface Resources {
  directory: string;
  s3?: LocalS3;
  services: ServiceProcess[];
  nginx?: ChildProcess;
  database: string;
  queueName: string;
  /** Aborted on SIGINT or SIGTERM, to stop sending requests before the clean-up. */
  stopLoad: AbortController;
}

async function run(options: Options, resources: Resources): Promise<string[]> {
  const nginxBinary = findNginx();
  const runId = randomBytes(4).toString('hex');

  // nginx's worker processes run as an unprivileged user when the script runs as root,
  // and need to reach their temporary directories inside this one.
  chmodSync(resources.directory, 0o755);
  const s3Directory = path.join(resources.directory, 's3');
  mkdirSync(s3Directory);
  resources.s3 = await startLocalS3(s3Directory);

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    REDIS_URL,
    QUEUE_NAME: resources.queueName,
    S3_ENDPOINT: resources.s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    S3_BUCKET: 'scale-test-attachments',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    // Gateway
    HOST: '127.0.0.1',
    PORT: '0',
    API_KEY,
    // Other test files may use the shared Redis at the same time; the per-key limit is
    // not what this run measures.
    RATE_LIMIT_PER_SECOND: '0',
    // Worker
    DATABASE_URL: `${MYSQL_ROOT_URL}/${resources.database}`,
    WORKER_CONCURRENCY: '4',
    // Several workers on one machine cannot share the default port of their HTTP server.
    WORKER_HTTP_PORT: '0',
    WORKER_HTTP_HOST: '127.0.0.1',
  };

  // Created here, not by the workers: each worker creates a missing database at start,
  // and several of them starting at once race to create the same one.
  const sql = await createConnection(MYSQL_ROOT_URL);
  try {
    await sql.query(`CREATE DATABASE \`${resources.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await sql.end();
  }

  log(`starting ${options.workers} workers and ${options.gateways} gateways (queue ${resources.queueName}, database ${resources.database})`);
  const workers = Array.from(
    { length: options.workers },
    (_, i) => new ServiceProcess(`worker ${i + 1}`, 'services/worker/dist/main.js', env),
  );
  const gateways = Array.from(
    { length: options.gateways },
    (_, i) => new ServiceProcess(`gateway ${i + 1}`, 'services/gateway/dist/main.js', env),
  );
  resources.services.push(...workers, ...gateways);

  await Promise.all(workers.map((worker) => worker.waitFor('worker started', STARTUP_TIMEOUT_MS)));
  const gatewayPorts = await Promise.all(
    gateways.map(async (gateway) => Number((await gateway.waitFor('gateway listening', STARTUP_TIMEOUT_MS)).port)),
  );

  const nginxPort = await freePort();
  const config = writeNginxConfig(resources.directory, nginxPort, gatewayPorts);
  const nginxPid = path.join(resources.directory, 'nginx.pid');
  resources.nginx = spawn(nginxBinary, ['-c', config, '-p', resources.directory, '-g', `daemon off; pid ${nginxPid};`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const nginxUrl = `http://127.0.0.1:${nginxPort}`;
  await waitForHttp(`${nginxUrl}/healthz`, resources.nginx, 10_000);
  log(`nginx listens on ${nginxUrl} in front of gateways on ports ${gatewayPorts.join(', ')}`);

  const subjects = Array.from({ length: options.requests }, (_, i) => `scale-${runId}-${String(i + 1).padStart(5, '0')}`);
  const load = await sendLoad(`${nginxUrl}/api`, subjects, options.concurrency, resources.stopLoad.signal);
  const seconds = load.elapsedMs / 1000;
  log(
    `sent ${load.sent} of ${options.requests} requests, at most ${options.concurrency} in flight, in ${seconds.toFixed(1)} s ` +
      `(${(load.sent / seconds).toFixed(0)} requests/s)`,
  );

  // Gateways log after sending the response, so the last lines may still be on their way.
  const handled = () => gateways.reduce((sum, gateway) => sum + gateway.count('request handled'), 0);
  await waitForCount(handled, load.sent, 5000);

  const failures = await verify(options, subjects, load, gateways, workers, resources.database);
  if (failures.length > 0) printNginxErrors(path.join(resources.directory, 'error.log'));
  return failures;
}

/** Prints the last lines of nginx's error log, which name failed connections to gateways. */
function printNginxErrors(file: string): void {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return;
  }
  if (lines.length === 0) return;
  log(`last lines of the nginx error log:\n${lines.slice(-TAIL_LINES).map((line) => `    ${line}`).join('\n')}`);
}

/** Checks the outcome of the load; returns one line for each failed check. */
async function verify(
  options: Options,
  subjects: string[],
  load: LoadResult,
  gateways: ServiceProcess[],
  workers: ServiceProcess[],
  database: string,
): Promise<string[]> {
  const failures: string[] = [];

  const outcomes = [...load.outcomes].map(([outcome, count]) => `${outcome} x ${count}`).join(', ');
  log(`responses: ${outcomes}`);
  if (load.sent < options.requests) {
    failures.push(`only ${load.sent} of ${options.requests} requests were sent within ${LOAD_TIMEOUT_MS / 1000} s`);
  }
  const ok = load.outcomes.get('200') ?? 0;
  if (ok !== load.sent) failures.push(`${load.sent - ok} of ${load.sent} requests did not get 200 (${outcomes})`);

  for (const gateway of gateways) {
    const handled = gateway.count('request handled');
    log(`${gateway.name} (pid ${gateway.pid}): ${handled} requests handled`);
    if (handled === 0) failures.push(`${gateway.name} (pid ${gateway.pid}) handled no request`);
  }
  for (const worker of workers) {
    const stored = worker.count('ticket stored');
    log(`${worker.name} (pid ${worker.pid}): ${stored} tickets stored`);
    if (stored === 0) failures.push(`${worker.name} (pid ${worker.pid}) stored no ticket`);
  }

  const sql = await createConnection(`${MYSQL_ROOT_URL}/${database}`);
  try {
    const [rows] = await sql.query('SELECT subject, COUNT(*) AS copies FROM tickets GROUP BY subject');
    const copies = new Map((rows as { subject: string; copies: number }[]).map((row) => [row.subject, Number(row.copies)]));
    const sentSubjects = new Set(subjects.slice(0, load.sent));
    const missing = [...sentSubjects].filter((subject) => !copies.has(subject));
    const duplicated = [...copies].filter(([, count]) => count > 1).map(([subject]) => subject);
    const unexpected = [...copies.keys()].filter((subject) => !sentSubjects.has(subject));
    log(`database: ${copies.size} distinct subjects, ${missing.length} missing, ${duplicated.length} stored more than once`);
    if (missing.length > 0) failures.push(`${missing.length} tickets are not in the database, first ${missing[0]}`);
    if (duplicated.length > 0) failures.push(`${duplicated.length} tickets are stored more than once, first ${duplicated[0]}`);
    if (unexpected.length > 0) failures.push(`${unexpected.length} tickets in the database were never sent, first ${unexpected[0]}`);
  } finally {
    await sql.end();
  }

  return failures;
}

let cleaning: Promise<void> | undefined;

/**
 * Stops every process and removes the database, the queue keys and the directory.
 * Later calls return the promise of the first, so a signal during the clean-up at the
 * end does not start a second one.
 */
function cleanUp(resources: Resources): Promise<void> {
  cleaning ??= removeResources(resources);
  return cleaning;
}

async function removeResources(resources: Resources): Promise<void> {
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (error) {
      log(`cleaning up failed: ${what}: ${(error as Error).message}`);
    }
  };

  // nginx first, so the gateways get no new requests while they stop.
  const nginx = resources.nginx;
  if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
    await attempt('stopping nginx', () => {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      // SIGTERM is nginx's fast shutdown: it closes open connections without waiting.
      nginx.kill('SIGTERM');
      return exited;
    });
  }
  await attempt('stopping gateways and workers', () =>
    Promise.all(resources.services.map((service) => service.stop(STOP_TIMEOUT_MS))),
  );
  await attempt('stopping the S3 server', async () => resources.s3?.close());
  await attempt(`removing queue ${resources.queueName}`, async () => {
    const queue = new Queue(resources.queueName, { connection: redisOptionsFromUrl(new URL(REDIS_URL)) });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  });
  await attempt(`dropping database ${resources.database}`, async () => {
    const sql = await createConnection(MYSQL_ROOT_URL);
    try {
      await sql.query(`DROP DATABASE IF EXISTS \`${resources.database}\``);
    } finally {
      await sql.end();
    }
  });
  rmSync(resources.directory, { recursive: true, force: true });
}

async function main(): Promise<number> {
  let options: Options | undefined;
  try {
    options = readOptions();
  } catch (error) {
    if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw error;
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }

  const suffix = randomBytes(4).toString('hex');
  const resources: Resources = {
    directory: mkdtempSync(path.join(tmpdir(), 'ti-scale-')),
    services: [],
    database: `ti_scale_${suffix}`,
    queueName: `scale-${suffix}`,
    stopLoad: new AbortController(),
  };
  // A second Ctrl-C during clean-up ends the script at once.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal} received; stopping`);
    resources.stopLoad.abort();
    void cleanUp(resources).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let failures: string[];
  try {
    failures = await run(options, resources);
  } catch (error) {
    failures = [`the run failed: ${(error as Error).message}`];
  } finally {
    await cleanUp(resources);
  }

  if (failures.length > 0) {
    for (const failure of failures) log(`FAILED: ${failure}`);
    return 1;
  }
  log(`passed: ${options.requests} requests through nginx to ${options.gateways} gateways and ${options.workers} workers`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[scale-out] failed:', error);
    process.exit(1);
  },
);
