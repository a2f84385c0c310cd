/**
 * A worker is killed with SIGKILL in the middle of a 1,000-ticket load. Its jobs are
 * taken over by the other workers once their locks expire, and the unique job id keeps
 * a job that had already stored its ticket from storing it again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/local-s3';
import { sendAll, ticketDocument, ticketResults } from '../support/load';
import { startGatewayProcess, startWorkerProcess, type ServiceProcess } from '../support/processes';
import { TEST_API_KEY } from '../support/stack';
import { removeQueueKeys } from '../support/queue-keys';

const REQUESTS = 100;
const TICKETS_PER_REQUEST = 10;

let s3: LocalS3;
let s3Directory: string;
let sql: Connection;
let env: NodeJS.ProcessEnv;
const processes: ServiceProcess[] = [];
const database = `ti_crash_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  s3Directory = mkdtempSync(path.join(tmpdir(), 'ti-crash-s3-'));
  s3 = await startLocalS3(s3Directory);
  env = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    DATABASE_URL: `mysql://root@127.0.0.1:3306/${database}`,
    QUEUE_NAME: `crash-${database}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    API_KEY: TEST_API_KEY,
    WAIT_TIMEOUT_MS: '30000',
    WORKER_LOCK_MS: '2000',
    WORKER_CONCURRENCY: '8',
    RATE_LIMIT_PER_SECOND: '0',
  };
  processes.push(await startWorkerProcess(env));
  sql = await createConnection(`mysql://root@127.0.0.1:3306/${database}`);
});

afterAll(async () => {
  await Promise.all(processes.map((service) => service.kill()));
  await removeQueueKeys(env.REDIS_URL!, env.QUEUE_NAME!);
  await sql.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await sql.end();
  await s3.close();
  rmSync(s3Directory, { recursive: true, force: true });
});

test('killed worker loses and duplicates nothing', async () => {
  const { process: gateway, url } = await startGatewayProcess(env);
  processes.push(gateway);
  const victim = await startWorkerProcess(env);
  processes.push(victim);

  const documents = Array.from({ length: REQUESTS }, (_, r) => {
    const subjects = Array.from({ length: TICKETS_PER_REQUEST }, (_, i) => `crash ${r}-${i}`);
    return { subjects, body: ticketDocument(subjects) };
  });

  let killed = false;
  const answers = await sendAll(url, documents, 10, async (done) => {
    if (!killed && done >= REQUESTS / 3) {
      killed = true;
      await victim.kill();
      processes.push(await startWorkerProcess(env));
    }
  });
  expect(killed).toBe(true);

  const results = ticketResults(answers);
  expect(results).toHaveLength(REQUESTS * TICKETS_PER_REQUEST);
  const unexpected = results.filter((result) => !['OK', 'PENDING'].includes(result.status));
  expect(unexpected).toEqual([]);

  // Let pending tickets finish, then compare the database with the answers.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const [rows] = (await sql.query('SELECT id, subject, job_id FROM tickets')) as unknown as [
    { id: number; subject: string; job_id: string }[],
  ];
  const bySubject = new Map<string, number[]>();
  for (const row of rows) bySubject.set(row.subject, [...(bySubject.get(row.subject) ?? []), row.id]);

  const duplicates = [...bySubject].filter(([, ids]) => ids.length > 1);
  expect(duplicates).toEqual([]);
  expect(new Set(rows.map((row) => row.job_id)).size).toBe(rows.length);

  for (const result of results.filter((candidate) => candidate.status === 'OK')) {
    expect(bySubject.get(result.subject)).toEqual([result.ticketId]);
  }
  expect(rows.length).toBe(REQUESTS * TICKETS_PER_REQUEST);
}, 180_000);
