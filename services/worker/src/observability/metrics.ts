import type { Job, Worker } from 'bullmq';
import { registerQueueGauge, type JobCounts, type TicketJobData, type TicketJobResult } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Catalog fields whose name starts a rejection reason, such as "dept: department 9 not found". */
const REJECTED_FIELDS = ['dept', 'priority', 'status', 'customfields'];

/** Start of the reason of a ticket whose values MySQL rejected although the field rules passed them. */
const DATABASE_REJECTION = 'the database refused a value';

/**
 * Returns the `field` label of a rejection reason: its known field prefix, "database"
 * for values that MySQL rejected, else "other".
 */
export function rejectedField(reason: string): string {
  if (reason.startsWith(DATABASE_REJECTION)) return 'database';
  const prefix = reason.slice(0, reason.indexOf(':'));
  return REJECTED_FIELDS.includes(prefix) ? prefix : 'other';
}

/** Seconds; a job writes a few rows and copies its attachments inside the object store. */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Returns the run time of the job's last attempt in seconds, or undefined when unknown. */
function attemptSeconds(job: Job): number | undefined {
  if (job.processedOn === undefined || job.finishedOn === undefined) return undefined;
  return Math.max(0, job.finishedOn - job.processedOn) / 1000;
}

/**
 * Prometheus metrics of one worker process, in a registry of its own so that several
 * workers in one test process do not share counters.
 */
export class WorkerMetrics {
  readonly registry = new Registry();

  private readonly ticketsStored = new Counter({
    name: 'ticket_intake_tickets_stored_total',
    help: 'Ticket jobs completed with the ticket stored, including deliveries that found it stored by an earlier attempt',
    registers: [this.registry],
  });

  private readonly ticketsRejected = new Counter({
    name: 'ticket_intake_tickets_rejected_total',
    help: 'Ticket jobs completed with the ticket rejected by the catalog, by the field named in the reason',
    labelNames: ['field'] as const,
    registers: [this.registry],
  });

  private readonly attachmentBytesStored = new Counter({
    name: 'ticket_intake_attachment_bytes_stored_total',
    help: 'Decoded attachment bytes of stored tickets',
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'ticket_intake_job_duration_seconds',
    help: 'Run time of one ticket job attempt, by result: stored, rejected or failed',
    labelNames: ['result'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly jobFailures = new Counter({
    name: 'ticket_intake_job_failures_total',
    help: 'Failed ticket job attempts: retried when attempts remain, final when the job gave up',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.ticketsStored.inc(0);
    for (const outcome of ['retried', 'final']) this.jobFailures.inc({ outcome }, 0);
  }

  /** Counts the results of the worker's jobs from its 'completed' and 'failed' events. */
  countJobs(worker: Worker<TicketJobData, TicketJobResult>): void {
    worker.on('completed', (job, result) => {
      const seconds = attemptSeconds(job);
      if (seconds !== undefined) this.jobDuration.observe({ result: result.status }, seconds);

      if (result.status === 'rejected') {
        this.ticketsRejected.inc({ field: rejectedField(result.reason) });
        return;
      }
      this.ticketsStored.inc();
      const bytes = job.data.attachments.reduce((sum, file) => sum + file.sizeBytes, 0);
      if (bytes > 0) this.attachmentBytesStored.inc(bytes);
    });

    worker.on('failed', (job) => {
      // BullMQ passes no job when the failure is not tied to one, such as a lost lock.
      if (!job) return;
      const seconds = attemptSeconds(job);
      if (seconds !== undefined) this.jobDuration.observe({ result: 'failed' }, seconds);
      const willRetry = job.attemptsMade < (job.opts.attempts ?? 1);
      this.jobFailures.inc({ outcome: willRetry ? 'retried' : 'final' });
    });
  }

  /** Adds the ticket_intake_queue_jobs gauge; see registerQueueGauge. */
  watchQueue(readCounts: () => Promise<JobCounts>, logger: Logger): void {
    registerQueueGauge(this.registry, readCounts, logger);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Returns every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
