import { stagingKey, type ObjectStore, type StagedAttachment } from '@ticket-intake/shared';
import type { DecodedAttachment } from '../tickets/attachments';

/** Uploads at most this many attachments at once per request. */
const PARALLEL_UPLOADS = 4;

export interface StagingJob {
  jobId: string;
  attachments: DecodedAttachment[];
}

/**
 * Uploads every attachment to its staging key. When one upload fails, the ones already
 * uploaded are removed again and the error is thrown, so a failed request leaves no
 * staged objects behind.
 */
export async function stageAttachments(store: ObjectStore, jobs: StagingJob[]): Promise<Map<string, StagedAttachment[]>> {
  const tasks = jobs.flatMap((job) => job.attachments.map((attachment) => ({ jobId: job.jobId, attachment })));
  const uploaded: string[] = [];
  const staged = new Map<string, StagedAttachment[]>(jobs.map((job) => [job.jobId, []]));

  let next = 0;
  async function uploadNext(): Promise<void> {
    while (next < tasks.length) {
      const { jobId, attachment } = tasks[next++]!;
      const key = stagingKey(jobId, attachment.position);
      await store.put(key, attachment.bytes, attachment.mimeType, attachment.sha256);
      uploaded.push(key);

      const { bytes, ...described } = attachment;
      staged.get(jobId)!.push({ ...described, sizeBytes: bytes.length, stagingKey: key });
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, tasks.length) }, uploadNext));
  } catch (error) {
    await removeStaged(store, uploaded);
    throw error;
  }

  for (const list of staged.values()) list.sort((a, b) => a.position - b.position);
  return staged;
}

/** Removes staged objects, ignoring failures; the periodic sweep catches what is left. */
export async function removeStaged(store: ObjectStore, keys: string[]): Promise<void> {
  await Promise.allSettled(keys.map((key) => store.remove(key)));
}
