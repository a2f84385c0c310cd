/**
 * A 15 MiB attachment (about 21.5 MB of wrapped base64): accepted, stored byte-equal,
 * and never carried through Redis. Uses a Redis server of its own so that its memory
 * figures are not disturbed by other test files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type IORedis from 'ioredis';
import { FIXTURES, post, sha256 } from '../support/http';
import { PrivateRedis } from '../support/redis-server';
import { startStack, type TestStack } from '../support/stack';

const SIZE = 15 * 1024 * 1024;
const EXPECTED_SHA256 = '336dd7e807d54c041e293d50272fa163f572900f7d46c4c1ea0b8ec6529f85a4';
const MIB = 1024 * 1024;

let redis: PrivateRedis;
let client: IORedis;
let stack: TestStack;
let directory: string;
let document: Buffer;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'ti-case18-'));
  const file = path.join(directory, '18-attachment-15mib.xml');
  execFileSync(process.execPath, [path.join(FIXTURES, 'gen', '18-big-attachment.mjs'), file], { stdio: 'ignore' });
  document = readFileSync(file);

  redis = await PrivateRedis.start();
  client = redis.client();
  stack = await startStack({ REDIS_URL: redis.url, WAIT_TIMEOUT_MS: '30000' });
});

afterAll(async () => {
  await stack.close();
  client.disconnect();
  await redis.stop();
  rmSync(directory, { recursive: true, force: true });
});

test('18 fifteen MiB attachment stored outside Redis', async () => {
  expect(document.length).toBe(21_523_941);
  const memoryBefore = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);

  const response = await post(stack.url, document);
  clearInterval(sampler);

  expect(response.httpStatus).toBe(200);
  expect(response.results).toHaveLength(1);
  const ticketId = response.results[0]!.ticketId!;

  const [row] = await stack.query<{ size_bytes: number; ext: string; object_key: string; sha256: string }>(
    'SELECT size_bytes, ext, object_key, sha256 FROM attachments WHERE ticket_id = ?',
    [ticketId],
  );
  expect(Number(row!.size_bytes)).toBe(SIZE);
  expect(row!.ext).toBe('dmp');
  expect(row!.sha256).toBe(EXPECTED_SHA256);
  const stored = await stack.store.read(row!.object_key);
  expect(stored.length).toBe(SIZE);
  expect(sha256(stored)).toBe(EXPECTED_SHA256);
  expect(await stack.store.list('staging/')).toEqual([]);

  const [job] = await stack.gateway.queue.getCompleted();
  const jobKey = `bull:${stack.env.QUEUE_NAME}:${job!.id}`;
  expect(await client.hstrlen(jobKey, 'data')).toBeLessThan(64 * 1024);
  expect(await client.hstrlen(jobKey, 'returnvalue')).toBeLessThan(1024);

  const memoryAfter = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
  expect(memoryAfter - memoryBefore).toBeLessThan(5 * MIB);
  // Gateway and worker share this process here, so this bounds both together.
  expect(peakRss).toBeLessThan(512 * MIB);
});
