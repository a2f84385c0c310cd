/**
 * A BullMQ worker that completes every job at once with a result shaped like a stored
 * ticket, for the raw queue round-trip baseline. Reads REDIS_URL, QUEUE_NAME and
 * WORKER_CONCURRENCY; sends `{ type: 'ready' }` over IPC once it is connected.
 */
import { Worker } from 'bullmq';
import { redisOptionsFromUrl, type TicketJobResult } from '@ticket-intake/shared';

async function main(): Promise<void> {
  const queueName = process.env.QUEUE_NAME;
  if (!queueName) throw new Error('QUEUE_NAME is not set');
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 100);

  const worker = new Worker<unknown, TicketJobResult>(
    queueName,
    async () => ({ status: 'stored', ticketId: 1, warnings: [], replayed: false }),
    { connection: redisOptionsFromUrl(redisUrl), concurrency },
  );
  worker.on('error', (error) => console.error('noop worker connection error:', error));
  await worker.waitUntilReady();

  const stop = () => {
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error('noop worker failed to start:', error);
  process.exit(1);
});
