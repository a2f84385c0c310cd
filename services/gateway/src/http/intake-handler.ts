import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/key-ring';
import type { GatewayConfig } from '../config';
import { RequestError } from '../errors';
import type { FailedKeyThrottle } from '../guards/failed-key-throttle';
import type { RateLimiter } from '../guards/rate-limiter';
import { hashBody, type IdempotencyStore } from '../intake/idempotency-store';
import type { IntakeService, RequestContext } from '../intake/intake-service';
import type { TicketOutcome } from '../intake/outcome';
import type { GatewayMetrics } from '../observability/metrics';
import { checkTicket } from '../tickets/check-ticket';
import type { DecodeThread } from '../tickets/decode-thread';
import { AttachmentScanner, type AttachmentData } from '../xml/attachment-data';
import type { RequestDocument, RequestParser } from '../xml/parse-request';
import { decodeBody } from './decode-body';
import { readBody } from './read-body';
import { errorResponse, ticketsResponse, type XmlResponse } from './xml-response';

export interface IntakeHandlerDeps {
  config: GatewayConfig;
  keyRing: KeyRing;
  parser: RequestParser;
  intake: IntakeService;
  rateLimiter: RateLimiter;
  failedKeys: FailedKeyThrottle;
  idempotency: IdempotencyStore;
  logger: Logger;
  metrics?: Pick<GatewayMetrics, 'requestRejected' | 'ticketsAnswered' | 'attachmentsUploaded'>;
  /** Decodes the attachment data of large bodies beside the event loop. Without it, they are decoded on it. */
  decodeThread?: DecodeThread;
}

const INVALID_KEY = 'invalid API key';
/** Bodies from this size on are decoded on the decode thread, when the gateway has one. */
const SHARED_BODY_BYTES = 512 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

function send(res: Response, response: XmlResponse): void {
  res.status(response.status);
  res.set({ 'Content-Type': 'application/xml; charset=utf-8', ...response.headers });
  res.send(response.body);
}

function requestIdOf(req: Request): string {
  const sent = req.get('x-request-id');
  return sent && REQUEST_ID.test(sent) ? sent : randomUUID();
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new RequestError(400, `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long`);
  }
  return key;
}

function checkOperationAndCount(document: RequestDocument, maxTickets: number): void {
  const op = document.op === undefined || document.op === '' ? 'ticket' : document.op;
  if (op !== 'ticket') throw new RequestError(400, `operation not supported: "${op}"; only "ticket" is`);

  const count = document.tickets.length;
  if (count === 0) throw new RequestError(400, 'no <ticket> elements: the document has 0 tickets');
  if (count > maxTickets) {
    throw new RequestError(413, `too many tickets: the document has ${count}, the limit is ${maxTickets} per request`);
  }
}

/** Creates the handler of `POST /api` and the legacy Maian endpoint forms. */
export function createIntakeHandler(deps: IntakeHandlerDeps) {
  const { config, keyRing, parser, intake, rateLimiter, failedKeys, idempotency, metrics } = deps;

  /**
   * Resolves the key label from the X-API-Key header and `<api>`. A missing and a wrong
   * key get the same response, so callers cannot probe for labels; failures count towards
   * the caller address's throttle.
   */
  async function authenticate(
    logger: Logger,
    callerIp: string,
    headerKey: string | undefined,
    documentKey: string | undefined,
  ) {
    const mismatch = headerKey !== undefined && documentKey !== undefined && documentKey !== '' && headerKey !== documentKey;
    const presented = headerKey ?? documentKey;
    const label = !mismatch && presented ? keyRing.identify(presented) : undefined;
    if (label) return label;

    await failedKeys.recordFailure(callerIp).catch((error: unknown) => {
      logger.warn({ err: error }, 'counting a wrong API key failed; the address is not throttled');
    });
    throw new RequestError(401, mismatch ? `${INVALID_KEY}: the X-API-Key header and <api> differ` : INVALID_KEY);
  }

  /** Takes a token of the key's bucket; while Redis fails, requests pass and the queue decides. */
  async function checkRate(logger: Logger, keyLabel: string): Promise<void> {
    let decision;
    try {
      decision = await rateLimiter.take(keyLabel);
    } catch (error) {
      logger.warn({ err: error }, 'rate limit check failed; the request is not limited');
      return;
    }
    if (decision.allowed) return;
    const retryAfter = String(decision.retryAfterSeconds);
    throw new RequestError(429, `rate limit of this API key exceeded; retry after ${retryAfter} s`, [], {
      'Retry-After': retryAfter,
    });
  }

  /**
   * Reads the body and, unless the header key is wrong, scans it for attachment data
   * while it arrives. Large bodies go to shared memory, where the decode thread reads
   * them. A key in the header is checked before the body is parsed, to spare the work.
   */
  async function receive(req: Request, logger: Logger, callerIp: string, headerKey: string | undefined) {
    const scanner = new AttachmentScanner(deps.decodeThread?.open);
    const scan = headerKey === undefined || keyRing.identify(headerKey) !== undefined;
    const sharedFrom = deps.decodeThread ? SHARED_BODY_BYTES : Infinity;
    let scanned: AttachmentData | undefined;
    try {
      const body = await readBody(req, config.maxBodyBytes, scan ? { onProgress: scanner.scan.bind(scanner), sharedFrom } : {});
      if (headerKey !== undefined) await authenticate(logger, callerIp, headerKey, undefined);
      // A percent-encoded body is decoded first, and its XML is scanned afterwards.
      const xml = decodeBody(body);
      if (scan && xml === body) scanned = await scanner.finish(body);
      return { body, xml, scanned };
    } finally {
      if (!scanned) scanner.discard();
    }
  }

  async function processTickets(document: RequestDocument, context: RequestContext): Promise<TicketOutcome[]> {
    const checked = document.tickets.map((ticket, i) => checkTicket(ticket, i + 1, config, document.attachmentData));
    const outcomes = await intake.submit(checked, context);

    const files = checked.flatMap((ticket) => (ticket.ok ? ticket.attachments : []));
    metrics?.attachmentsUploaded(files.reduce((sum, file) => sum + file.bytes.length, 0));
    metrics?.ticketsAnswered(outcomes);
    return outcomes;
  }

  /**
   * Runs the tickets once per Idempotency-Key: a repeat with the same body gets the
   * first response (waiting for it while the first request runs), a repeat with another
   * body gets 409. A request that stored nothing because a service was down releases
   * the key, so a retry tries again.
   */
  async function processOnce(
    idempotencyKey: string,
    body: Buffer,
    document: RequestDocument,
    context: RequestContext,
  ): Promise<XmlResponse> {
    const bodyHash = hashBody(body);
    const { keyLabel } = context;

    for (let attempt = 0; attempt < 2; attempt++) {
      const claim = await idempotency.claim(keyLabel, idempotencyKey, bodyHash);
      if (claim.kind === 'conflict') {
        throw new RequestError(409, 'Idempotency-Key was already used with a different request body');
      }

      let outcomes: TicketOutcome[];
      if (claim.kind === 'claimed') {
        try {
          outcomes = await processTickets(document, context);
        } catch (error) {
          await idempotency.release(keyLabel, idempotencyKey);
          throw error;
        }
      } else {
        let record = claim.record;
        if (record.state === 'processing') {
          const waitMs = config.waitTimeoutMs + 5_000;
          const settled = await idempotency.waitWhileProcessing(keyLabel, idempotencyKey, waitMs);
          if (!settled) continue;
          if (settled.state === 'processing') {
            throw new RequestError(504, 'a request with the same Idempotency-Key is still being processed; retry later');
          }
          record = settled;
        }
        if (record.state === 'done') {
          return { status: record.status, body: record.body, headers: { 'Idempotent-Replayed': 'true' } };
        }
        const earlier = record.outcomes;
        outcomes = await intake.resume(earlier, context);
        // Only the tickets that were pending get a new result; the others were counted before.
        metrics?.ticketsAnswered(outcomes.filter((_outcome, i) => earlier[i]!.status === 'pending'));
      }

      const response = ticketsResponse(outcomes);
      if (response.status === 503) {
        await idempotency.release(keyLabel, idempotencyKey);
      } else if (response.status === 504) {
        await idempotency.save(keyLabel, idempotencyKey, { state: 'waiting', bodyHash, outcomes });
      } else {
        await idempotency.save(keyLabel, idempotencyKey, { state: 'done', bodyHash, ...response });
      }
      return response;
    }
    throw new RequestError(503, 'the request with the same Idempotency-Key failed; retry later');
  }

  return async function handleIntake(req: Request, res: Response): Promise<void> {
    const requestId = requestIdOf(req);
    res.set('X-Request-Id', requestId);
    const logger = deps.logger.child({ requestId });
    const callerIp = req.ip ?? req.socket.remoteAddress ?? '';

    try {
      const blockedFor = await failedKeys.blockedFor(callerIp).catch((error: unknown) => {
        logger.warn({ err: error }, 'reading the wrong-key count failed; the address is not throttled');
        return 0;
      });
      if (blockedFor > 0) {
        throw new RequestError(429, `too many requests with a wrong API key; retry after ${blockedFor} s`, [], {
          'Retry-After': String(blockedFor),
        });
      }
      const idempotencyKey = idempotencyKeyOf(req);
      const headerKey = req.get('x-api-key');
      const { body, xml, scanned } = await receive(req, logger, callerIp, headerKey);

      const document = parser.parse(xml, scanned);
      const keyLabel = await authenticate(logger, callerIp, headerKey, document.apiKey);
      // Adding the binding in place spares a second child logger per request.
      logger.setBindings({ keyLabel });

      if (!keyRing.allows(keyLabel, callerIp)) {
        throw new RequestError(403, `address not allowed for this key: ${callerIp}`);
      }
      await checkRate(logger, keyLabel);
      checkOperationAndCount(document, config.maxTicketsPerRequest);

      const context = { requestId, keyLabel, callerIp, logger, idempotent: idempotencyKey !== undefined };
      const response = idempotencyKey
        ? await processOnce(idempotencyKey, body, document, context)
        : ticketsResponse(await processTickets(document, context));
      send(res, response);
      logger.info({ status: response.status, tickets: document.tickets.length }, 'request handled');
    } catch (error) {
      if (!(error instanceof RequestError)) {
        logger.error({ err: error }, 'request failed unexpectedly');
        const internal = new RequestError(500, 'internal error; the request was logged with its X-Request-Id');
        metrics?.requestRejected(internal);
        send(res, errorResponse(internal));
        return;
      }
      logger.info({ status: error.status, reason: error.reason }, 'request rejected');
      metrics?.requestRejected(error);
      send(res, errorResponse(error));
    }
  };
}
