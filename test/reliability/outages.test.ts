/**
 * Redis, MariaDB and the object store go away while the service runs. Nothing is lost
 * or stored twice, the responses report what happened, and the same processes work again
 * once the dependency is back. Redis and MariaDB here are servers of the test's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/local-s3';
import { fixture, post } from '../support/http';
import { sendAll, ticketDocument, ticketResults } from '../support/load';
import { PrivateMariaDb } from '../support/private-mariadb';
import { PrivateRedis, freePort } from '../support/redis-server';
import { startGatewayProcess, startWorkerProcess, type ServiceProcess } from '../support/processes';
import { TEST_API_KEY } from '../support/stack';

let directory: string;
let redis: PrivateRedis;
let mariadb: PrivateMariaDb;
let s3: LocalS3;
let s3Port: number;
let gateway: ServiceProcess;
let worker: ServiceProcess;
let url: string;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'ti-outages-'));
  redis = await PrivateRedis.start(directory);
  mariadb = await PrivateMariaDb.start();
  s3Port = await freePort();
  s3 = await startLocalS3(path.join(directory, 's3'), s3Port);

  const env = {
    REDIS_URL: redis.url,
    DATABASE_URL: `${mariadb.url}/ticket_intake`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    API_KEY: TEST_API_KEY,
    WAIT_TIMEOUT_MS: '8000',
    JOB_BACKOFF_MS: '200',
  };
  worker = await startWorkerProcess(env);
  ({ process: gateway, url } = await startGatewayProcess(env));
}, 60_000);

afterAll(async () => {
  await gateway?.kill();
  await worker?.kill();
  await s3?.close();
  await redis?.stop();
  await mariadb?.destroy();
  rmSync(directory, { recursive: true, force: true });
});

async function withDatabase<T>(use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await createConnection(`${mariadb.url}/ticket_intake`);
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

/**
 * Sends `count` single-ticket requests and runs `disturb` after a third of them, then
 * checks that every ticket reported as stored exists exactly once and that no ticket
 * reported as not created exists.
 */
async function loadThrough(label: string, count: number, disturb: () => Promise<void>): Promise<void> {
  const documents = Array.from({ length: count }, (_, n) => {
    const subjects = [`${label} ${n}`];
    return { subjects, body: ticketDocument(subjects) };
  });
  let disturbed: Promise<void> | undefined;
  const answers = await sendAll(url, documents, 8, (done) => {
    if (!disturbed && done >= count / 3) disturbed = disturb();
  });
  await disturbed;
  // Pending tickets may still finish; give them the time of one wait.
  await new Promise((resolve) => setTimeout(resolve, 3000));

  const results = ticketResults(answers);
  const statuses = new Set(results.map((result) => result.status));
  for (const status of statuses) expect(['OK', 'ERROR', 'PENDING']).toContain(status);

  const rows = await withDatabase(async (connection) => {
    const [found] = await connection.query('SELECT id, subject FROM tickets WHERE subject LIKE ?', [`${label} %`]);
    return found as { id: number; subject: string }[];
  });
  const bySubject = new Map<string, number[]>();
  for (const row of rows) bySubject.set(row.subject, [...(bySubject.get(row.subject) ?? []), row.id]);

  expect([...bySubject].filter(([, ids]) => ids.length > 1)).toEqual([]);
  for (const result of results) {
    if (result.status === 'OK') expect(bySubject.get(result.subject)).toEqual([result.ticketId]);
    if (result.status === 'ERROR') expect(bySubject.get(result.subject)).toBeUndefined();
  }
  expect(results.filter((result) => result.status === 'OK').length).toBeGreaterThan(0);
}

async function expectWorkingAgain(label: string): Promise<void> {
  const response = await post(url, ticketDocument([label]));
  expect(response.httpStatus).toBe(200);
}

test('Redis restart loses and duplicates nothing', async () => {
  await loadThrough('redis-restart', 150, async () => {
    await redis.restart('SIGTERM');
  });
  await expectWorkingAgain('after redis restart');
  expect(gateway.running).toBe(true);
  expect(worker.running).toBe(true);
}, 120_000);

test('Redis down answers 503 within a second', async () => {
  await redis.stop('SIGTERM');
  try {
    const started = Date.now();
    const response = await post(url, ticketDocument(['while redis is down']));
    expect(response.httpStatus).toBe(503);
    expect(Date.now() - started).toBeLessThan(1500);
  } finally {
    await redis.start();
  }
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await expectWorkingAgain('after redis came back');
}, 60_000);

test('MariaDB restart loses and duplicates nothing', async () => {
  await loadThrough('mariadb-restart', 150, async () => {
    await mariadb.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await mariadb.start();
  });
  await expectWorkingAgain('after mariadb restart');
  expect(worker.running).toBe(true);
}, 120_000);

test('object store down answers 503 and stores nothing', async () => {
  const document = fixture('08-base64-line-wrapped.xml');
  const countTickets = () =>
    withDatabase(async (connection) => {
      const [rows] = await connection.query('SELECT COUNT(*) AS count FROM tickets');
      return Number((rows as { count: number }[])[0]!.count);
    });
  const before = await countTickets();

  await s3.close();
  try {
    const response = await post(url, document);
    expect(response.httpStatus).toBe(503);
    expect(response.reason).toMatch(/object store unavailable/);
    expect(await countTickets()).toBe(before);
  } finally {
    s3 = await startLocalS3(path.join(directory, 's3'), s3Port);
  }

  const again = await post(url, document);
  expect(again.httpStatus).toBe(200);
  expect(await countTickets()).toBe(before + 1);
}, 60_000);
