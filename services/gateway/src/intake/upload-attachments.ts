import { attachmentKey, pendingMarkerKey, type ObjectStore, type UploadedAttachment } from '@ticket-intake/shared';
import type { DecodedAttachment } from '../tickets/attachments';

/** Uploads at most this many attachments at once per request. */
const PARALLEL_UPLOADS = 4;

export interface UploadJob {
  jobId: string;
  attachments: DecodedAttachment[];
}

/**
 * Uploads every attachment to its final key, after a pending marker for each job that
 * has attachments. The marker lets the worker's sweep find the files if the job never
 * stores its ticket, for instance when this gateway dies before queueing it. When one
 * upload fails, everything written so far is removed again and the error is thrown.
 */
export async function uploadAttachments(store: ObjectStore, jobs: UploadJob[]): Promise<Map<string, UploadedAttachment[]>> {
  const uploaded = new Map<string, UploadedAttachment[]>(jobs.map((job) => [job.jobId, []]));
  const withFiles = jobs.filter((job) => job.attachments.length > 0);
  const written: string[] = [];
  const tasks = withFiles.flatMap((job) => job.attachments.map((attachment) => ({ jobId: job.jobId, attachment })));

  let next = 0;
  async function uploadNext(): Promise<void> {
    while (next < tasks.length) {
      const { jobId, attachment } = tasks[next++]!;
      const key = attachmentKey(jobId, attachment.position, attachment.ext);
      await store.put(key, attachment.bytes, attachment.mimeType, attachment.sha256);
      written.push(key);

      const { bytes, ...described } = attachment;
      uploaded.get(jobId)!.push({ ...described, sizeBytes: bytes.length, objectKey: key });
    }
  }

  try {
    await Promise.all(
      withFiles.map(async ({ jobId }) => {
        const marker = pendingMarkerKey(jobId);
        await store.put(marker, Buffer.alloc(0), 'application/octet-stream');
        written.push(marker);
      }),
    );
    await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, tasks.length) }, uploadNext));
  } catch (error) {
    await store.removeAll(written);
    throw error;
  }

  for (const list of uploaded.values()) list.sort((a, b) => a.position - b.position);
  return uploaded;
}
