import type { TicketOutcome } from '../intake/outcome';
import type { RequestError } from '../errors';

export interface XmlResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

// Characters XML 1.0 forbids, and lone surrogates, become U+FFFD so the response always parses.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function element(name: string, text: string | number): string {
  return `<${name}>${escapeXml(String(text))}</${name}>`;
}

function envelope(lines: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<msapi>\n${lines.map((line) => `  ${line}\n`).join('')}</msapi>\n`;
}

/** Builds the response to a request that failed as a whole, so nothing was stored. */
export function errorResponse(error: RequestError): XmlResponse {
  const lines = [element('status', 'ERROR'), element('message', error.reason), element('reason', error.reason)];
  if (error.details.length > 0) {
    const details = error.details.map((detail) => {
      const line = detail.line ? ` line="${detail.line}"` : '';
      return `    <error${line}>${escapeXml(detail.message)}</error>`;
    });
    lines.push(`<errors>\n${details.join('\n')}\n  </errors>`);
  }
  return { status: error.status, body: envelope(lines), headers: error.headers };
}

const RESULT_STATUS = { stored: 'OK', rejected: 'ERROR', 'not-created': 'ERROR', pending: 'PENDING' } as const;

function resultEntry(outcome: TicketOutcome): string {
  const parts = [element('status', RESULT_STATUS[outcome.status])];
  if (outcome.status === 'stored') {
    parts.push(element('ticketID', outcome.ticketId));
  } else {
    parts.push(element('reason', `ticket ${outcome.index}: ${outcome.reason}`));
  }
  for (const warning of outcome.warnings) parts.push(element('warning', warning));
  return `    <ticket index="${outcome.index}">${parts.join('')}</ticket>`;
}

/**
 * Returns the HTTP status of a request whose tickets were processed. It is 504 while any
 * ticket is still being processed, else 200 when at least one was stored, 422 when every
 * ticket had invalid data, and 503 when a service was unavailable and nothing was stored.
 */
function httpStatus(outcomes: TicketOutcome[]): number {
  if (outcomes.some((outcome) => outcome.status === 'pending')) return 504;
  if (outcomes.some((outcome) => outcome.status === 'stored')) return 200;
  if (outcomes.every((outcome) => outcome.status === 'rejected')) return 422;
  return 503;
}

function summary(outcomes: TicketOutcome[], stored: number): string {
  if (stored > 0) return `${stored} ${stored === 1 ? 'ticket' : 'tickets'} added`;
  // Nothing was stored, so every outcome carries a reason.
  const first = outcomes[0] as Exclude<TicketOutcome, { status: 'stored' }>;
  const firstReason = `ticket ${first.index}: ${first.reason}`;
  if (outcomes.length === 1) return firstReason;
  return `no tickets added; ${firstReason} (every ticket's result is in <results>)`;
}

/**
 * Builds the response to a processed request: the 4.x envelope (`<status>`, `<ticketID>` of the
 * last stored ticket, `<message>`), `<reason>` when nothing was stored, and one
 * `<results>` entry per `<ticket>` in document order.
 */
export function ticketsResponse(outcomes: TicketOutcome[]): XmlResponse {
  const storedIds = outcomes.flatMap((outcome) => (outcome.status === 'stored' ? [outcome.ticketId] : []));
  const message = summary(outcomes, storedIds.length);

  const lines = [element('status', storedIds.length > 0 ? 'OK' : 'ERROR')];
  if (storedIds.length > 0) lines.push(element('ticketID', storedIds[storedIds.length - 1]!));
  lines.push(element('message', message));
  if (storedIds.length === 0) lines.push(element('reason', message));
  lines.push(`<results>\n${outcomes.map(resultEntry).join('\n')}\n  </results>`);

  return { status: httpStatus(outcomes), body: envelope(lines) };
}
