/**
 * Removes what a bench run created when the bench process dies without cleaning up, for
 * example after SIGKILL or when it runs out of memory. The bench starts the janitor
 * first and reports each database, queue and directory over IPC as it creates them.
 * After a normal end the bench sends `done`, and the janitor exits. When the IPC channel
 * closes without `done`, the janitor waits for the other children to stop, then drops
 * the database, removes the queues from Redis and deletes the directories. Reads
 * BENCH_MYSQL_URL and BENCH_REDIS_URL.
 */
import { rmSync } from 'node:fs';
import { Queue } from 'bullmq';
import { createConnection } from 'mysql2/promise';
import { redisOptionsFromUrl } from '@ticket-intake/shared';

export type TrackedResource = { kind: 'database' | 'queue' | 'directory'; name: string };

export type JanitorMessage = { type: 'track'; resource: TrackedResource } | { type: 'done' };

/** Time for the gateway and workers, which stop on the same event, to finish their jobs. */
const CHILDREN_STOP_MS = 20_000;

const resources: TrackedResource[] = [];

async function removeAll(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, CHILDREN_STOP_MS));
  for (const { kind, name } of resources) {
    try {
      if (kind === 'database') {
        const admin = await createConnection(process.env.BENCH_MYSQL_URL!);
        // A transaction left open would otherwise block the drop for a year (the default).
        await admin.query('SET SESSION lock_wait_timeout = 30');
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      } else if (kind === 'queue') {
        const queue = new Queue(name, { connection: redisOptionsFromUrl(new URL(process.env.BENCH_REDIS_URL!)) });
        await queue.obliterate({ force: true });
        await queue.close();
      } else {
        rmSync(name, { recursive: true, force: true });
      }
      console.error(`[bench janitor] removed ${kind} ${name} left by a bench that stopped without cleaning up`);
    } catch (error) {
      console.error(`[bench janitor] could not remove ${kind} ${name}:`, error);
    }
  }
}

// Ctrl-C reaches the whole process group. The bench cleans up itself and then sends `done`.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

process.on('message', (message: JanitorMessage) => {
  if (message.type === 'track') resources.push(message.resource);
  if (message.type === 'done') process.exit(0);
});
process.on('disconnect', () => {
  removeAll().finally(() => process.exit(0));
});
process.send?.({ type: 'ready' });
