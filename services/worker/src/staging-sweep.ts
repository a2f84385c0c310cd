import { STAGING_PREFIX, type ObjectStore } from '@ticket-intake/shared';
import type { Logger } from 'pino';

/**
 * Removes staged attachments older than `maxAgeMs`. They belong to requests whose
 * gateway died between staging and enqueueing, or whose clean-up failed; a job still
 * in the queue is far younger than the default age of one day.
 */
export async function sweepStaging(store: ObjectStore, maxAgeMs: number, logger: Logger): Promise<number> {
  const cutoff = Date.now() - maxAgeMs;
  const stale = (await store.list(STAGING_PREFIX)).filter((item) => item.lastModified.getTime() < cutoff);
  for (const item of stale) await store.remove(item.key);
  if (stale.length > 0) logger.info({ removed: stale.length }, 'removed stale staged attachments');
  return stale.length;
}
