import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { basicAuth } from './basic-auth';
import type { BasicCredentials } from './config';
import { summariseTicketJob } from './job-summary';

/** Path under which Bull Board is mounted. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * Content-Security-Policy of the dashboard pages. Bull Board 9.10.1 links a Google Fonts
 * stylesheet in its HTML; `style-src 'self'` stops that request, so the page works
 * without internet access and falls back to local fonts. The UI sets inline style
 * attributes, which need 'unsafe-inline' for styles. Its scripts and its syntax
 * highlighting web worker all load from this server, so scripts need only 'self'.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardAppDeps {
  queue: Queue;
  credentials: BasicCredentials;
  readOnly: boolean;
  logger: Logger;
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  next();
};

/**
 * Rejects adding jobs and editing job data. The dashboard shows only a summary of each
 * job's data, so a job added or edited from it would carry that summary in place of
 * the ticket. Retrying, removing and cleaning stay possible.
 */
function rejectJobDataWrites(): express.Router {
  const router = express.Router();
  const reject: RequestHandler = (_req, res) => {
    res.status(403).json({
      error: 'adding jobs and editing job data are disabled: the dashboard shows only a summary of the ticket data',
    });
  };
  router.post('/api/queues/:queueName/add', reject);
  router.patch('/api/queues/:queueName/:jobId/update-data', reject);
  return router;
}

/**
 * Builds the dashboard's Express application: GET /healthz without authentication and
 * Bull Board for `deps.queue` under DASHBOARD_PATH behind HTTP Basic authentication.
 */
export function createDashboardApp(deps: DashboardAppDeps): express.Express {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);

  // readOnlyMode makes Bull Board hide its job and queue actions and return 405 from
  // the API calls behind them.
  const queueAdapter = new BullMQAdapter(deps.queue, { readOnlyMode: deps.readOnly });
  queueAdapter.setFormatter('data', summariseTicketJob);
  createBullBoard({
    queues: [queueAdapter],
    serverAdapter,
    // The docs link in the header points to an outside site; operators of this
    // dashboard may have no internet access.
    options: { uiConfig: { boardTitle: 'Ticket intake', hideDocsLink: true } },
  });

  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/', (_req, res) => {
    res.redirect(DASHBOARD_PATH);
  });

  const board = serverAdapter.getRouter() as express.Express;
  board.disable('x-powered-by');

  app.use(
    DASHBOARD_PATH,
    securityHeaders,
    basicAuth({ credentials: deps.credentials, realm: 'ticket-intake dashboard', logger: deps.logger }),
    rejectJobDataWrites(),
    board,
  );

  return app;
}
