/**
 * A 15 MiB attachment (about 21.5 MB of wrapped base64): accepted, stored byte-equal,
 * and never carried through Redis. The gateway and the worker run as processes of their
 * own, so their memory is measured apart from the test runner. Redis is a server of the
 * test's own, so other test files do not disturb its memory figures.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type IORedis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { ObjectStore } from '@ticket-intake/shared';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/local-s3';
import { FIXTURES, post, sha256 } from '../support/http';
import { startGatewayProcess, startWorkerProcess, type ServiceProcess } from '../support/processes';
import { PrivateRedis } from '../support/redis-server';
import { keysLeftUnder, TEST_API_KEY } from '../support/stack';

const SIZE = 15 * 1024 * 1024;
const EXPECTED_SHA256 = '336dd7e807d54c041e293d50272fa163f572900f7d46c4c1ea0b8ec6529f85a4';
const MIB = 1024 * 1024;
const QUEUE = 'case-18';
const DATABASE = `ti_case18_${randomBytes(4).toString('hex')}`;

let directory: string;
let document: Buffer;
let redis: PrivateRedis;
let client: IORedis;
let s3: LocalS3;
let store: ObjectStore;
let gateway: ServiceProcess;
let worker: ServiceProcess;
let url: string;

/** Peak resident memory of a process so far, from /proc (Linux). */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
}

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'ti-case18-'));
  const file = path.join(directory, '18-attachment-15mib.xml');
  execFileSync(process.execPath, [path.join(FIXTURES, 'gen', '18-big-attachment.mjs'), file], { stdio: 'ignore' });
  document = readFileSync(file);

  redis = await PrivateRedis.start();
  client = redis.client();
  s3 = await startLocalS3(path.join(directory, 's3'));
  const env = {
    REDIS_URL: redis.url,
    QUEUE_NAME: QUEUE,
    DATABASE_URL: `mysql://root@127.0.0.1:3306/${DATABASE}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    API_KEY: TEST_API_KEY,
    WAIT_TIMEOUT_MS: '30000',
  };
  worker = await startWorkerProcess(env);
  ({ process: gateway, url } = await startGatewayProcess(env));
  store = new ObjectStore({
    endpoint: new URL(s3.endpoint),
    accessKey: LOCAL_S3_CREDENTIALS.accessKey,
    secretKey: LOCAL_S3_CREDENTIALS.secretKey,
    bucket: 'ticket-attachments',
    region: 'us-east-1',
  });
}, 60_000);

afterAll(async () => {
  await gateway?.kill();
  await worker?.kill();
  client?.disconnect();
  await redis?.stop();
  await s3?.close();
  const sql = await createConnection('mysql://root@127.0.0.1:3306');
  await sql.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await sql.end();
  rmSync(directory, { recursive: true, force: true });
});

test('18 fifteen MiB attachment stored outside Redis', async () => {
  expect(document.length).toBe(21_523_941);
  const memoryBefore = await usedMemory();

  const response = await post(url, document);

  expect(response.httpStatus).toBe(200);
  expect(response.results).toHaveLength(1);
  const ticketId = response.results[0]!.ticketId!;

  const sql = await createConnection(`mysql://root@127.0.0.1:3306/${DATABASE}`);
  const [rows] = await sql.query('SELECT size_bytes, ext, object_key, sha256 FROM attachments WHERE ticket_id = ?', [
    ticketId,
  ]);
  await sql.end();
  const [row] = rows as { size_bytes: number; ext: string; object_key: string; sha256: string }[];
  expect(Number(row!.size_bytes)).toBe(SIZE);
  expect(row!.ext).toBe('dmp');
  expect(row!.sha256).toBe(EXPECTED_SHA256);
  const stored = await store.read(row!.object_key);
  expect(stored.length).toBe(SIZE);
  expect(sha256(stored)).toBe(EXPECTED_SHA256);
  expect(await keysLeftUnder(store, 'pending/')).toEqual([]);

  const [jobKey] = (await client.keys(`bull:${QUEUE}:*`)).filter((key) => /:[0-9a-f-]{36}$/.test(key));
  expect(await client.hstrlen(jobKey!, 'data')).toBeLessThan(64 * 1024);
  expect(await client.hstrlen(jobKey!, 'returnvalue')).toBeLessThan(1024);
  expect((await usedMemory()) - memoryBefore).toBeLessThan(5 * MIB);

  expect(peakRss(gateway.pid)).toBeLessThan(512 * MIB);
  expect(peakRss(worker.pid)).toBeLessThan(512 * MIB);
}, 120_000);
