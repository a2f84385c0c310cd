import type { NextFunction, Request, Response } from 'express';
import { registerQueueGauge, type JobCounts } from '@ticket-intake/shared';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestError } from '../errors';
import type { TicketOutcome } from '../intake/outcome';
import { DOCTYPE_REASON } from '../xml/parse-request';

/**
 * Reason labels of a request that failed as a whole. Bad requests (400) are distinguished
 * by the start of their reason text, and every other status maps to one label.
 */
const BAD_REQUEST_REASONS: [prefix: string, label: string][] = [
  ['XML is not well-formed', 'bad_xml'],
  [DOCTYPE_REASON, 'bad_xml'],
  ['root element must be', 'schema'],
  ['XML does not match the schema', 'schema'],
  ['no <ticket> elements', 'no_tickets'],
  ['operation not supported', 'unsupported'],
  ['no data received', 'empty_body'],
];

const STATUS_REASONS: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
  504: 'timeout',
};

/** Returns the `reason` label of ticket_intake_requests_rejected_total for a failed request. */
export function rejectionReason(error: Pick<RequestError, 'status' | 'reason'>): string {
  if (error.status === 400) {
    const match = BAD_REQUEST_REASONS.find(([prefix]) => error.reason.startsWith(prefix));
    return match ? match[1] : 'bad_request';
  }
  return STATUS_REASONS[error.status] ?? 'other';
}

/** Outcome labels of ticket_intake_ticket_results_total, in Prometheus spelling. */
const OUTCOME_LABELS: Record<TicketOutcome['status'], string> = {
  stored: 'stored',
  rejected: 'rejected',
  'not-created': 'not_created',
  pending: 'pending',
};

/** Seconds; requests wait up to WAIT_TIMEOUT_MS (10 s by default) for their tickets. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Returns the route label of a finished request: the label a handler put in
 * `res.locals.metricsRoute`, else the matched route pattern. A pattern list such as
 * ['/api', '/index.php'] gives the listed path that was requested. Requests that no route
 * handled get "unmatched", so raw URLs never become label values.
 */
function routeLabel(req: Request, res: Response): string {
  const explicit: unknown = res.locals.metricsRoute;
  if (typeof explicit === 'string') return explicit;
  if (res.statusCode === 404) return 'unmatched';

  const pattern: unknown = req.route?.path;
  if (typeof pattern === 'string') return pattern;
  if (Array.isArray(pattern) && pattern.includes(req.path)) return req.path;
  return 'unmatched';
}

/**
 * Prometheus metrics of one gateway process, in a registry of its own so that several
 * gateways in one test process do not share counters.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'ticket_intake_http_request_duration_seconds',
    help: 'Time from receiving a request to sending the whole response, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly requestsRejected = new Counter({
    name: 'ticket_intake_requests_rejected_total',
    help: 'Requests that failed as a whole, so no ticket of them was queued, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly ticketResults = new Counter({
    name: 'ticket_intake_ticket_results_total',
    help: 'Ticket results sent to clients, by outcome; a pending ticket is counted again when a retry gets its final result',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly attachmentBytesUploaded = new Counter({
    name: 'ticket_intake_attachment_bytes_uploaded_total',
    help: 'Decoded attachment bytes uploaded to the object store for tickets that were queued',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const label of Object.values(OUTCOME_LABELS)) this.ticketResults.inc({ outcome: label }, 0);
  }

  /** Adds the ticket_intake_queue_jobs gauge; see registerQueueGauge. */
  watchQueue(readCounts: () => Promise<JobCounts>, logger: Logger): void {
    registerQueueGauge(this.registry, readCounts, logger);
  }

  /** Express middleware that times every request; register it before the routes. */
  readonly observeRequests = (req: Request, res: Response, next: NextFunction): void => {
    const stopTimer = this.requestDuration.startTimer();
    res.once('finish', () => {
      stopTimer({ route: routeLabel(req, res), method: req.method, status_code: String(res.statusCode) });
    });
    next();
  };

  /** Counts a request that failed as a whole. */
  requestRejected(error: Pick<RequestError, 'status' | 'reason'>): void {
    this.requestsRejected.inc({ reason: rejectionReason(error) });
  }

  /** Counts the results of tickets that a response reports for the first time. */
  ticketsAnswered(outcomes: TicketOutcome[]): void {
    for (const outcome of outcomes) this.ticketResults.inc({ outcome: OUTCOME_LABELS[outcome.status] });
  }

  attachmentsUploaded(bytes: number): void {
    if (bytes > 0) this.attachmentBytesUploaded.inc(bytes);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Returns every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
