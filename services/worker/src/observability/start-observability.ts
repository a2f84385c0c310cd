import { Queue, type Worker } from 'bullmq';
import {
  GAUGED_JOB_STATES,
  cacheJobCounts,
  checkDependencies,
  redisOptionsFromUrl,
  type ObjectStore,
  type TicketJobData,
  type TicketJobResult,
} from '@ticket-intake/shared';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { WorkerConfig } from '../config';
import { startWorkerHttpServer } from './http-server';
import { WorkerMetrics } from './metrics';

export interface WorkerObservability {
  metrics: WorkerMetrics;
  /** Port of the HTTP server with /healthz, /readyz and /metrics. */
  httpPort: number;
  close(): Promise<void>;
}

export interface ObservedParts {
  config: WorkerConfig;
  worker: Worker<TicketJobData, TicketJobResult>;
  dataSource: DataSource;
  store: ObjectStore;
  logger: Logger;
}

/**
 * Counts the worker's job results and starts the HTTP server on WORKER_HTTP_PORT. Job
 * counts and the Redis probe use a queue connection of their own without an offline
 * queue, so they fail at once while Redis is down instead of waiting for it.
 */
export async function startObservability(parts: ObservedParts): Promise<WorkerObservability> {
  const { config, worker, dataSource, store, logger } = parts;

  const metrics = new WorkerMetrics();
  metrics.countJobs(worker);

  const queue = new Queue<TicketJobData>(config.queueName, {
    connection: { ...redisOptionsFromUrl(config.redisUrl), enableOfflineQueue: false },
    prefix: config.queuePrefix,
  });
  // The worker's own connection already logs each Redis outage as an error.
  queue.on('error', (error) => logger.debug({ err: error }, 'metrics queue connection error'));
  metrics.watchQueue(cacheJobCounts(() => queue.getJobCounts(...GAUGED_JOB_STATES)), logger);

  const checkReady = () =>
    checkDependencies({
      worker: async () => {
        if (!worker.isRunning()) throw new Error('not taking jobs: the worker is stopping or stopped');
      },
      redis: () => queue.count(),
      database: () => dataSource.query('SELECT 1'),
      'object store': () => store.checkBucket(),
    });

  let server;
  try {
    await queue.waitUntilReady();
    server = await startWorkerHttpServer({ port: config.workerHttpPort, host: config.workerHttpHost, metrics, checkReady, logger });
  } catch (error) {
    await queue.close();
    throw error;
  }

  return {
    metrics,
    httpPort: server.port,
    async close() {
      await server.close();
      await queue.close();
    },
  };
}
