/**
 * The processes under test: the embedded S3 server, the worker, the gateway, the
 * direct-path server and a no-op BullMQ worker, each a child process of the bench, with
 * a database, queue names and an object directory of their own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createConnection, type Connection } from 'mysql2/promise';
import { ObjectStore, redisOptionsFromUrl } from '@ticket-intake/shared';
import { loadWorkerConfig } from '@ticket-intake/worker/dist/config';
import { LOCAL_S3_CREDENTIALS } from '../local-s3';
import type { Cleanup } from './cleanup';
import { ChildService, ROOT, waitUntil } from './processes';
import type { BenchSettings } from './settings';
import { freePort } from '../free-port';

const STOP_GRACE_MS = 20_000;
const START_TIMEOUT_MS = 60_000;
const BUCKET = 'bench-attachments';

export interface BenchStack {
  apiKey: string;
  database: string;
  gatewayUrl: string;
  directUrl: string;
  /** Jobs the worker, and the no-op worker, run at once. */
  workerConcurrency: number;
  /** Every child process of the bench, by role. */
  services: Record<'gateway' | 'worker' | 'direct' | 'noopWorker' | 's3rver', ChildService>;
  /** Process ids of the shared MariaDB and Redis servers, for CPU shares; undefined when not found. */
  serverPids: { mariadbd?: number; 'redis-server'?: number };
  /** Connection to the bench database. */
  db: Connection;
  /** Output of the Redis INFO command at start. */
  redisInfo: string;
  /** Queue and events of the no-op worker, for the raw round-trip baseline. */
  noopQueue: Queue;
  noopEvents: QueueEvents;
  store: ObjectStore;
  countTickets(): Promise<number>;
  /**
   * Microseconds Redis has spent running Lua scripts since it started, from INFO
   * commandstats. BullMQ adds, takes and completes jobs with Lua scripts.
   */
  redisScriptMicros(): Promise<number>;
  /** Waits until no ticket job is waiting or active, so one phase does not load the next. */
  waitForIdleQueue(timeoutMs?: number): Promise<void>;
  assertRunning(): void;
}

function mysqlDatabaseUrl(server: URL, database: string): string {
  const url = new URL(server.href);
  url.pathname = `/${database}`;
  return url.href;
}

function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function findServerPids(db: Connection, redisInfo: string): Promise<BenchStack['serverPids']> {
  const [rows] = await db.query('SELECT @@pid_file AS pidFile');
  const pidFile = (rows as { pidFile: string | null }[])[0]?.pidFile;
  const redisPid = Number(/^process_id:(\d+)/m.exec(redisInfo)?.[1]);
  return {
    mariadbd: pidFile ? readPidFile(pidFile) : undefined,
    'redis-server': Number.isInteger(redisPid) && redisPid > 0 ? redisPid : undefined,
  };
}

/** Starts every process of the bench; each step registers its undo with `cleanup` first. */
export async function startBenchStack(settings: BenchSettings, cleanup: Cleanup): Promise<BenchStack> {
  const suffix = randomBytes(4).toString('hex');
  const database = `ti_bench_${suffix}`;
  const queueName = `bench-${suffix}`;
  const noopQueueName = `bench-noop-${suffix}`;
  const apiKey = `bench-${randomBytes(12).toString('hex')}`;
  const script = (name: string) => path.join(ROOT, 'scripts', 'dist', 'bench', name);

  const directory = mkdtempSync(path.join(tmpdir(), 'ti-bench-'));
  cleanup.track({ kind: 'directory', name: directory });
  cleanup.add('remove the temporary directory', () => rmSync(directory, { recursive: true, force: true }));

  const s3rver = ChildService.start('s3rver', script('s3-server.js'), {
    env: { PATH: process.env.PATH },
    args: [path.join(directory, 's3')],
  });
  cleanup.add('stop the S3 server', () => s3rver.stop(STOP_GRACE_MS));
  const { endpoint } = (await s3rver.waitForReady(START_TIMEOUT_MS)) as unknown as { endpoint: string };

  cleanup.track({ kind: 'database', name: database });
  cleanup.add(`drop database ${database}`, async () => {
    const admin = await createConnection(settings.mysqlUrl.href);
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await admin.end();
    }
  });

  const redis = redisOptionsFromUrl(settings.redisUrl);
  cleanup.track({ kind: 'queue', name: queueName });
  cleanup.track({ kind: 'queue', name: noopQueueName });
  const serviceQueue = new Queue(queueName, { connection: redis });
  const noopQueue = new Queue(noopQueueName, { connection: redis });
  const noopEvents = new QueueEvents(noopQueueName, { connection: redis });
  // Every concurrent waitUntilFinished() adds listeners to the queue and its events.
  noopQueue.setMaxListeners(0);
  noopEvents.setMaxListeners(0);
  cleanup.add('remove the bench queues from Redis', async () => {
    for (const queue of [serviceQueue, noopQueue]) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await noopEvents.close();
  });

  const profileArgs = settings.cpuProfile ? ['--cpu-prof', '--cpu-prof-dir', path.join(ROOT, 'bench-results', 'profiles')] : [];
  const serviceEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // The memory setting of the container images (see Dockerfile), so the bench measures it.
    MALLOC_MMAP_THRESHOLD_: '131072',
    HOST: '127.0.0.1',
    REDIS_URL: settings.redisUrl.href,
    QUEUE_NAME: queueName,
    DATABASE_URL: mysqlDatabaseUrl(settings.mysqlUrl, database),
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    S3_BUCKET: BUCKET,
    API_KEY: apiKey,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // The per-key limit (200 requests/s by default) would cap the measured rate.
    RATE_LIMIT_PER_SECOND: '0',
    // The worker's health and metrics server takes a free port instead of 8081.
    WORKER_HTTP_PORT: '0',
    WORKER_HTTP_HOST: '127.0.0.1',
    ...(settings.workerConcurrency ? { WORKER_CONCURRENCY: settings.workerConcurrency } : {}),
  };
  const { workerConcurrency } = loadWorkerConfig(serviceEnv);

  // The worker creates and migrates the database, so it starts first.
  const worker = ChildService.start('worker', path.join(ROOT, 'services', 'worker', 'dist', 'main.js'), {
    env: serviceEnv,
    nodeArgs: profileArgs,
  });
  cleanup.add('stop the worker', () => worker.stop(STOP_GRACE_MS));
  await waitUntil('the worker to connect to the queue', START_TIMEOUT_MS, async () => {
    worker.assertRunning();
    return (await serviceQueue.getWorkersCount()) > 0;
  });

  const gatewayPort = await freePort();
  const gateway = ChildService.start('gateway', path.join(ROOT, 'services', 'gateway', 'dist', 'main.js'), {
    env: { ...serviceEnv, PORT: String(gatewayPort) },
    nodeArgs: profileArgs,
  });
  cleanup.add('stop the gateway', () => gateway.stop(STOP_GRACE_MS));
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitUntil('the gateway to report ready', START_TIMEOUT_MS, async () => {
    gateway.assertRunning();
    return (await fetch(`${gatewayUrl}/readyz`)).ok;
  });

  const direct = ChildService.start('direct', script('direct-server.js'), {
    env: { ...serviceEnv, PORT: '0' },
    nodeArgs: profileArgs,
  });
  cleanup.add('stop the direct-path server', () => direct.stop(STOP_GRACE_MS));
  const { url: directUrl } = (await direct.waitForReady(START_TIMEOUT_MS)) as unknown as { url: string };

  const noopWorker = ChildService.start('noop-worker', script('noop-worker.js'), {
    env: { ...serviceEnv, QUEUE_NAME: noopQueueName, WORKER_CONCURRENCY: String(workerConcurrency) },
  });
  cleanup.add('stop the no-op worker', () => noopWorker.stop(STOP_GRACE_MS));
  await noopWorker.waitForReady(START_TIMEOUT_MS);

  const db = await createConnection(mysqlDatabaseUrl(settings.mysqlUrl, database));
  cleanup.add('close the database connection', () => db.end());
  const statsClient = new Redis({ ...redis, lazyConnect: true });
  await statsClient.connect();
  cleanup.add('close the Redis statistics connection', async () => {
    await statsClient.quit();
  });
  const redisInfo = await statsClient.info();
  const serverPids = await findServerPids(db, redisInfo);

  const store = new ObjectStore({
    endpoint: new URL(endpoint),
    accessKey: LOCAL_S3_CREDENTIALS.accessKey,
    secretKey: LOCAL_S3_CREDENTIALS.secretKey,
    bucket: BUCKET,
    region: 'us-east-1',
  });

  const services = { gateway, worker, direct, noopWorker, s3rver };
  return {
    apiKey,
    database,
    gatewayUrl,
    directUrl,
    workerConcurrency,
    services,
    serverPids,
    db,
    redisInfo,
    noopQueue,
    noopEvents,
    store,
    async countTickets() {
      const [rows] = await db.query('SELECT COUNT(*) AS count FROM tickets');
      return Number((rows as { count: number }[])[0]!.count);
    },
    async redisScriptMicros() {
      const stats = await statsClient.info('commandstats');
      let micros = 0;
      for (const match of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=\d+,usec=(\d+)/gm)) micros += Number(match[1]);
      return micros;
    },
    async waitForIdleQueue(timeoutMs = 120_000) {
      await waitUntil('the ticket queue to empty', timeoutMs, async () => {
        const counts = await serviceQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((count) => count === 0);
      });
    },
    assertRunning() {
      for (const service of Object.values(services)) service.assertRunning();
    },
  };
}
