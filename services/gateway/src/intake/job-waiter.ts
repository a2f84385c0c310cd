import type { QueueEvents } from 'bullmq';
import type { TicketJobResult } from '@ticket-intake/shared';

export type JobOutcome = { kind: 'completed'; result: TicketJobResult } | { kind: 'failed'; reason: string };

/**
 * Routes the completion events of one shared QueueEvents connection to the requests
 * waiting for them. A job is registered before it is added, so an event that arrives
 * straight after the add is never missed; a map lookup per event keeps the cost flat
 * however many requests wait.
 */
export class JobWaiter {
  private readonly waiting = new Map<string, (outcome: JobOutcome) => void>();
  /** Waited-for jobs that a worker has started, according to the queue events. */
  private readonly started = new Set<string>();

  constructor(events: QueueEvents) {
    events.on('active', ({ jobId }) => {
      if (this.waiting.has(jobId)) this.started.add(jobId);
    });
    // Every gateway receives every job's events, so results are read only for own jobs.
    events.on('completed', ({ jobId, returnvalue }) => {
      if (!this.waiting.has(jobId)) return;
      const result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as TicketJobResult;
      this.settle(jobId, { kind: 'completed', result });
    });
    events.on('failed', ({ jobId, failedReason }) => {
      this.settle(jobId, { kind: 'failed', reason: failedReason });
    });
  }

  private settle(jobId: string, outcome: JobOutcome): void {
    const resolve = this.waiting.get(jobId);
    if (!resolve) return;
    this.waiting.delete(jobId);
    this.started.delete(jobId);
    resolve(outcome);
  }

  /** True when a worker was seen starting the job while it was waited for. */
  wasStarted(jobId: string): boolean {
    return this.started.has(jobId);
  }

  /** Starts listening for the jobs; call before adding them to the queue. */
  register(jobIds: string[]): Map<string, Promise<JobOutcome>> {
    const promises = new Map<string, Promise<JobOutcome>>();
    for (const jobId of jobIds) {
      promises.set(jobId, new Promise((resolve) => this.waiting.set(jobId, resolve)));
    }
    return promises;
  }

  /** Stops listening for the jobs, for example after the add failed. */
  forget(jobIds: string[]): void {
    for (const jobId of jobIds) {
      this.waiting.delete(jobId);
      this.started.delete(jobId);
    }
  }

  /**
   * Waits until every job has finished or `timeoutMs` has passed. The map contains the
   * outcome of each finished job. Jobs missing from it are still unresolved, and the
   * caller forgets them once it has decided their fate.
   */
  async wait(promises: Map<string, Promise<JobOutcome>>, timeoutMs: number): Promise<Map<string, JobOutcome>> {
    const outcomes = new Map<string, JobOutcome>();
    const all = Promise.all(
      [...promises].map(async ([jobId, promise]) => outcomes.set(jobId, await promise)),
    );

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    return outcomes;
  }

  get size(): number {
    return this.waiting.size;
  }
}
