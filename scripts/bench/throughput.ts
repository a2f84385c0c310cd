/** Committed-ticket throughput and latency against offered load, for one HTTP path. */
import type { DocumentFactory } from './documents';
import { runAutocannon, runPaced, XmlPoster, type AutocannonSummary, type PacedResult } from './load';
import { CpuMonitor, type CpuShares, type WatchedProcess } from './proc-stats';
import { sleep } from './processes';
import type { BenchSettings } from './settings';
import type { BenchStack } from './stack';

const REQUEST_TIMEOUT_SECONDS = 30;

export interface CommittedThroughput {
  /** Rows added to `tickets` per second during the measured part of the run. */
  ticketsPerSecond: number;
  committedTickets: number;
  seconds: number;
  http: AutocannonSummary;
  cpu: CpuShares;
  /**
   * Microseconds Redis spent in Lua scripts per committed ticket, for the whole Redis
   * server: work of other clients counts too.
   */
  redisScriptMicrosPerTicket: number;
}

/**
 * Posts documents of `ticketsPerDocument` tickets on `connections` connections and counts
 * the rows committed to `tickets` between the end of the warm-up and the end of the
 * measured seconds, while the load is still running. Waits for the queue to empty after.
 */
export async function measureCommittedThroughput(
  stack: BenchStack,
  settings: BenchSettings,
  options: {
    url: string;
    connections: number;
    ticketsPerDocument: number;
    documents: DocumentFactory;
    watched: WatchedProcess[];
  },
): Promise<CommittedThroughput> {
  const load = runAutocannon({
    url: options.url,
    connections: options.connections,
    // One extra second keeps the load on while the closing count is taken.
    durationSeconds: settings.warmupSeconds + settings.seconds + 1,
    timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    nextBody: () => options.documents.next(options.ticketsPerDocument),
  });
  const monitor = new CpuMonitor(options.watched);

  await sleep(settings.warmupSeconds * 1000);
  const countBefore = await stack.countTickets();
  const scriptMicrosBefore = await stack.redisScriptMicros();
  const startedAt = performance.now();
  monitor.start();

  await sleep(settings.seconds * 1000);
  const countAfter = await stack.countTickets();
  const scriptMicros = (await stack.redisScriptMicros()) - scriptMicrosBefore;
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = monitor.stop();

  const http = await load;
  await stack.waitForIdleQueue();
  stack.assertRunning();

  const committedTickets = countAfter - countBefore;
  return {
    ticketsPerSecond: Math.round((committedTickets / seconds) * 10) / 10,
    committedTickets,
    seconds: Math.round(seconds * 10) / 10,
    http,
    cpu,
    redisScriptMicrosPerTicket: committedTickets > 0 ? Math.round(scriptMicros / committedTickets) : 0,
  };
}

export interface LoadPoint extends PacedResult {
  /** Offered rate as a fraction of the path's maximum committed rate. */
  fraction: number;
  seconds: number;
}

/** Seconds of a paced run: long enough for `minPacedRequests`, within 1 to 3 × BENCH_SECONDS. */
export function pacedSeconds(settings: BenchSettings, rate: number): number {
  const neededSeconds = settings.minPacedRequests / rate;
  return Math.min(3 * settings.seconds, Math.max(settings.seconds, Math.ceil(neededSeconds)));
}

/** Sends one-ticket documents at `rate` per second and measures their latency. */
export async function measurePacedLatency(
  stack: BenchStack,
  settings: BenchSettings,
  options: { url: string; rate: number; fraction: number; documents: DocumentFactory },
): Promise<LoadPoint> {
  const poster = new XmlPoster(new URL('/api', options.url), settings.maxInFlight, REQUEST_TIMEOUT_SECONDS * 1000);
  const seconds = pacedSeconds(settings, options.rate);
  try {
    const result = await runPaced(
      async () => (await poster.post(options.documents.next(1))).status === 200,
      { rate: options.rate, durationSeconds: seconds, maxInFlight: settings.maxInFlight },
    );
    await stack.waitForIdleQueue();
    stack.assertRunning();
    return { ...result, fraction: options.fraction, seconds };
  } finally {
    poster.close();
  }
}

/** Measures latency at each of `settings.loadFractions` of `maxRate`, lowest first. */
export async function measureLatencyCurve(
  stack: BenchStack,
  settings: BenchSettings,
  options: { url: string; maxRate: number; documents: DocumentFactory; log: (line: string) => void },
): Promise<LoadPoint[]> {
  const points: LoadPoint[] = [];
  for (const fraction of settings.loadFractions) {
    const rate = Math.max(1, Math.round(options.maxRate * fraction * 10) / 10);
    const point = await measurePacedLatency(stack, settings, { ...options, rate, fraction });
    options.log(
      `  ${Math.round(fraction * 100)}% = ${rate}/s: p50 ${point.latency.p50} ms, p90 ${point.latency.p90} ms, ` +
        `p99 ${point.latency.p99} ms (${point.ok} ok, ${point.failed} failed)`,
    );
    points.push(point);
  }
  return points;
}
