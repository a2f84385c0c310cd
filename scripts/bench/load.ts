/**
 * Load generation: closed-loop HTTP runs with autocannon, and paced (open-loop) runs and
 * closed-loop runs over any async operation, such as an HTTP post or a queue round trip.
 *
 * Paced runs do not use autocannon's overallRate, for two reasons. Autocannon 9.0.0 lets
 * each connection send its share of the per-second quota back to back at the start of
 * every second (lib/httpClient.js), so the load comes in bursts. It also corrects
 * latencies with an expected interval of ceil(1 / rate) milliseconds (lib/run.js), which
 * adds made-up values below the measured ones.
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { sleep } from './processes';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles in milliseconds by the nearest-rank method. */
export function summarizeLatencies(latenciesMs: number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const rank = (percent: number) => sorted[Math.min(sorted.length - 1, Math.ceil((percent / 100) * sorted.length) - 1)] ?? NaN;
  const round = (value: number) => Math.round(value * 10) / 10;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: round(rank(50)),
    p90: round(rank(90)),
    p99: round(rank(99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sum / sorted.length),
  };
}

export interface HttpReply {
  status: number;
  body: string;
}

/** Posts XML documents to one URL over a keep-alive connection pool. */
export class XmlPoster {
  private readonly agent: http.Agent;

  constructor(
    private readonly url: URL,
    maxSockets: number,
    private readonly timeoutMs: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  post(body: string | Buffer): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.setTimeout(this.timeoutMs, () => request.destroy(new Error(`no response within ${this.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One operation of a load run; resolves true when it succeeded. */
export type Operation = () => Promise<boolean>;

export interface PacedResult {
  /** Operations started per second as scheduled. */
  offeredRate: number;
  sent: number;
  ok: number;
  failed: number;
  /** Latency of the successful operations, from the scheduled start to completion. */
  latency: LatencySummary;
  /** Largest delay between an operation's scheduled start and its real start. */
  maxStartLagMs: number;
}

/**
 * Starts `operation` at a constant rate for `durationSeconds` (open loop) and waits for
 * every started one to finish. Latency counts from the scheduled start, so time spent
 * waiting for a free slot (more than `maxInFlight` open) is included, not hidden.
 */
export async function runPaced(
  operation: Operation,
  options: { rate: number; durationSeconds: number; maxInFlight: number },
): Promise<PacedResult> {
  const total = Math.max(1, Math.round(options.rate * options.durationSeconds));
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  const running = new Set<Promise<void>>();
  let failed = 0;
  let maxStartLagMs = 0;

  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    while (running.size >= options.maxInFlight) await Promise.race(running);
    maxStartLagMs = Math.max(maxStartLagMs, performance.now() - due);

    const task: Promise<void> = operation()
      .then(
        (ok) => {
          if (ok) latencies.push(performance.now() - due);
          else failed++;
        },
        () => {
          failed++;
        },
      )
      .finally(() => running.delete(task));
    running.add(task);
  }
  await Promise.all(running);

  return {
    offeredRate: options.rate,
    sent: total,
    ok: latencies.length,
    failed,
    latency: summarizeLatencies(latencies),
    maxStartLagMs: Math.round(maxStartLagMs),
  };
}

export interface ClosedLoopResult {
  concurrency: number;
  seconds: number;
  ok: number;
  failed: number;
  /** Successful operations per second. */
  rate: number;
  latency: LatencySummary;
}

/** Runs `concurrency` loops that each repeat `operation` until `durationSeconds` pass. */
export async function runClosedLoop(
  operation: Operation,
  options: { concurrency: number; durationSeconds: number },
): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const end = start + options.durationSeconds * 1000;

  const loop = async () => {
    while (performance.now() < end) {
      const began = performance.now();
      const ok = await operation().catch(() => false);
      if (ok) latencies.push(performance.now() - began);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));

  const seconds = (performance.now() - start) / 1000;
  return {
    concurrency: options.concurrency,
    seconds: Math.round(seconds * 10) / 10,
    ok: latencies.length,
    failed,
    rate: Math.round((latencies.length / seconds) * 10) / 10,
    latency: summarizeLatencies(latencies),
  };
}

export interface AutocannonSummary {
  connections: number;
  seconds: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p90: number; p99: number; max: number };
}

/**
 * Posts a new document from `nextBody` on each of `connections` keep-alive connections,
 * one request at a time per connection, for `durationSeconds`.
 */
export async function runAutocannon(options: {
  url: string;
  connections: number;
  durationSeconds: number;
  timeoutSeconds: number;
  nextBody: () => string;
}): Promise<AutocannonSummary> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: options.timeoutSeconds,
    requests: [
      {
        method: 'POST',
        path: '/api',
        headers: { 'content-type': 'application/xml' },
        setupRequest: (request) => ({ ...request, body: options.nextBody() }),
      },
    ],
  });
  return {
    connections: options.connections,
    seconds: result.duration,
    responses2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}
