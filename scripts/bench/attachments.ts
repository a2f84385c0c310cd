/** End-to-end time and peak memory of documents with one large attachment. */
import { timeRawPut } from './baselines';
import type { AttachmentDocument } from './documents';
import { XmlPoster } from './load';
import { PeakRssSampler, type PeakRss } from './proc-stats';
import type { BenchStack } from './stack';

const POST_TIMEOUT_MS = 120_000;

export interface AttachmentResult {
  rawBytes: number;
  documentBytes: number;
  /** Milliseconds from the first byte sent to the last byte of the response, per post. */
  endToEndMs: number[];
  /** Milliseconds of a plain putObject of the decoded bytes, one right after each post. */
  rawPutMs: number[];
  /** RSS of the gateway and the worker around each post. */
  rss: { gateway: PeakRss[]; worker: PeakRss[] };
}

/**
 * Posts the document `posts` times, each post followed by a plain putObject of the same
 * bytes, so each pair meets the same load. An unmeasured pair comes first, because the
 * first large post after a start also starts the decode thread.
 */
export async function measureAttachment(
  stack: BenchStack,
  attachment: AttachmentDocument,
  posts: number,
): Promise<AttachmentResult> {
  const poster = new XmlPoster(new URL('/api', stack.gatewayUrl), 1, POST_TIMEOUT_MS);
  const { gateway, worker } = stack.services;
  const result: AttachmentResult = {
    rawBytes: attachment.rawBytes,
    documentBytes: attachment.document.length,
    endToEndMs: [],
    rawPutMs: [],
    rss: { gateway: [], worker: [] },
  };

  const post = async () => {
    const reply = await poster.post(attachment.document);
    if (reply.status !== 200 || !reply.body.includes('<status>OK</status>')) {
      throw new Error(`the ${attachment.rawBytes}-byte attachment document got HTTP ${reply.status}: ${reply.body.slice(0, 500)}`);
    }
  };

  try {
    await post();
    await timeRawPut(stack, attachment.raw);
    for (let i = 0; i < posts; i++) {
      const sampler = new PeakRssSampler([
        { name: 'gateway', pid: gateway.pid },
        { name: 'worker', pid: worker.pid },
      ]);
      sampler.start();
      const started = performance.now();
      await post();
      const elapsed = performance.now() - started;
      const peaks = sampler.stop();

      result.endToEndMs.push(Math.round(elapsed));
      result.rss.gateway.push(peaks.gateway!);
      result.rss.worker.push(peaks.worker!);
      result.rawPutMs.push(await timeRawPut(stack, attachment.raw));
    }
  } finally {
    poster.close();
  }

  stack.assertRunning();
  return result;
}
