import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/key-ring';
import type { GatewayConfig } from '../config';
import { RequestError } from '../errors';
import type { IntakeService } from '../intake/intake-service';
import { checkTicket } from '../tickets/check-ticket';
import type { RequestParser } from '../xml/parse-request';
import { decodeBody } from './decode-body';
import { readBody } from './read-body';
import { errorResponse, ticketsResponse, type XmlResponse } from './xml-response';

export interface IntakeHandlerDeps {
  config: GatewayConfig;
  keyRing: KeyRing;
  parser: RequestParser;
  intake: IntakeService;
  logger: Logger;
}

const INVALID_KEY = 'invalid API key';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function send(res: Response, response: XmlResponse): void {
  res.status(response.status);
  res.set({ 'Content-Type': 'application/xml; charset=utf-8', ...response.headers });
  res.send(response.body);
}

/**
 * Resolves the caller's key label from the `X-API-Key` header and the document's `<api>`.
 * A missing key and a wrong key get the same answer, so callers cannot probe for labels.
 */
function authenticate(keyRing: KeyRing, headerKey: string | undefined, documentKey: string | undefined): string {
  if (headerKey !== undefined && documentKey !== undefined && documentKey !== '' && headerKey !== documentKey) {
    throw new RequestError(401, `${INVALID_KEY}: the X-API-Key header and <api> differ`);
  }
  const presented = headerKey ?? documentKey;
  const label = presented ? keyRing.identify(presented) : undefined;
  if (!label) throw new RequestError(401, INVALID_KEY);
  return label;
}

/** Creates the handler of `POST /api` and the legacy Maian endpoint forms. */
export function createIntakeHandler(deps: IntakeHandlerDeps) {
  const { config, keyRing, parser, intake } = deps;

  return async function handleIntake(req: Request, res: Response): Promise<void> {
    const sentId = req.get('x-request-id');
    const requestId = sentId && REQUEST_ID.test(sentId) ? sentId : randomUUID();
    res.set('X-Request-Id', requestId);
    let logger = deps.logger.child({ requestId });
    const callerIp = req.ip ?? req.socket.remoteAddress ?? '';

    try {
      const body = await readBody(req, config.maxBodyBytes);

      // A key in the header is checked before the body is parsed, to spare the work.
      const headerKey = req.get('x-api-key');
      if (headerKey !== undefined) authenticate(keyRing, headerKey, undefined);

      const document = parser.parse(decodeBody(body));
      const keyLabel = authenticate(keyRing, headerKey, document.apiKey);
      logger = logger.child({ keyLabel });

      if (!keyRing.allows(keyLabel, callerIp)) {
        throw new RequestError(403, `address not allowed for this key: ${callerIp}`);
      }
      const op = document.op === undefined || document.op === '' ? 'ticket' : document.op;
      if (op !== 'ticket') {
        throw new RequestError(400, `operation not supported: "${op}"; only "ticket" is`);
      }

      const count = document.tickets.length;
      if (count === 0) throw new RequestError(400, 'no <ticket> elements: the document has 0 tickets');
      if (count > config.maxTicketsPerRequest) {
        throw new RequestError(
          413,
          `too many tickets: the document has ${count}, the limit is ${config.maxTicketsPerRequest} per request`,
        );
      }

      const checked = document.tickets.map((ticket, i) => checkTicket(ticket, i + 1, config, document.attachmentData));
      const outcomes = await intake.submit(checked, { requestId, keyLabel, callerIp, logger });
      const response = ticketsResponse(outcomes);
      send(res, response);

      const stored = outcomes.filter((outcome) => outcome.status === 'stored').length;
      logger.info({ status: response.status, tickets: count, stored }, 'request handled');
    } catch (error) {
      if (!(error instanceof RequestError)) {
        logger.error({ err: error }, 'request failed unexpectedly');
        send(res, errorResponse(new RequestError(500, 'internal error; the request was logged with its X-Request-Id')));
        return;
      }
      logger.info({ status: error.status, reason: error.reason }, 'request rejected');
      send(res, errorResponse(error));
    }
  };
}
