import type { StoredTicket } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { storeTicket, storeTickets, type StoreDeps, type TicketToStore } from './store-ticket';

/** Most tickets stored in one transaction. */
const MAX_BATCH = 50;
/** Transactions one worker process runs at once. */
const PARALLEL_BATCHES = 2;

interface Waiting {
  item: TicketToStore;
  resolve(result: StoredTicket): void;
  reject(error: unknown): void;
}

/**
 * Stores the tickets of jobs that run at the same time in shared transactions, so the
 * database commits once per group instead of once per ticket. Nothing waits to fill a
 * group: a ticket goes out at once when fewer than `PARALLEL_BATCHES` transactions run,
 * and otherwise joins the tickets that arrive while they do. A group that fails is
 * stored again one ticket at a time, so each job gets its own result or error, as if it
 * had run alone.
 */
export class TicketBatcher {
  private waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly deps: StoreDeps,
    private readonly logger: Logger,
  ) {}

  store(item: TicketToStore): Promise<StoredTicket> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.running < PARALLEL_BATCHES) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.waiting.length > 0) await this.storeGroup(this.waiting.splice(0, MAX_BATCH));
    } finally {
      this.running--;
    }
  }

  private async storeGroup(group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      try {
        const results = await storeTickets(this.deps, group.map((waiting) => waiting.item));
        group.forEach((waiting, i) => waiting.resolve(results[i]!));
        return;
      } catch (error) {
        this.logger.debug({ err: error, tickets: group.length }, 'storing a group failed; storing its tickets one by one');
      }
    }
    await Promise.all(
      group.map(({ item, resolve, reject }) => storeTicket(this.deps, item.jobId, item.data, item.resolved).then(resolve, reject)),
    );
  }
}
