import { Worker } from 'bullmq';
import { openObjectStore, redisOptionsFromUrl, uploadedKeys, type ObjectStore, type TicketJobData, type TicketJobResult } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CatalogCache } from './catalog/catalog-cache';
import type { WorkerConfig } from './config';
import { createDataSource, databasePoolSize, ensureDatabase, runMigrations } from './db/data-source';
import { startObservability, type WorkerObservability } from './observability/start-observability';
import { sweepUploads } from './upload-sweep';
import { createTicketProcessor } from './tickets/process-ticket-job';

export interface RunningWorker {
  worker: Worker<TicketJobData, TicketJobResult>;
  dataSource: DataSource;
  store: ObjectStore;
  /** Port of the HTTP server with /healthz, /readyz and /metrics. */
  httpPort: number;
  /** Stops taking jobs, waits up to `graceMs` for active ones, then closes connections. */
  close(graceMs?: number): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Prepares the database and the bucket, then starts consuming ticket jobs. */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<RunningWorker> {
  await ensureDatabase(config.databaseUrl);
  const dataSource = createDataSource(config.databaseUrl, databasePoolSize(config.workerConcurrency));
  await dataSource.initialize();
  const applied = await runMigrations(dataSource, config.databaseUrl);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const store = await openObjectStore(config);

  const processor = createTicketProcessor({
    dataSource,
    store,
    defaultTimezone: config.defaultTimezone,
    catalog: new CatalogCache(dataSource, config.catalogRefreshMs),
    logger,
  });

  const worker = new Worker<TicketJobData, TicketJobResult>(config.queueName, processor, {
    connection: redisOptionsFromUrl(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    lockDuration: config.workerLockMs,
    stalledInterval: config.workerLockMs,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker connection error'));
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const { requestId, keyLabel, index: ticketIndex } = job.data;
    const context = { jobId: job.id, requestId, keyLabel, ticketIndex, attempt: job.attemptsMade, attempts, err: error };
    if (job.attemptsMade < attempts) {
      logger.warn(context, 'ticket job failed; it will be retried');
      return;
    }
    logger.error(context, 'ticket job failed for the last time');
    // No ticket exists, so its files may not stay.
    void store.removeAll(uploadedKeys(job.id!, job.data.attachments));
  });
  await worker.waitUntilReady();

  let observability: WorkerObservability;
  try {
    observability = await startObservability({ config, worker, dataSource, store, logger });
  } catch (error) {
    await worker.close();
    await dataSource.destroy();
    throw error;
  }

  const sweep = () =>
    sweepUploads(store, dataSource, config.pendingUploadMaxAgeMs, logger).catch((error: unknown) =>
      logger.error({ err: error }, 'sweeping uploads of jobs without a ticket failed'),
    );
  const sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweepTimer.unref();
  void sweep();

  const { httpPort } = observability;
  logger.info({ concurrency: config.workerConcurrency, queue: config.queueName, httpPort }, 'worker started');

  async function close(graceMs = 30_000): Promise<void> {
    clearInterval(sweepTimer);
    const timer = setTimeout(() => {
      logger.warn({ graceMs }, 'active jobs did not finish in time; closing anyway, they will be retried');
      void worker.close(true);
    }, graceMs);
    await worker.close();
    clearTimeout(timer);
    await dataSource.destroy();
    await observability.close();
    logger.info('worker stopped');
  }

  return { worker, dataSource, store, httpPort, close };
}
