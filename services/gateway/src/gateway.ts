import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import {
  openObjectStore,
  cacheJobCounts,
  checkDependencies,
  GAUGED_JOB_STATES,
  redisOptionsFromUrl,
  type TicketJobData,
} from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { KeyRing } from './auth/key-ring';
import { FailedKeyThrottle } from './guards/failed-key-throttle';
import { RateLimiter } from './guards/rate-limiter';
import type { GatewayConfig } from './config';
import { createApp } from './http/app';
import { IdempotencyStore } from './intake/idempotency-store';
import { IntakeService } from './intake/intake-service';
import { DecodeThread } from './tickets/decode-thread';
import { JobWaiter } from './intake/job-waiter';
import { GatewayMetrics } from './observability/metrics';
import { RequestParser } from './xml/parse-request';

export interface RunningGateway {
  server: Server;
  /** Base URL, for example http://127.0.0.1:8080 */
  url: string;
  queue: Queue<TicketJobData>;
  metrics: GatewayMetrics;
  /** Stops accepting requests, lets those in flight finish within `graceMs`, then closes connections. */
  close(graceMs?: number): Promise<void>;
}

const HOUR_SECONDS = 3600;

/** Connects to Redis and the object store and starts the HTTP server. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const redis = redisOptionsFromUrl(config.redisUrl);
  const store = await openObjectStore(config);

  // Without an offline queue, commands fail at once while Redis is down, so requests get
  // a 503 instead of hanging until Redis returns.
  const queue = new Queue<TicketJobData>(config.queueName, {
    connection: { ...redis, enableOfflineQueue: false },
    prefix: config.queuePrefix,
    defaultJobOptions: {
      attempts: config.jobAttempts,
      backoff: { type: 'exponential', delay: config.jobBackoffMs, jitter: 0.5 },
      // Results stay readable for an hour, so a waiter that missed the event still finds them.
      removeOnComplete: { age: HOUR_SECONDS },
      removeOnFail: { age: 7 * 24 * HOUR_SECONDS },
    },
  });
  queue.setMaxListeners(0);
  queue.on('error', (error) => logger.error({ err: error }, 'queue connection error'));
  await queue.waitUntilReady();

  const events = new QueueEvents(config.queueName, { connection: redis, prefix: config.queuePrefix });
  events.on('error', (error) => logger.error({ err: error }, 'queue events connection error'));
  await events.waitUntilReady();

  // Rate limits, failed-key counts and idempotency records live next to the queue's keys.
  const redisClient = new IORedis({ ...redis, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  redisClient.on('error', (error) => logger.debug({ err: error }, 'redis client error'));
  await redisClient.connect();
  const keyPrefix = `${config.queuePrefix}:${config.queueName}:`;

  const metrics = new GatewayMetrics();
  metrics.watchQueue(cacheJobCounts(() => queue.getJobCounts(...GAUGED_JOB_STATES)), logger);

  const decodeThread = new DecodeThread(logger);
  const waiter = new JobWaiter(events);
  const intake = new IntakeService(queue, waiter, store, config.waitTimeoutMs);
  const app = createApp({
    config,
    keyRing: new KeyRing(config.apiKeys, config.apiKeyAllowLists),
    parser: new RequestParser(),
    intake,
    rateLimiter: new RateLimiter(redisClient, keyPrefix, config.rateLimitPerSecond, config.rateLimitBurst),
    failedKeys: new FailedKeyThrottle(redisClient, keyPrefix, config.failedKeyLimit, config.failedKeyWindowSeconds),
    idempotency: new IdempotencyStore(redisClient, keyPrefix, config.idempotencyTtlSeconds),
    logger,
    metrics,
    decodeThread,
    checkReady: () =>
      checkDependencies({
        redis: () => queue.count(),
        'object store': () => store.checkBucket(),
      }),
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    listening.once('error', reject);
  });
  // Large documents upload slowly; the wait for workers comes on top of the upload.
  server.requestTimeout = config.waitTimeoutMs + 120_000;

  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info({ port, keys: config.apiKeys.map((entry) => entry.label) }, 'gateway listening');

  async function close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(forced);
    await events.close();
    await queue.close();
    redisClient.disconnect();
    await decodeThread.close();
    logger.info('gateway stopped');
  }

  return { server, url: `http://${host}:${port}`, queue, metrics, close };
}
