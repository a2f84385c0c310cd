/** Key numbers of a run, their medians over runs, and the ratios checked against targets. */
import type { RunMetrics } from './measure';
import type { PeakRss } from './proc-stats';
import type { LoadPoint } from './throughput';

export interface CurvePoint {
  fraction: number;
  offeredRate: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface AttachmentSummary {
  rawBytes: number;
  documentBytes: number;
  endToEndMedianMs: number;
  rawPutMedianMs: number;
  /** RSS before the first post of this size. */
  gatewayIdleBytes: number;
  /** Highest RSS over all posts of this size. */
  gatewayPeakBytes: number;
  /** Largest rise of the RSS during one post over the RSS right before it. */
  gatewayPostGrowthBytes: number;
  workerIdleBytes: number;
  workerPeakBytes: number;
  workerPostGrowthBytes: number;
}

export interface RunSummary {
  queueTicketsPerSecond: number;
  directTicketsPerSecond: number;
  batchTicketsPerSecond: number;
  halfLoadRate: number;
  queueHalfLoad: { p50: number; p99: number };
  directAtQueueHalfLoad: { p50: number; p99: number };
  rawQueueAtHalfLoad: { p50: number; p99: number };
  rawQueueClosedLoop: { rate: number; p50: number; p99: number };
  attachments: AttachmentSummary[];
  curves: { queue: CurvePoint[]; direct: CurvePoint[] };
  /** CPU in percent of one core during the one-ticket closed-loop runs. */
  cpu: {
    queue: Record<string, number>;
    direct: Record<string, number>;
    batch: Record<string, number>;
    rawQueue: Record<string, number>;
  };
  machineBusyPercent: { queue: number; direct: number; batch: number; rawQueue: number };
  /** Microseconds Redis spent in Lua scripts per committed ticket, during the queue path's closed-loop runs. */
  redisScriptMicrosPerTicket: { queue: number; batch: number };
}

/** Formats a measured value with at most one decimal, for tables and formulas. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function largestGrowth(posts: PeakRss[]): number {
  return Math.max(...posts.map((post) => post.peakBytes - post.idleBytes));
}

function curve(points: LoadPoint[]): CurvePoint[] {
  return points.map((point) => ({
    fraction: point.fraction,
    offeredRate: point.offeredRate,
    p50: point.latency.p50,
    p90: point.latency.p90,
    p99: point.latency.p99,
  }));
}

export function summarizeRun(metrics: RunMetrics): RunSummary {
  const half = metrics.queue.latency.find((point) => point.fraction === 0.5)!;
  return {
    queueTicketsPerSecond: metrics.queue.max.ticketsPerSecond,
    directTicketsPerSecond: metrics.direct.max.ticketsPerSecond,
    batchTicketsPerSecond: metrics.batch.ticketsPerSecond,
    halfLoadRate: half.offeredRate,
    queueHalfLoad: { p50: half.latency.p50, p99: half.latency.p99 },
    directAtQueueHalfLoad: {
      p50: metrics.direct.atQueueHalfLoad.latency.p50,
      p99: metrics.direct.atQueueHalfLoad.latency.p99,
    },
    rawQueueAtHalfLoad: {
      p50: metrics.rawQueue.atHalfLoad.latency.p50,
      p99: metrics.rawQueue.atHalfLoad.latency.p99,
    },
    rawQueueClosedLoop: {
      rate: metrics.rawQueue.closedLoop.rate,
      p50: metrics.rawQueue.closedLoop.latency.p50,
      p99: metrics.rawQueue.closedLoop.latency.p99,
    },
    attachments: metrics.attachments.map((result) => ({
      rawBytes: result.rawBytes,
      documentBytes: result.documentBytes,
      endToEndMedianMs: median(result.endToEndMs),
      rawPutMedianMs: median(result.rawPutMs),
      gatewayIdleBytes: result.rss.gateway[0]!.idleBytes,
      gatewayPeakBytes: Math.max(...result.rss.gateway.map((rss) => rss.peakBytes)),
      gatewayPostGrowthBytes: largestGrowth(result.rss.gateway),
      workerIdleBytes: result.rss.worker[0]!.idleBytes,
      workerPeakBytes: Math.max(...result.rss.worker.map((rss) => rss.peakBytes)),
      workerPostGrowthBytes: largestGrowth(result.rss.worker),
    })),
    curves: { queue: curve(metrics.queue.latency), direct: curve(metrics.direct.latency) },
    cpu: {
      queue: metrics.queue.max.cpu.processPercent,
      direct: metrics.direct.max.cpu.processPercent,
      batch: metrics.batch.cpu.processPercent,
      rawQueue: metrics.rawQueue.cpu.processPercent,
    },
    machineBusyPercent: {
      queue: metrics.queue.max.cpu.machineBusyPercent,
      direct: metrics.direct.max.cpu.machineBusyPercent,
      batch: metrics.batch.cpu.machineBusyPercent,
      rawQueue: metrics.rawQueue.cpu.machineBusyPercent,
    },
    redisScriptMicrosPerTicket: {
      queue: metrics.queue.max.redisScriptMicrosPerTicket,
      batch: metrics.batch.redisScriptMicrosPerTicket,
    },
  };
}

/**
 * Combines values of the same shape: numbers become their median, arrays and objects
 * are combined element by element, and anything else keeps the first run's value.
 */
function medianDeep(values: unknown[]): unknown {
  const first = values[0];
  if (typeof first === 'number') return median(values as number[]);
  if (Array.isArray(first)) return first.map((_, i) => medianDeep(values.map((value) => (value as unknown[])[i])));
  if (first !== null && typeof first === 'object') {
    return Object.fromEntries(
      Object.keys(first).map((key) => [key, medianDeep(values.map((value) => (value as Record<string, unknown>)[key]))]),
    );
  }
  return first;
}

export function medianSummary(runs: RunSummary[]): RunSummary {
  return medianDeep(runs) as RunSummary;
}

export interface Ratio {
  name: string;
  value: number;
  target: string;
  met: boolean;
  /** Formula of the value, with the numbers used. */
  formula: string;
  bounds: RatioBounds;
}

interface RatioBounds {
  min?: number;
  max?: number;
}

const MIB = 1024 * 1024;

function judged(name: string, value: number, formula: string, bounds: RatioBounds): Ratio {
  const met = (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max);
  return { name, value, target: bounds.min !== undefined ? `>= ${bounds.min}` : `<= ${bounds.max}`, met, formula, bounds };
}

function ratio(name: string, numerator: number, denominator: number, formula: string, bounds: RatioBounds): Ratio {
  return judged(name, Math.round((numerator / denominator) * 100) / 100, formula, bounds);
}

/**
 * Combines the ratios of several runs. Each run's ratio compares numbers measured in
 * that run, under the same load from outside, so the median is taken over those ratios
 * rather than computed from medians that may come from different runs.
 */
export function medianRatios(runs: Ratio[][]): Ratio[] {
  return runs[0]!.map((first, i) => {
    const values = runs.map((run) => run[i]!.value);
    return judged(first.name, median(values), `median of the runs' ratios`, first.bounds);
  });
}

export function computeRatios(summary: RunSummary): Ratio[] {
  const ratios = [
    ratio(
      'queue path / direct path, one-ticket tickets/s',
      summary.queueTicketsPerSecond,
      summary.directTicketsPerSecond,
      `${formatNumber(summary.queueTicketsPerSecond)} / ${formatNumber(summary.directTicketsPerSecond)}`,
      { min: 0.8 },
    ),
    ratio(
      '100-ticket / one-ticket documents, tickets/s',
      summary.batchTicketsPerSecond,
      summary.queueTicketsPerSecond,
      `${formatNumber(summary.batchTicketsPerSecond)} / ${formatNumber(summary.queueTicketsPerSecond)}`,
      { min: 5 },
    ),
    ratio(
      'p99 at half load / (raw queue p99 + direct path p99)',
      summary.queueHalfLoad.p99,
      summary.rawQueueAtHalfLoad.p99 + summary.directAtQueueHalfLoad.p99,
      `${formatNumber(summary.queueHalfLoad.p99)} / (${formatNumber(summary.rawQueueAtHalfLoad.p99)} + ${formatNumber(summary.directAtQueueHalfLoad.p99)}) ms at ${formatNumber(summary.halfLoadRate)}/s`,
      { max: 3 },
    ),
  ];

  const largest = summary.attachments.reduce<AttachmentSummary | undefined>(
    (found, item) => (!found || item.rawBytes > found.rawBytes ? item : found),
    undefined,
  );
  if (largest) {
    const size = `${Math.round(largest.rawBytes / MIB)} MiB`;
    ratios.push(
      ratio(
        `${size} end to end / raw putObject`,
        largest.endToEndMedianMs,
        largest.rawPutMedianMs,
        `${formatNumber(largest.endToEndMedianMs)} / ${formatNumber(largest.rawPutMedianMs)} ms`,
        { max: 1.5 },
      ),
      ratio(
        `gateway peak RSS / body size, ${size} attachment`,
        largest.gatewayPeakBytes,
        largest.documentBytes,
        `${(largest.gatewayPeakBytes / MIB).toFixed(1)} / ${(largest.documentBytes / MIB).toFixed(1)} MiB`,
        { max: 4 },
      ),
    );
  }
  return ratios;
}
