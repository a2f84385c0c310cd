import type { Job } from 'bullmq';
import { pendingMarkerKey, uploadedKeys, type ObjectStore, type TicketJobData, type TicketJobResult } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import type { CatalogCache } from '../catalog/catalog-cache';
import { asRejectionIfDataError } from './data-errors';
import { TicketRejection } from './rejection';
import type { StoreDeps } from './store-ticket';
import { TicketBatcher } from './ticket-batcher';

export interface ProcessDeps extends StoreDeps {
  store: ObjectStore;
  catalog: CatalogCache;
  logger: Logger;
}

/**
 * Creates the job processor. Tickets of jobs that run at the same time are stored in
 * shared transactions (see `TicketBatcher`). Invalid data completes the job with a
 * rejected result, so it is never retried. Any other error (database, object store)
 * fails the attempt, and BullMQ retries it with backoff.
 */
export function createTicketProcessor(deps: ProcessDeps) {
  const batcher = new TicketBatcher(deps, deps.logger);

  return async function processTicketJob(job: Job<TicketJobData>): Promise<TicketJobResult> {
    const { data } = job;
    const jobId = job.id!;
    const logger = deps.logger.child({ jobId, requestId: data.requestId, keyLabel: data.keyLabel, ticketIndex: data.index });

    const catalog = await deps.catalog.get();
    let result;
    try {
      result = await batcher.store({ jobId, data, resolved: catalog.resolve(data.ticket) });
    } catch (caught) {
      const error = asRejectionIfDataError(caught);
      if (!(error instanceof TicketRejection)) throw error;
      // A rejected ticket stores nothing, so its files go as well.
      await deps.store.removeAll(uploadedKeys(jobId, data.attachments));
      logger.info({ reason: error.reason }, 'ticket rejected');
      return { status: 'rejected', reason: error.reason };
    }
    if (data.attachments.length > 0) {
      // The ticket refers to its files now, so their marker goes, without delaying the result.
      deps.store.remove(pendingMarkerKey(jobId)).catch((error: unknown) => {
        logger.warn({ err: error }, 'removing the pending marker failed; the sweep removes it later');
      });
    }
    logger.info({ ticketId: result.ticketId, replayed: result.replayed, attachments: data.attachments.length }, 'ticket stored');
    return result;
  };
}
