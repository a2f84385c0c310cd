/**
 * Baselines without the service around them: a BullMQ round trip through a worker that
 * does nothing, and a plain putObject of attachment bytes to the embedded S3 server.
 */
import { randomUUID } from 'node:crypto';
import type { TicketJobData } from '@ticket-intake/shared';
import { runClosedLoop, runPaced, type ClosedLoopResult, type Operation, type PacedResult } from './load';
import { CpuMonitor, type CpuShares, type WatchedProcess } from './proc-stats';
import type { BenchSettings } from './settings';
import type { BenchStack } from './stack';
import { pacedSeconds } from './throughput';

const HOUR_SECONDS = 3600;
const WAIT_TIMEOUT_MS = 30_000;

/** Job data of the size and shape the gateway enqueues for a one-ticket document. */
function sampleJobData(sequence: number): TicketJobData {
  return {
    requestId: randomUUID(),
    keyLabel: 'default',
    callerIp: '127.0.0.1',
    index: 1,
    ticket: {
      name: `Bench Customer ${sequence}`,
      email: `customer-queue-${sequence}@example.com`,
      departmentId: 1,
      subject: 'Printer on floor 3 prints blank pages',
      comments: 'Since this morning every job comes out blank. Toner was replaced last week; the test page prints fine.',
      priority: 'medium',
      status: '',
      language: 'english',
      customFields: [{ fieldId: 1, value: `REF-${sequence}` }],
    },
    attachments: [],
  };
}

/** Adds one job with the gateway's job options and waits for the no-op worker to complete it. */
function queueRoundTrip(stack: BenchStack): Operation {
  let sequence = 0;
  return async () => {
    const job = await stack.noopQueue.add('ticket', sampleJobData(++sequence), {
      jobId: randomUUID(),
      removeOnComplete: { age: HOUR_SECONDS },
      removeOnFail: { age: HOUR_SECONDS },
    });
    await job.waitUntilFinished(stack.noopEvents, WAIT_TIMEOUT_MS);
    return true;
  };
}

export interface RawQueueResult {
  /** Round trips on as many concurrent loops as the single-ticket HTTP runs use connections. */
  closedLoop: ClosedLoopResult;
  /** CPU shares during the closed-loop round trips. */
  cpu: CpuShares;
  /** Round trips started at the rate of the queue path's half-load measurement. */
  atHalfLoad: PacedResult & { seconds: number };
}

export async function measureRawQueue(
  stack: BenchStack,
  settings: BenchSettings,
  halfLoadRate: number,
  watched: WatchedProcess[],
): Promise<RawQueueResult> {
  const monitor = new CpuMonitor(watched);
  monitor.start();
  const closedLoop = await runClosedLoop(queueRoundTrip(stack), {
    concurrency: settings.connections,
    durationSeconds: settings.seconds,
  });
  const cpu = monitor.stop();
  const seconds = pacedSeconds(settings, halfLoadRate);
  const paced = await runPaced(queueRoundTrip(stack), {
    rate: halfLoadRate,
    durationSeconds: seconds,
    maxInFlight: settings.maxInFlight,
  });
  stack.assertRunning();
  return { closedLoop, cpu, atHalfLoad: { ...paced, seconds } };
}

/** Milliseconds of one putObject of `bytes` to the bench bucket; the object is removed after. */
export async function timeRawPut(stack: BenchStack, bytes: Buffer): Promise<number> {
  const key = `bench-raw/${bytes.length}-${randomUUID()}`;
  const started = performance.now();
  await stack.store.client.putObject(stack.store.bucket, key, bytes, bytes.length, {
    'Content-Type': 'application/octet-stream',
  });
  const elapsed = Math.round(performance.now() - started);
  await stack.store.remove(key);
  return elapsed;
}
