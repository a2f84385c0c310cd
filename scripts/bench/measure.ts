/** One pass over every measurement of the bench. */
import { measureAttachment, type AttachmentResult } from './attachments';
import { measureRawQueue, type RawQueueResult } from './baselines';
import { DocumentFactory, type AttachmentDocument } from './documents';
import type { CpuShares, WatchedProcess } from './proc-stats';
import type { BenchSettings } from './settings';
import type { BenchStack } from './stack';
import {
  measureCommittedThroughput,
  measureLatencyCurve,
  measurePacedLatency,
  type CommittedThroughput,
  type LoadPoint,
} from './throughput';

export interface RunMetrics {
  queue: { max: CommittedThroughput; latency: LoadPoint[] };
  direct: { max: CommittedThroughput; latency: LoadPoint[]; atQueueHalfLoad: LoadPoint };
  batch: CommittedThroughput;
  rawQueue: RawQueueResult;
  attachments: AttachmentResult[];
}

/** Lists the processes whose CPU use is recorded during the closed-loop runs. */
function watchedProcesses(stack: BenchStack): WatchedProcess[] {
  const { gateway, worker, direct, s3rver } = stack.services;
  const watched: WatchedProcess[] = [
    { name: 'gateway', pid: gateway.pid },
    { name: 'worker', pid: worker.pid },
    { name: 'direct', pid: direct.pid },
    { name: 's3rver', pid: s3rver.pid },
    { name: 'bench', pid: process.pid },
  ];
  for (const [name, pid] of Object.entries(stack.serverPids)) {
    if (pid !== undefined) watched.push({ name, pid });
  }
  return watched;
}

function describeShares(cpu: CpuShares): string {
  const shares = Object.entries(cpu.processPercent).map(([name, percent]) => `${name} ${percent}%`);
  return `${shares.join(', ')}, other processes ${cpu.otherPercent}%, machine ${cpu.machineBusyPercent}% busy`;
}

function describeThroughput(result: CommittedThroughput): string {
  return (
    `${result.ticketsPerSecond} tickets/s committed (${result.committedTickets} in ${result.seconds} s; ` +
    `HTTP 2xx ${result.http.responses2xx}, non-2xx ${result.http.non2xx}, errors ${result.http.errors}); ` +
    `CPU: ${describeShares(result.cpu)}; Redis scripts ${result.redisScriptMicrosPerTicket} µs per ticket`
  );
}

export async function measureOnce(
  stack: BenchStack,
  settings: BenchSettings,
  attachmentDocuments: AttachmentDocument[],
  run: number,
  log: (line: string) => void,
): Promise<RunMetrics> {
  const watched = watchedProcesses(stack);
  const documents = (phase: string) => new DocumentFactory(stack.apiKey, `r${run}${phase}`);

  // Attachments come first, so in the first run their idle RSS is that of freshly started
  // processes, not the heap left over from the load runs.
  const attachments: AttachmentResult[] = [];
  for (const document of attachmentDocuments) {
    log(`one ${document.rawBytes}-byte attachment (${document.document.length}-byte document), ${settings.attachmentPosts} posts`);
    const result = await measureAttachment(stack, document, settings.attachmentPosts);
    log(`  end to end ${result.endToEndMs.join(', ')} ms; raw putObject ${result.rawPutMs.join(', ')} ms`);
    attachments.push(result);
  }

  log(`queue path, one-ticket documents, ${settings.connections} connections`);
  const queueMax = await measureCommittedThroughput(stack, settings, {
    url: stack.gatewayUrl,
    connections: settings.connections,
    ticketsPerDocument: 1,
    documents: documents('q'),
    watched,
  });
  log(`  ${describeThroughput(queueMax)}`);

  log('queue path, latency at fractions of its maximum');
  const queueLatency = await measureLatencyCurve(stack, settings, {
    url: stack.gatewayUrl,
    maxRate: queueMax.ticketsPerSecond,
    documents: documents('ql'),
    log,
  });

  log(`direct path, one-ticket documents, ${settings.connections} connections`);
  const directMax = await measureCommittedThroughput(stack, settings, {
    url: stack.directUrl,
    connections: settings.connections,
    ticketsPerDocument: 1,
    documents: documents('d'),
    watched,
  });
  log(`  ${describeThroughput(directMax)}`);

  log('direct path, latency at fractions of its maximum');
  const directLatency = await measureLatencyCurve(stack, settings, {
    url: stack.directUrl,
    maxRate: directMax.ticketsPerSecond,
    documents: documents('dl'),
    log,
  });

  const halfLoadRate = queueLatency.find((point) => point.fraction === 0.5)?.offeredRate ?? queueMax.ticketsPerSecond / 2;
  log(`direct path at the queue path's half load, ${halfLoadRate}/s`);
  const directAtQueueHalfLoad = await measurePacedLatency(stack, settings, {
    url: stack.directUrl,
    rate: halfLoadRate,
    fraction: halfLoadRate / directMax.ticketsPerSecond,
    documents: documents('dh'),
  });
  log(`  p50 ${directAtQueueHalfLoad.latency.p50} ms, p99 ${directAtQueueHalfLoad.latency.p99} ms`);

  log(`raw queue round trip, ${settings.connections} loops, then ${halfLoadRate}/s`);
  const rawQueue = await measureRawQueue(stack, settings, halfLoadRate, [
    ...watched,
    { name: 'noop-worker', pid: stack.services.noopWorker.pid },
  ]);
  log(
    `  ${rawQueue.closedLoop.rate}/s, p50 ${rawQueue.closedLoop.latency.p50} ms, p99 ${rawQueue.closedLoop.latency.p99} ms; ` +
      `at ${halfLoadRate}/s: p50 ${rawQueue.atHalfLoad.latency.p50} ms, p99 ${rawQueue.atHalfLoad.latency.p99} ms; ` +
      `CPU: ${describeShares(rawQueue.cpu)}`,
  );

  log(`queue path, ${settings.batchSize}-ticket documents, ${settings.batchConnections} connections`);
  const batch = await measureCommittedThroughput(stack, settings, {
    url: stack.gatewayUrl,
    connections: settings.batchConnections,
    ticketsPerDocument: settings.batchSize,
    documents: documents('b'),
    watched,
  });
  log(`  ${describeThroughput(batch)}`);

  return {
    queue: { max: queueMax, latency: queueLatency },
    direct: { max: directMax, latency: directLatency, atQueueHalfLoad: directAtQueueHalfLoad },
    batch,
    rawQueue,
    attachments,
  };
}
