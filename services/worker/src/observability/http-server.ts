import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics';

export interface WorkerHttpServer {
  /** Port the server listens on; differs from the configured one when that was 0. */
  port: number;
  close(): Promise<void>;
}

export interface WorkerHttpDeps {
  port: number;
  host: string;
  metrics: WorkerMetrics;
  /** Resolves when the worker can store tickets; rejects with a message naming the failed dependency. */
  checkReady: () => Promise<void>;
  logger: Logger;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * Starts the worker's HTTP server on `host`: GET /healthz returns 200 while the
 * process runs, GET /readyz 200 or 503 naming the failed dependency, GET /metrics the
 * Prometheus text. Other paths get 404 and other methods 405.
 */
export async function startWorkerHttpServer(deps: WorkerHttpDeps): Promise<WorkerHttpServer> {
  const { metrics, checkReady, logger } = deps;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (!['/healthz', '/readyz', '/metrics'].includes(path)) {
      sendJson(res, 404, { error: `not found: ${path}; use /healthz, /readyz or /metrics` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed: use GET' });
      return;
    }

    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      try {
        await checkReady();
        sendJson(res, 200, { status: 'ready' });
      } catch (error) {
        sendJson(res, 503, { status: 'not ready', reason: (error as Error).message });
      }
    } else {
      const text = await metrics.render();
      res.writeHead(200, { 'Content-Type': metrics.contentType });
      res.end(text);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, method: req.method }, 'worker HTTP request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'worker HTTP server error'));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
