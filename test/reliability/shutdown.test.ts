/**
 * SIGTERM lets the gateway finish its requests in flight and the worker finish its
 * active jobs before they exit, so a deployment or scale-down loses nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { createConnection, type Connection } from 'mysql2/promise';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/local-s3';
import { post } from '../support/http';
import { ticketDocument } from '../support/load';
import { startGatewayProcess, startWorkerProcess, type ServiceProcess } from '../support/processes';
import { TEST_API_KEY } from '../support/stack';

let s3: LocalS3;
let s3Directory: string;
let env: NodeJS.ProcessEnv;
let queue: Queue;
const processes: ServiceProcess[] = [];
const database = `ti_shutdown_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  s3Directory = mkdtempSync(path.join(tmpdir(), 'ti-shutdown-s3-'));
  s3 = await startLocalS3(s3Directory);
  env = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    DATABASE_URL: `mysql://root@127.0.0.1:3306/${database}`,
    QUEUE_NAME: `shutdown-${database}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    API_KEY: TEST_API_KEY,
    WAIT_TIMEOUT_MS: '3000',
    RATE_LIMIT_PER_SECOND: '0',
  };
  queue = new Queue(env.QUEUE_NAME!, { connection: { host: '127.0.0.1', port: 6379 } });
});

afterAll(async () => {
  await Promise.all(processes.map((service) => service.kill()));
  await queue.obliterate({ force: true });
  await queue.close();
  const sql = await createConnection('mysql://root@127.0.0.1:3306');
  await sql.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await sql.end();
  await s3.close();
  rmSync(s3Directory, { recursive: true, force: true });
});

test('gateway finishes its requests, then exits', async () => {
  const { process: gateway, url } = await startGatewayProcess(env);
  processes.push(gateway);

  // No worker runs, so the request waits the whole WAIT_TIMEOUT_MS.
  const inFlight = post(url, ticketDocument(['shutdown gateway']));
  await new Promise((resolve) => setTimeout(resolve, 300));
  gateway.signal('SIGTERM');

  const response = await inFlight;
  expect(response.httpStatus).toBe(503);
  expect(await gateway.exited).toBe(0);
  expect(gateway.lines.some((line) => line.includes('gateway stopped'))).toBe(true);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
});

describe('worker shutdown', () => {
  let blocker: Connection;

  afterAll(async () => {
    await blocker?.end();
  });

  test('worker finishes its job, then exits', async () => {
    const worker = await startWorkerProcess(env);
    processes.push(worker);
    const { process: gateway, url } = await startGatewayProcess({ ...env, WAIT_TIMEOUT_MS: '15000' });
    processes.push(gateway);

    // An uncommitted account with the same address keeps the job waiting inside the worker.
    blocker = await createConnection(env.DATABASE_URL!);
    await blocker.beginTransaction();
    await blocker.query(
      "INSERT INTO accounts (name, email, email_normalized, language, timezone) VALUES ('Held', 'held@example.com', 'held@example.com', 'english', 'UTC')",
    );
    const inFlight = post(url, ticketDocument(['shutdown worker'], 'held@example.com'));
    for (let i = 0; i < 100 && (await queue.getActiveCount()) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await queue.getActiveCount()).toBe(1);

    worker.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(worker.running).toBe(true);
    await blocker.rollback();

    expect(await worker.exited).toBe(0);
    const response = await inFlight;
    expect(response.httpStatus).toBe(200);
    const [rows] = await blocker.query("SELECT COUNT(*) AS count FROM tickets WHERE subject = 'shutdown worker'");
    expect(Number((rows as { count: number }[])[0]!.count)).toBe(1);
  });
});
