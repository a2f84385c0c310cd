import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import {
  TICKET_JOB_NAME,
  uploadedKeys,
  type ObjectStore,
  type TicketJobData,
  type UploadedAttachment,
} from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { RequestError } from '../errors';
import type { CheckedTicket } from '../tickets/check-ticket';
import type { JobOutcome, JobWaiter } from './job-waiter';
import type { TicketOutcome } from './outcome';
import { uploadAttachments } from './upload-attachments';

export interface RequestContext {
  requestId: string;
  keyLabel: string;
  callerIp: string;
  logger: Logger;
  /** True when the request carries an Idempotency-Key, so a retry cannot duplicate tickets. */
  idempotent: boolean;
}

interface PlannedJob {
  jobId: string;
  ticket: Extract<CheckedTicket, { ok: true }>;
  uploaded: UploadedAttachment[];
}

/** A job whose result had not arrived when the wait ran out. */
interface LateJob {
  jobId: string;
  index: number;
  warnings: string[];
  /** True when the job is known to have been started by a worker earlier. */
  started?: boolean;
}

const ADD_ATTEMPTS = 3;
const ADD_RETRY_DELAY_MS = 300;

const NOT_CONFIRMED =
  'not created: no worker confirmed the ticket before the wait ran out, so it was withdrawn; it is safe to send again';
const PENDING_WITH_KEY =
  'still being processed when the wait ran out; send the request again with the same Idempotency-Key for the final result';
const PENDING_WITHOUT_KEY =
  'still being processed when the wait ran out and likely to be stored; sending the request again without an Idempotency-Key may store it twice';

/**
 * Turns checked tickets into queue jobs and waits for their results: uploads attachments,
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
    const planned = await this.upload(valid, context);
    const outcomes = await this.enqueueAndWait(planned, context);

    return tickets.map((ticket) => {
      if (!ticket.ok) return { index: ticket.index, status: 'rejected', reason: ticket.reason, warnings: [] };
      return outcomes.get(ticket.index)!;
    });
  }

  private async upload(valid: Extract<CheckedTicket, { ok: true }>[], context: RequestContext): Promise<PlannedJob[]> {
    const jobs = valid.map((ticket) => ({ jobId: randomUUID(), ticket }));
    try {
      const uploaded = await uploadAttachments(
        this.store,
        jobs.map(({ jobId, ticket }) => ({ jobId, attachments: ticket.attachments })),
      );
      return jobs.map((job) => ({ ...job, uploaded: uploaded.get(job.jobId)! }));
    } catch (error) {
      context.logger.error({ err: error }, 'uploading attachments failed');
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
        planned.map(({ jobId, ticket, uploaded }) => ({
          name: TICKET_JOB_NAME,
          data: {
            requestId: context.requestId,
            keyLabel: context.keyLabel,
            callerIp: context.callerIp,
            index: ticket.index,
            ticket: ticket.fields,
            attachments: uploaded,
          },
          opts: { jobId },
        })),
        context.logger,
      );
    } catch (error) {
      this.waiter.forget(jobIds);
      context.logger.error({ err: error }, 'adding jobs to the queue failed');
      // NOTE: when Redis ran the add but its reply was lost, the jobs exist although the
      // add failed. They are removed while Redis still responds. Otherwise a worker may
      // still store such a ticket after this 503.
      const absent = await Promise.all(planned.map((job) => this.withdraw(job.jobId, context.logger)));
      // Files of a job that may still exist stay for its ticket. The worker's sweep removes
      // them later if no ticket refers to them.
      const keys = planned.filter((_job, i) => absent[i]).flatMap((job) => uploadedKeys(job.jobId, job.uploaded));
      await this.store.removeAll(keys);
      throw new RequestError(503, 'queue unavailable: the tickets could not be queued, so no ticket was created');
    }
    context.logger.debug({ jobIds }, 'jobs added');

    const finished = await this.waiter.wait(promises, this.waitTimeoutMs);
    for (const job of planned) {
      const late = { jobId: job.jobId, index: job.ticket.index, warnings: job.ticket.warnings };
      const outcome = finished.get(job.jobId) ?? (await this.settleLate(late, context));
      results.set(job.ticket.index, this.describe(late, outcome, context));
    }
    this.waiter.forget(jobIds);
    return results;
  }

  /**
   * Waits again for the tickets that were still being processed when an earlier request
   * ran out of time, and returns the outcomes with those tickets' final results where
   * they have arrived.
   */
  async resume(outcomes: TicketOutcome[], context: RequestContext): Promise<TicketOutcome[]> {
    const pending = outcomes.filter((outcome) => outcome.status === 'pending');
    const promises = this.waiter.register(pending.map((outcome) => outcome.jobId));
    const finished = new Map<string, JobOutcome>();

    // A job that finished before the listener was registered sends no further event.
    for (const outcome of pending) {
      const state = await this.readFinalState(outcome.jobId).catch(() => undefined);
      if (state) finished.set(outcome.jobId, state);
    }
    const stillRunning = new Map([...promises].filter(([jobId]) => !finished.has(jobId)));
    this.waiter.forget([...finished.keys()]);
    for (const [jobId, outcome] of await this.waiter.wait(stillRunning, this.waitTimeoutMs)) finished.set(jobId, outcome);

    const resumed: TicketOutcome[] = [];
    for (const outcome of outcomes) {
      if (outcome.status !== 'pending') {
        resumed.push(outcome);
        continue;
      }
      const late = { jobId: outcome.jobId, index: outcome.index, warnings: outcome.warnings, started: true };
      resumed.push(this.describe(late, finished.get(outcome.jobId) ?? (await this.settleLate(late, context)), context));
    }
    this.waiter.forget(pending.map((outcome) => outcome.jobId));
    return resumed;
  }

  private async readFinalState(jobId: string): Promise<JobOutcome | undefined> {
    const { state, job } = await this.inspect(jobId);
    if (!job) return undefined;
    if (state === 'completed') return { kind: 'completed', result: job.returnvalue };
    if (state === 'failed') return { kind: 'failed', reason: job.failedReason };
    return undefined;
  }

  /**
   * Reads a job's state, then the job. In this order a finished state always comes with
   * its result, because BullMQ stores the result in the same step that finishes the job.
   * In the other order, a job that finishes in between looks finished without a result.
   */
  private async inspect(jobId: string) {
    const state = await this.queue.getJobState(jobId);
    const job = state === 'unknown' ? undefined : await this.queue.getJob(jobId);
    return { state, job };
  }

  /** Removes a job, and returns true only when it is known to be gone from the queue. */
  private async withdraw(jobId: string, logger: Logger): Promise<boolean> {
    try {
      if ((await this.queue.remove(jobId)) === 1) return true;
      return (await this.queue.getJobState(jobId)) === 'unknown';
    } catch (error) {
      logger.warn({ err: error, jobId }, 'removing a job after a failed add failed; its files stay until the sweep');
      return false;
    }
  }

  /**
   * Adds the jobs, trying again twice within about a second while the Redis connection
   * is being re-established. Job ids are fixed, so a repeated add never duplicates a job.
   */
  private async addJobs(jobs: Parameters<Queue<TicketJobData>['addBulk']>[0], logger: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // addBulk builds a Redis pipeline, which costs more than one add for a single job.
        const [single] = jobs;
        if (jobs.length === 1) await this.queue.add(single!.name, single!.data, single!.opts);
        else await this.queue.addBulk(jobs);
        return;
      } catch (error) {
        if (attempt >= ADD_ATTEMPTS) throw error;
        logger.warn({ err: error, attempt, attempts: ADD_ATTEMPTS }, 'adding jobs to the queue failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, ADD_RETRY_DELAY_MS));
      }
    }
  }

  /**
   * Decides the fate of a job whose result did not arrive in time. A job no worker has
   * started is removed, so a ticket reported as not created can never appear later. A job that is running, or whose state cannot be read, stays pending.
   */
  private async settleLate(job: LateJob, context: RequestContext): Promise<JobOutcome | 'withdrawn' | 'pending'> {
    const log = context.logger.child({ jobId: job.jobId, ticketIndex: job.index });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const { state, job: current } = await this.inspect(job.jobId);
        // A job that vanished after a worker started it may have stored its ticket before
        // Redis lost it. Only a job that never started is known to have stored nothing.
        if (!current) {
          const started = job.started || this.waiter.wasStarted(job.jobId);
          log.warn(
            { started },
            'job not found in the queue after the wait (removed, or lost by Redis); it counts as pending if a worker started it, else as withdrawn',
          );
          return started ? 'pending' : 'withdrawn';
        }

        if (state === 'completed') return { kind: 'completed', result: current.returnvalue };
        if (state === 'failed') return { kind: 'failed', reason: current.failedReason };
        if (state === 'active') return 'pending';

        if ((await this.queue.remove(job.jobId)) === 1) {
          log.warn('wait ran out before a worker started the job, so it was withdrawn');
          await this.store.removeAll(uploadedKeys(job.jobId, current.data.attachments));
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

  private describe(job: LateJob, outcome: JobOutcome | 'withdrawn' | 'pending', context: RequestContext): TicketOutcome {
    const { index, warnings } = job;
    if (outcome === 'withdrawn') return { index, status: 'not-created', reason: NOT_CONFIRMED, warnings };
    if (outcome === 'pending') {
      const reason = context.idempotent ? PENDING_WITH_KEY : PENDING_WITHOUT_KEY;
      return { index, status: 'pending', reason, warnings, jobId: job.jobId };
    }
    if (outcome.kind === 'failed') {
      return { index, status: 'not-created', reason: `not created: ${outcome.reason}`, warnings };
    }

    const result = outcome.result;
    if (result.status === 'rejected') return { index, status: 'rejected', reason: result.reason, warnings };
    return { index, status: 'stored', ticketId: result.ticketId, warnings: [...warnings, ...result.warnings] };
  }
}
