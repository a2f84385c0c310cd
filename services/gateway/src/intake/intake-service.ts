import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { TICKET_JOB_NAME, type ObjectStore, type StagedAttachment, type TicketJobData } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { RequestError } from '../errors';
import type { CheckedTicket } from '../tickets/check-ticket';
import type { JobOutcome, JobWaiter } from './job-waiter';
import type { TicketOutcome } from './outcome';
import { removeStaged, stageAttachments } from './stage-attachments';

export interface RequestContext {
  requestId: string;
  keyLabel: string;
  callerIp: string;
  logger: Logger;
}

interface PlannedJob {
  jobId: string;
  ticket: Extract<CheckedTicket, { ok: true }>;
  staged: StagedAttachment[];
}

const ADD_ATTEMPTS = 3;
const ADD_RETRY_DELAY_MS = 300;

const NOT_CONFIRMED =
  'not created: no worker confirmed the ticket before the wait ran out, so it was withdrawn; it is safe to send again';
const PENDING =
  'still being processed when the wait ran out; send the request again with the same Idempotency-Key for the final result';

/**
 * Turns checked tickets into queue jobs and waits for their results: stages attachments,
 * adds one job per valid ticket in a single bulk call, waits up to the configured time,
 * then withdraws every job that no worker has started.
 */
export class IntakeService {
  constructor(
    private readonly queue: Queue<TicketJobData>,
    private readonly waiter: JobWaiter,
    private readonly store: ObjectStore,
    private readonly waitTimeoutMs: number,
  ) {}

  async submit(tickets: CheckedTicket[], context: RequestContext): Promise<TicketOutcome[]> {
    const valid = tickets.filter((ticket) => ticket.ok);
    const planned = await this.stage(valid, context);
    const outcomes = await this.enqueueAndWait(planned, context);

    return tickets.map((ticket) => {
      if (!ticket.ok) return { index: ticket.index, status: 'rejected', reason: ticket.reason, warnings: [] };
      return outcomes.get(ticket.index)!;
    });
  }

  private async stage(valid: Extract<CheckedTicket, { ok: true }>[], context: RequestContext): Promise<PlannedJob[]> {
    const jobs = valid.map((ticket) => ({ jobId: randomUUID(), ticket }));
    try {
      const staged = await stageAttachments(
        this.store,
        jobs.map(({ jobId, ticket }) => ({ jobId, attachments: ticket.attachments })),
      );
      return jobs.map((job) => ({ ...job, staged: staged.get(job.jobId)! }));
    } catch (error) {
      context.logger.error({ err: error }, 'staging attachments failed');
      throw new RequestError(503, 'object store unavailable: attachments could not be stored, so no ticket was created');
    }
  }

  private async enqueueAndWait(planned: PlannedJob[], context: RequestContext): Promise<Map<number, TicketOutcome>> {
    const results = new Map<number, TicketOutcome>();
    if (planned.length === 0) return results;

    const jobIds = planned.map((job) => job.jobId);
    const promises = this.waiter.register(jobIds);
    try {
      await this.addJobs(
        planned.map(({ jobId, ticket, staged }) => ({
          name: TICKET_JOB_NAME,
          data: {
            requestId: context.requestId,
            keyLabel: context.keyLabel,
            callerIp: context.callerIp,
            index: ticket.index,
            ticket: ticket.fields,
            attachments: staged,
          },
          opts: { jobId },
        })),
      );
    } catch (error) {
      this.waiter.forget(jobIds);
      context.logger.error({ err: error }, 'adding jobs to the queue failed');
      await removeStaged(this.store, planned.flatMap((job) => job.staged.map((file) => file.stagingKey)));
      throw new RequestError(503, 'queue unavailable: the tickets could not be queued, so no ticket was created');
    }
    context.logger.debug({ jobIds }, 'jobs added');

    const finished = await this.waiter.wait(promises, this.waitTimeoutMs);
    for (const job of planned) {
      const outcome = finished.get(job.jobId) ?? (await this.settleLate(job, context));
      results.set(job.ticket.index, this.describe(job, outcome));
    }
    return results;
  }

  /**
   * Adds the jobs, trying again twice within about a second while the Redis connection
   * is being re-established. Job ids are fixed, so a repeated add never duplicates a job.
   */
  private async addJobs(jobs: Parameters<Queue<TicketJobData>['addBulk']>[0]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.queue.addBulk(jobs);
        return;
      } catch (error) {
        if (attempt >= ADD_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, ADD_RETRY_DELAY_MS));
      }
    }
  }

  /**
   * Decides the fate of a job whose result did not arrive in time. A job no worker has
   * started is removed, so the ticket can never appear after the client was told it was
   * not created. A job that is running, or whose state cannot be read, stays pending.
   */
  private async settleLate(job: PlannedJob, context: RequestContext): Promise<JobOutcome | 'withdrawn' | 'pending'> {
    const log = context.logger.child({ jobId: job.jobId, ticketIndex: job.ticket.index });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const current = await this.queue.getJob(job.jobId);
        if (!current) return 'withdrawn';

        const state = await current.getState();
        if (state === 'completed') return { kind: 'completed', result: current.returnvalue };
        if (state === 'failed') return { kind: 'failed', reason: current.failedReason };
        if (state === 'active') return 'pending';

        if ((await this.queue.remove(job.jobId)) === 1) {
          log.warn('wait ran out before a worker started the job, so it was withdrawn');
          await removeStaged(this.store, job.staged.map((file) => file.stagingKey));
          return 'withdrawn';
        }
        // The job became active between the state read and the removal; look again.
      }
      return 'pending';
    } catch (error) {
      log.error({ err: error }, 'reading the state of a late job failed');
      return 'pending';
    }
  }

  private describe(job: PlannedJob, outcome: JobOutcome | 'withdrawn' | 'pending'): TicketOutcome {
    const index = job.ticket.index;
    const warnings = job.ticket.warnings;
    if (outcome === 'withdrawn') return { index, status: 'not-created', reason: NOT_CONFIRMED, warnings };
    if (outcome === 'pending') return { index, status: 'pending', reason: PENDING, warnings };
    if (outcome.kind === 'failed') {
      return { index, status: 'not-created', reason: `not created: ${outcome.reason}`, warnings };
    }

    const result = outcome.result;
    if (result.status === 'rejected') return { index, status: 'rejected', reason: result.reason, warnings };
    return { index, status: 'stored', ticketId: result.ticketId, warnings: [...warnings, ...result.warnings] };
  }
}
