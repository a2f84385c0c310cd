import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import pino, { type Logger } from 'pino';
import { ObjectStore } from '@ticket-intake/shared';
import { loadGatewayConfig } from '../../services/gateway/src/config';
import { startGateway, type RunningGateway } from '../../services/gateway/src/gateway';
import { loadWorkerConfig } from '../../services/worker/src/config';
import { startWorker, type RunningWorker } from '../../services/worker/src/worker';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/local-s3';
import { removeQueueKeys } from './queue-keys';

export const TEST_API_KEY = 'test-key-0001';

/**
 * Returns the keys under `prefix` once none is left, or those still there after
 * `timeoutMs`. Workers remove pending markers right after they return a result, so a
 * test that reads the bucket just after a response waits for that.
 */
export async function keysLeftUnder(store: ObjectStore, prefix: string, timeoutMs = 2000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const keys = (await store.list(prefix)).map((item) => item.key);
    if (keys.length === 0 || Date.now() > deadline) return keys;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const MYSQL_ROOT_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestStack {
  url: string;
  gateway: RunningGateway;
  worker: RunningWorker | undefined;
  store: ObjectStore;
  /** Runs SQL in the stack's own database. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  env: NodeJS.ProcessEnv;
  startWorker(): Promise<RunningWorker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * Starts a gateway, a worker and an S3 server in this process, each stack with its own
 * database, queue name and bucket directory, so test files can run side by side. Both
 * services log to `options.logger`, which is silent unless TEST_LOG_LEVEL is set.
 */
export async function startStack(
  overrides: NodeJS.ProcessEnv = {},
  options: { worker?: boolean; logger?: Logger } = {},
): Promise<TestStack> {
  const logger = options.logger ?? silentLogger;
  const suffix = randomBytes(4).toString('hex');
  const database = `ti_test_${suffix}`;
  const s3Directory = mkdtempSync(path.join(tmpdir(), 'ti-s3-'));
  const s3: LocalS3 = await startLocalS3(s3Directory);

  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    HOST: '127.0.0.1',
    WORKER_HTTP_PORT: '0',
    REDIS_URL,
    DATABASE_URL: `${MYSQL_ROOT_URL}/${database}`,
    QUEUE_NAME: `test-${suffix}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    S3_BUCKET: 'test-attachments',
    API_KEY: TEST_API_KEY,
    WAIT_TIMEOUT_MS: '10000',
    CATALOG_REFRESH_MS: '200',
    WORKER_CONCURRENCY: '4',
    RATE_LIMIT_PER_SECOND: '0',
    ...overrides,
  };

  const sql = await createConnection(`${MYSQL_ROOT_URL}/?charset=utf8mb4`);
  let worker: RunningWorker | undefined;
  const launchWorker = async () => {
    worker = await startWorker(loadWorkerConfig(env), logger);
    await sql.changeUser({ database });
    return worker;
  };
  if (options.worker !== false) await launchWorker();
  const gateway = await startGateway(loadGatewayConfig(env), logger);

  const store = new ObjectStore({
    endpoint: new URL(s3.endpoint),
    accessKey: LOCAL_S3_CREDENTIALS.accessKey,
    secretKey: LOCAL_S3_CREDENTIALS.secretKey,
    bucket: env.S3_BUCKET!,
    region: 'us-east-1',
  });

  return {
    url: gateway.url,
    gateway,
    get worker() {
      return worker;
    },
    store,
    env,
    async query<T>(statement: string, params: unknown[] = []) {
      const [rows] = await sql.query(statement, params);
      return rows as T[];
    },
    startWorker: launchWorker,
    async stopWorker() {
      await worker?.close();
      worker = undefined;
    },
    async close() {
      await gateway.close(1000);
      await worker?.close();
      await removeQueueKeys(env.REDIS_URL!, env.QUEUE_NAME!);
      await sql.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await sql.end();
      await s3.close();
      rmSync(s3Directory, { recursive: true, force: true });
    },
  };
}
