import { attachmentPrefix, PENDING_PREFIX, type ObjectStore } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** Job ids are UUIDs made by the gateway; a marker with another name is left alone. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SweepResult {
  /** Stale markers looked at and removed. */
  markers: number;
  /** Attachment files removed because no ticket refers to them. */
  files: number;
}

/**
 * Removes the files of jobs that stored no ticket. A pending marker older than
 * `maxAgeMs` belongs either to a stored ticket whose marker removal failed, which keeps
 * its files, or to a job that never stored one: its gateway died before queueing it, or
 * a clean-up failed. A job still in the queue is far younger than the default age of
 * one day, so its files are never taken.
 */
export async function sweepUploads(
  store: ObjectStore,
  dataSource: Pick<DataSource, 'query'>,
  maxAgeMs: number,
  logger: Logger,
  now = Date.now(),
): Promise<SweepResult> {
  const cutoff = now - maxAgeMs;
  const stale = (await store.list(PENDING_PREFIX)).filter((item) => item.lastModified.getTime() < cutoff);
  const result: SweepResult = { markers: 0, files: 0 };

  for (const marker of stale) {
    const jobId = marker.key.slice(PENDING_PREFIX.length);
    if (!JOB_ID.test(jobId)) continue;

    const rows = (await dataSource.query('SELECT 1 FROM tickets WHERE job_id = ? LIMIT 1', [jobId])) as unknown[];
    if (rows.length === 0) {
      const files = await store.list(attachmentPrefix(jobId));
      for (const file of files) await store.remove(file.key);
      result.files += files.length;
    }
    await store.remove(marker.key);
    result.markers++;
  }

  if (result.markers > 0) logger.info(result, 'swept pending markers; files of jobs without a ticket were removed');
  return result;
}
