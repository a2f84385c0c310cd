import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { GAUGED_JOB_STATES, type JobCounts } from './health';

/**
 * Adds the ticket_intake_queue_jobs gauge to `registry`, read from `readCounts` on each
 * scrape, so `readCounts` should cache (see cacheJobCounts). When the read fails, the
 * gauge has no values for that scrape and the failure is logged once per outage.
 */
export function registerQueueGauge(registry: Registry, readCounts: () => Promise<JobCounts>, logger: Logger): void {
  let failing = false;
  new Gauge({
    name: 'ticket_intake_queue_jobs',
    help: 'Jobs of the ticket queue by state, read from Redis at most every 5 s',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await readCounts();
        for (const state of GAUGED_JOB_STATES) this.set({ state }, counts[state]);
        failing = false;
      } catch (error) {
        // /readyz reports Redis failures too.
        if (!failing) logger.warn({ err: error }, 'reading queue job counts for metrics failed');
        failing = true;
      }
    },
  });
}
