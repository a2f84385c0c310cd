import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { redisOptionsFromUrl } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { createDashboardApp, DASHBOARD_PATH } from './app';
import type { EnabledDashboardConfig } from './config';

export interface RunningDashboard {
  server: Server;
  /** Base URL, for example http://127.0.0.1:8090 */
  url: string;
  queue: Queue;
  /** Stops accepting requests, lets those in flight finish within `graceMs`, then closes connections. */
  close(graceMs?: number): Promise<void>;
}

/** Connects to the ticket queue in Redis and starts the dashboard's HTTP server. */
export async function startDashboard(config: EnabledDashboardConfig, logger: Logger): Promise<RunningDashboard> {
  // Without an offline queue, Bull Board's requests fail at once while Redis is down
  // instead of piling up until it returns.
  const queue = new Queue(config.queueName, {
    connection: { ...redisOptionsFromUrl(config.redisUrl), enableOfflineQueue: false },
    prefix: config.queuePrefix,
  });
  queue.on('error', (error) => logger.error({ err: error }, 'queue connection error'));
  await queue.waitUntilReady();

  const app = createDashboardApp({ queue, credentials: config.credentials, readOnly: config.readOnly, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    listening.once('error', reject);
  });

  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info(
    { port, path: DASHBOARD_PATH, queue: config.queueName, prefix: config.queuePrefix, readOnly: config.readOnly },
    'dashboard listening',
  );

  async function close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(forced);
    await queue.close();
    logger.info('dashboard stopped');
  }

  return { server, url: `http://${host}:${port}`, queue, close };
}
