import type { Job } from 'bullmq';
import type { TicketJobData, TicketJobResult } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import type { CatalogCache } from '../catalog/catalog-cache';
import { asRejectionIfDataError } from './data-errors';
import { TicketRejection } from './rejection';
import { storeTicket, type StoreDeps } from './store-ticket';

export interface ProcessDeps extends StoreDeps {
  catalog: CatalogCache;
  logger: Logger;
}

/**
 * Creates the job processor. Invalid data completes the job with a rejected result, so
 * it is never retried. Any other error (database, object store) fails the attempt, and
 * BullMQ retries it with backoff.
 */
export function createTicketProcessor(deps: ProcessDeps) {
  return async function processTicketJob(job: Job<TicketJobData>): Promise<TicketJobResult> {
    const { data } = job;
    const jobId = job.id!;
    const logger = deps.logger.child({ jobId, requestId: data.requestId, keyLabel: data.keyLabel, ticketIndex: data.index });

    const catalog = await deps.catalog.get();
    let result;
    try {
      result = await storeTicket(deps, jobId, data, catalog.resolve(data.ticket));
    } catch (caught) {
      const error = asRejectionIfDataError(caught);
      if (!(error instanceof TicketRejection)) throw error;
      await Promise.allSettled(data.attachments.map((file) => deps.store.remove(file.stagingKey)));
      logger.info({ reason: error.reason }, 'ticket rejected');
      return { status: 'rejected', reason: error.reason };
    }
    logger.info({ ticketId: result.ticketId, replayed: result.replayed, attachments: data.attachments.length }, 'ticket stored');
    return result;
  };
}
