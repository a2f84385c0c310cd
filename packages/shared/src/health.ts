/** Time that one readiness probe may take before it counts as failed. */
export const PROBE_TIMEOUT_MS = 2000;

/** One failed dependency of a readiness check. */
export interface ProbeFailure {
  dependency: string;
  message: string;
}

/** Raised by checkDependencies; the message names each failed dependency and why it failed. */
export class NotReadyError extends Error {
  constructor(readonly failures: ProbeFailure[]) {
    super(failures.map((failure) => `${failure.dependency}: ${failure.message}`).join('; '));
    this.name = 'NotReadyError';
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs every probe at the same time, each bounded by `timeoutMs`, and throws
 * NotReadyError naming each dependency whose probe rejected or timed out. A probe that
 * times out keeps running in the background, so probes should fail fast on their own.
 */
export async function checkDependencies(
  probes: Record<string, () => Promise<unknown>>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<void> {
  const names = Object.keys(probes);
  const results = await Promise.allSettled(names.map((name) => withTimeout(probes[name]!(), timeoutMs)));

  const failures: ProbeFailure[] = [];
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      failures.push({ dependency: names[i]!, message: message || 'failed' });
    }
  });
  if (failures.length > 0) throw new NotReadyError(failures);
}

/** Queue states that the services export as gauges. */
export const GAUGED_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export type JobCounts = Record<(typeof GAUGED_JOB_STATES)[number], number>;

/** Default time for which cacheJobCounts reuses a result. */
export const JOB_COUNTS_MAX_AGE_MS = 5000;

/**
 * Wraps a query of the job counts of GAUGED_JOB_STATES, such as Queue.getJobCounts, so
 * that Redis is asked at most once per `maxAgeMs`: callers within that time get the last
 * result, and callers while a query runs share it. A failed query is not cached, and one
 * that takes longer than `timeoutMs` fails.
 */
export function cacheJobCounts(
  query: () => Promise<Record<string, number>>,
  maxAgeMs = JOB_COUNTS_MAX_AGE_MS,
  timeoutMs = PROBE_TIMEOUT_MS,
): () => Promise<JobCounts> {
  let cached: { counts: JobCounts; at: number } | undefined;
  let running: Promise<JobCounts> | undefined;

  async function read(): Promise<JobCounts> {
    const raw = await withTimeout(query(), timeoutMs);
    const counts = Object.fromEntries(GAUGED_JOB_STATES.map((state) => [state, raw[state] ?? 0])) as JobCounts;
    cached = { counts, at: Date.now() };
    return counts;
  }

  return () => {
    if (cached && Date.now() - cached.at < maxAgeMs) return Promise.resolve(cached.counts);
    running ??= read().finally(() => {
      running = undefined;
    });
    return running;
  };
}
