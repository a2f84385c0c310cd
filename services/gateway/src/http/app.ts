import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayMetrics } from '../observability/metrics';
import { RequestError } from '../errors';
import { errorResponse } from './xml-response';
import { createIntakeHandler, type IntakeHandlerDeps } from './intake-handler';

export interface AppDeps extends IntakeHandlerDeps {
  /** Resolves when the gateway can accept tickets; rejects with the reason otherwise. */
  checkReady: () => Promise<void>;
  metrics: GatewayMetrics;
}

/**
 * True for the URL forms that Maian Support clients are configured with: a query
 * parameter named `api` or `xml` (any value), or `p=api` / `p=xml`.
 */
function isLegacyApiRequest(req: Request): boolean {
  const query = req.query as Record<string, unknown>;
  return 'api' in query || 'xml' in query || query.p === 'api' || query.p === 'xml';
}

/** Builds the gateway's Express application. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false);
  app.set('query parser', 'simple');
  // Responses are generated per request, so an ETag only costs a hash of every body.
  app.set('etag', false);

  const handleIntake = createIntakeHandler(deps);
  app.use(deps.metrics.observeRequests);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await deps.checkReady();
      res.json({ status: 'ready' });
    } catch (error) {
      res.status(503).json({ status: 'not ready', reason: (error as Error).message });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.render());
  });

  app.post('/api', handleIntake);

  app.post(['/', '/index.php'], (req: Request, res: Response, next: NextFunction) => {
    if (!isLegacyApiRequest(req)) {
      next();
      return;
    }
    res.locals.metricsRoute = 'legacy';
    return handleIntake(req, res);
  });

  app.all(['/api', '/index.php'], (req: Request, res: Response, next: NextFunction) => {
    // A POST that reaches this point is /index.php without the legacy query parameters.
    // It is no API request, so it gets the 404 of any unknown URL, not a 405 naming POST.
    if (req.method === 'POST') {
      next();
      return;
    }
    res.set('Allow', 'POST').status(405).type('text/plain').send('Method not allowed: send the ticket XML with POST\n');
  });

  // A POST to any other URL is most likely a client configured with a wrong URL, which
  // parses the response as XML.
  app.post(/.*/, (req: Request, res: Response) => {
    const reason = `not found: ${req.path} is no API endpoint; send tickets to POST /api`;
    const response = errorResponse(new RequestError(404, reason));
    res.status(response.status).type('application/xml; charset=utf-8').send(response.body);
  });

  // Express's own 404 is an HTML page, which no client of this service reads.
  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .set('X-Content-Type-Options', 'nosniff')
      .type('text/plain')
      .send(`Not found: ${req.method} ${req.path} is no endpoint of this service; send tickets with POST /api\n`);
  });

  return app;
}
