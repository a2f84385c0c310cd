/**
 * 50 first tickets from one new address, sent at once to two gateway processes in front
 * of two worker processes, create exactly one account: the unique index on the
 * lower-cased address decides, not a read before the write.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/local-s3';
import { post } from '../support/http';
import { ticketDocument } from '../support/load';
import { startGatewayProcess, startWorkerProcess, type ServiceProcess } from '../support/processes';
import { TEST_API_KEY } from '../support/stack';
import { removeQueueKeys } from '../support/queue-keys';

const REQUESTS = 50;
const DATABASE = `ti_accounts_${randomBytes(4).toString('hex')}`;

let directory: string;
let s3: LocalS3;
const processes: ServiceProcess[] = [];
const urls: string[] = [];

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'ti-accounts-'));
  s3 = await startLocalS3(directory);
  const env = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_NAME: `accounts-${DATABASE}`,
    DATABASE_URL: `mysql://root@127.0.0.1:3306/${DATABASE}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    API_KEY: TEST_API_KEY,
    WORKER_CONCURRENCY: '25',
    RATE_LIMIT_PER_SECOND: '0',
  };
  processes.push(await startWorkerProcess(env), await startWorkerProcess(env));
  for (let i = 0; i < 2; i++) {
    const { process: gateway, url } = await startGatewayProcess(env);
    processes.push(gateway);
    urls.push(url);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((service) => service.kill()));
  await removeQueueKeys('redis://127.0.0.1:6379', `accounts-${DATABASE}`);
  const sql = await createConnection('mysql://root@127.0.0.1:3306');
  await sql.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await sql.end();
  await s3.close();
  rmSync(directory, { recursive: true, force: true });
});

test('50 first tickets create one account', async () => {
  // The same address in varying case, as different forms of one customer would send it.
  const spellings = ['new.customer@example.com', 'New.Customer@Example.com', 'NEW.CUSTOMER@EXAMPLE.COM'];
  const answers = await Promise.all(
    Array.from({ length: REQUESTS }, (_, n) =>
      post(urls[n % urls.length]!, ticketDocument([`first ticket ${n}`], spellings[n % spellings.length])),
    ),
  );

  expect(answers.map((answer) => answer.httpStatus)).toEqual(Array(REQUESTS).fill(200));
  const sql = await createConnection(`mysql://root@127.0.0.1:3306/${DATABASE}`);
  try {
    const [accounts] = await sql.query("SELECT id FROM accounts WHERE email_normalized = 'new.customer@example.com'");
    expect(accounts).toHaveLength(1);
    const [tickets] = await sql.query('SELECT DISTINCT account_id FROM tickets');
    expect(tickets).toEqual([{ account_id: (accounts as { id: number }[])[0]!.id }]);
  } finally {
    await sql.end();
  }
}, 60_000);
