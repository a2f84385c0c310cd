import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseXml, type Element } from 'libxmljs2';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export interface TicketResult {
  index: number;
  status: string;
  ticketId?: number;
  reason?: string;
  warnings: string[];
}

export interface ApiResponse {
  httpStatus: number;
  headers: Headers;
  raw: string;
  status: string;
  ticketId?: number;
  message?: string;
  reason?: string;
  errors: { line?: number; message: string }[];
  results: TicketResult[];
}

function text(parent: Element, name: string): string | undefined {
  return parent.get<Element>(name)?.text();
}

/** Parses a response of the service; throws when it is not well-formed XML. */
export function parseApiResponse(httpStatus: number, headers: Headers, raw: string): ApiResponse {
  const root = parseXml(raw).root()!;
  const ticketId = text(root, 'ticketID');
  return {
    httpStatus,
    headers,
    raw,
    status: text(root, 'status') ?? '',
    ticketId: ticketId === undefined ? undefined : Number(ticketId),
    message: text(root, 'message'),
    reason: text(root, 'reason'),
    errors: root.find<Element>('errors/error').map((error) => {
      const line = error.attr('line')?.value();
      return { line: line === undefined ? undefined : Number(line), message: error.text() };
    }),
    results: root.find<Element>('results/ticket').map((entry) => {
      const id = text(entry, 'ticketID');
      return {
        index: Number(entry.attr('index')!.value()),
        status: text(entry, 'status') ?? '',
        ticketId: id === undefined ? undefined : Number(id),
        reason: text(entry, 'reason'),
        warnings: entry.find<Element>('warning').map((warning) => warning.text()),
      };
    }),
  };
}

/** POSTs a body to the service and parses the XML response. */
export async function post(
  url: string,
  body: Buffer | string,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const response = await fetch(`${url}${options.path ?? '/api'}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', ...options.headers },
    body,
  });
  const raw = await response.text();
  return parseApiResponse(response.status, response.headers, raw);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
