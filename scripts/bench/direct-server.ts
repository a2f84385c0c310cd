/**
 * The direct-path baseline: an HTTP server that does the gateway's parsing and checks
 * and the worker's catalog lookup and database transaction inside the request handler,
 * with no queue. Attachments go to the object store within the handler, through the
 * same upload as the queued path. It reads the gateway's and the
 * worker's settings from the environment (PORT, HOST, DATABASE_URL, S3_*, API_KEY) and
 * sends `{ type: 'ready', url }` over IPC once it listens.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
// The data source module loads reflect-metadata, which the entity decorators need first.
import { createDataSource, databasePoolSize, ensureDatabase, runMigrations } from '@ticket-intake/worker/dist/db/data-source';
import { CatalogCache } from '@ticket-intake/worker/dist/catalog/catalog-cache';
import { loadWorkerConfig } from '@ticket-intake/worker/dist/config';
import { TicketRejection } from '@ticket-intake/worker/dist/tickets/rejection';
import { storeTicket, type StoreDeps } from '@ticket-intake/worker/dist/tickets/store-ticket';
import { KeyRing } from '@ticket-intake/gateway/dist/auth/key-ring';
import { loadGatewayConfig, type GatewayConfig } from '@ticket-intake/gateway/dist/config';
import { RequestError } from '@ticket-intake/gateway/dist/errors';
import { decodeBody } from '@ticket-intake/gateway/dist/http/decode-body';
import { readBody } from '@ticket-intake/gateway/dist/http/read-body';
import { errorResponse, ticketsResponse, type XmlResponse } from '@ticket-intake/gateway/dist/http/xml-response';
import type { TicketOutcome } from '@ticket-intake/gateway/dist/intake/outcome';
import { uploadAttachments } from '@ticket-intake/gateway/dist/intake/upload-attachments';
import type { CheckedTicket } from '@ticket-intake/gateway/dist/tickets/check-ticket';
import { checkTicket } from '@ticket-intake/gateway/dist/tickets/check-ticket';
import { AttachmentScanner } from '@ticket-intake/gateway/dist/xml/attachment-data';
import { RequestParser } from '@ticket-intake/gateway/dist/xml/parse-request';
import { openObjectStore, pendingMarkerKey, uploadedKeys, type ObjectStore, type TicketJobData } from '@ticket-intake/shared';

type ValidTicket = Extract<CheckedTicket, { ok: true }>;

interface DirectDeps extends StoreDeps {
  store: ObjectStore;
  config: GatewayConfig;
  keyRing: KeyRing;
  parser: RequestParser;
  catalog: CatalogCache;
}

interface RequestInfo {
  requestId: string;
  keyLabel: string;
  callerIp: string;
}

function send(res: Response, response: XmlResponse): void {
  res.status(response.status);
  res.set({ 'Content-Type': 'application/xml; charset=utf-8', ...response.headers });
  res.send(response.body);
}

/** Uploads, resolves and stores one ticket, in the order the gateway and the worker do. */
async function storeOne(deps: DirectDeps, ticket: ValidTicket, request: RequestInfo): Promise<TicketOutcome> {
  const jobId = randomUUID();
  const uploaded = await uploadAttachments(deps.store, [{ jobId, attachments: ticket.attachments }]);
  const data: TicketJobData = {
    ...request,
    index: ticket.index,
    ticket: ticket.fields,
    attachments: uploaded.get(jobId)!,
  };

  const catalog = await deps.catalog.get();
  let resolved;
  try {
    resolved = catalog.resolve(data.ticket);
  } catch (error) {
    if (!(error instanceof TicketRejection)) throw error;
    await deps.store.removeAll(uploadedKeys(jobId, data.attachments));
    return { index: ticket.index, status: 'rejected', reason: error.reason, warnings: ticket.warnings };
  }

  const result = await storeTicket(deps, jobId, data, resolved);
  // A marker left behind is removed with the bench's bucket, so a failure is not reported.
  if (data.attachments.length > 0) void deps.store.remove(pendingMarkerKey(jobId)).catch(() => undefined);
  return {
    index: ticket.index,
    status: 'stored',
    ticketId: result.ticketId,
    warnings: [...ticket.warnings, ...result.warnings],
  };
}

function createHandler(deps: DirectDeps) {
  return async function handleDirect(req: Request, res: Response): Promise<void> {
    const request = { requestId: randomUUID(), keyLabel: '', callerIp: req.socket.remoteAddress ?? '' };
    try {
      const scanner = new AttachmentScanner();
      const body = await readBody(req, deps.config.maxBodyBytes, { onProgress: (buffer, received) => scanner.scan(buffer, received) });
      const xml = decodeBody(body);
      const document = deps.parser.parse(xml, xml === body ? scanner.finishNow(body) : undefined);
      const keyLabel = document.apiKey ? deps.keyRing.identify(document.apiKey) : undefined;
      if (!keyLabel) throw new RequestError(401, 'invalid API key');
      request.keyLabel = keyLabel;
      if (document.tickets.length === 0) throw new RequestError(400, 'no <ticket> elements');

      const checked = document.tickets.map((ticket, i) => checkTicket(ticket, i + 1, deps.config, document.attachmentData));
      // Tickets of one document are stored one after another; the bench sends one-ticket documents here.
      const outcomes: TicketOutcome[] = [];
      for (const ticket of checked) {
        outcomes.push(
          ticket.ok
            ? await storeOne(deps, ticket, request)
            : { index: ticket.index, status: 'rejected', reason: ticket.reason, warnings: [] },
        );
      }
      send(res, ticketsResponse(outcomes));
    } catch (error) {
      if (error instanceof RequestError) {
        send(res, errorResponse(error));
        return;
      }
      console.error(`direct server: request ${request.requestId} failed:`, error);
      send(res, errorResponse(new RequestError(500, `internal error: the direct server's stderr has the details of request ${request.requestId}`)));
    }
  };
}

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const workerConfig = loadWorkerConfig(process.env);

  await ensureDatabase(workerConfig.databaseUrl);
  // The same pool size as the worker, so both paths get the same number of connections.
  const dataSource = createDataSource(workerConfig.databaseUrl, databasePoolSize(workerConfig.workerConcurrency));
  await dataSource.initialize();
  await runMigrations(dataSource, workerConfig.databaseUrl);

  const store = await openObjectStore(config);

  const deps: DirectDeps = {
    config,
    keyRing: new KeyRing(config.apiKeys),
    parser: new RequestParser(),
    catalog: new CatalogCache(dataSource, workerConfig.catalogRefreshMs),
    dataSource,
    store,
    defaultTimezone: workerConfig.defaultTimezone,
  };

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/api', createHandler(deps));

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  const stop = () => {
    server.close();
    server.closeAllConnections();
    dataSource.destroy().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.send?.({ type: 'ready', url: `http://${config.host}:${port}` });
}

main().catch((error: unknown) => {
  console.error('direct server failed to start:', error);
  process.exit(1);
});
