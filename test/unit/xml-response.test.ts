import { parseXml, type Element } from 'libxmljs2';
import { RequestError } from '../../services/gateway/src/errors';
import { errorResponse, escapeXml, ticketsResponse } from '../../services/gateway/src/http/xml-response';
import type { TicketOutcome } from '../../services/gateway/src/intake/outcome';

function stored(index: number, ticketId: number, warnings: string[] = []): TicketOutcome {
  return { index, status: 'stored', ticketId, warnings };
}

function rejected(index: number, reason: string, warnings: string[] = []): TicketOutcome {
  return { index, status: 'rejected', reason, warnings };
}

function notCreated(index: number, reason = 'queue unavailable'): TicketOutcome {
  return { index, status: 'not-created', reason, warnings: [] };
}

function pending(index: number): TicketOutcome {
  return { index, status: 'pending', reason: 'still being processed', warnings: [], jobId: `job-${index}` };
}

/** Parses a response body and throws when it is not well-formed. */
function rootOf(body: string): Element {
  return parseXml(body).root()!;
}

function childText(parent: Element, name: string): string | undefined {
  return parent.get<Element>(name)?.text();
}

function childNames(parent: Element): string[] {
  return parent.childNodes().filter((node) => node.type() === 'element').map((node) => (node as Element).name());
}

function resultsOf(root: Element) {
  return root.find<Element>('results/ticket').map((entry) => ({
    index: entry.attr('index')!.value(),
    status: childText(entry, 'status'),
    ticketId: childText(entry, 'ticketID'),
    reason: childText(entry, 'reason'),
    warnings: entry.find<Element>('warning').map((warning) => warning.text()),
  }));
}

describe('ticketsResponse statuses', () => {
  test.each([
    { label: 'all stored', outcomes: [stored(1, 10), stored(2, 11)], status: 200 },
    { label: 'one stored, one rejected', outcomes: [stored(1, 10), rejected(2, 'email: missing')], status: 200 },
    { label: 'one stored, one not created', outcomes: [notCreated(1), stored(2, 11)], status: 200 },
    { label: 'all rejected', outcomes: [rejected(1, 'a'), rejected(2, 'b')], status: 422 },
    { label: 'all not created', outcomes: [notCreated(1), notCreated(2)], status: 503 },
    { label: 'rejected and not created', outcomes: [rejected(1, 'a'), notCreated(2)], status: 503 },
    { label: 'one pending', outcomes: [pending(1)], status: 504 },
    { label: 'stored and pending', outcomes: [stored(1, 10), pending(2)], status: 504 },
    { label: 'rejected and pending', outcomes: [rejected(1, 'a'), pending(2)], status: 504 },
  ])('HTTP status for $label', ({ outcomes, status }) => {
    expect(ticketsResponse(outcomes).status).toBe(status);
  });
});

describe('ticketsResponse envelope', () => {
  test('success envelope shape', () => {
    const response = ticketsResponse([stored(1, 41, ['language: "x" is not configured']), stored(2, 42)]);
    const root = rootOf(response.body);

    expect(response.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<msapi>')).toBe(true);
    expect(root.name()).toBe('msapi');
    expect(childNames(root)).toEqual(['status', 'ticketID', 'message', 'results']);
    expect(childText(root, 'status')).toBe('OK');
    expect(childText(root, 'ticketID')).toBe('42');
    expect(childText(root, 'message')).toBe('2 tickets added');
    expect(resultsOf(root)).toEqual([
      { index: '1', status: 'OK', ticketId: '41', reason: undefined, warnings: ['language: "x" is not configured'] },
      { index: '2', status: 'OK', ticketId: '42', reason: undefined, warnings: [] },
    ]);
  });

  test('one ticket message is singular', () => {
    const root = rootOf(ticketsResponse([stored(1, 7)]).body);

    expect(childText(root, 'message')).toBe('1 ticket added');
  });

  test('ticketID is last stored', () => {
    const root = rootOf(ticketsResponse([stored(1, 30), stored(2, 29), rejected(3, 'subject: empty')]).body);

    expect(childText(root, 'ticketID')).toBe('29');
    expect(childText(root, 'message')).toBe('2 tickets added');
  });

  test('partial success shape', () => {
    const root = rootOf(ticketsResponse([rejected(1, 'email: missing', []), stored(2, 5)]).body);

    expect(childNames(root)).toEqual(['status', 'ticketID', 'message', 'results']);
    expect(childText(root, 'status')).toBe('OK');
    expect(resultsOf(root)).toEqual([
      { index: '1', status: 'ERROR', ticketId: undefined, reason: 'ticket 1: email: missing', warnings: [] },
      { index: '2', status: 'OK', ticketId: '5', reason: undefined, warnings: [] },
    ]);
  });

  test('single rejection names reason', () => {
    const response = ticketsResponse([rejected(1, 'dept: department 9 not found')]);
    const root = rootOf(response.body);

    expect(childNames(root)).toEqual(['status', 'message', 'reason', 'results']);
    expect(childText(root, 'status')).toBe('ERROR');
    expect(childText(root, 'message')).toBe('ticket 1: dept: department 9 not found');
    expect(childText(root, 'reason')).toBe('ticket 1: dept: department 9 not found');
  });

  test('several rejections point to results', () => {
    const root = rootOf(ticketsResponse([rejected(1, 'email: missing'), rejected(2, 'subject: empty')]).body);

    const expected = "no tickets added; ticket 1: email: missing (every ticket's result is in <results>)";
    expect(childText(root, 'message')).toBe(expected);
    expect(childText(root, 'reason')).toBe(expected);
    expect(resultsOf(root).map((result) => result.reason)).toEqual([
      'ticket 1: email: missing',
      'ticket 2: subject: empty',
    ]);
  });

  test('not created result is ERROR', () => {
    const root = rootOf(ticketsResponse([notCreated(1, 'not created: database unavailable')]).body);

    expect(resultsOf(root)).toEqual([
      {
        index: '1',
        status: 'ERROR',
        ticketId: undefined,
        reason: 'ticket 1: not created: database unavailable',
        warnings: [],
      },
    ]);
  });

  test('pending result is PENDING', () => {
    const response = ticketsResponse([stored(1, 3), pending(2)]);
    const root = rootOf(response.body);

    expect(childText(root, 'status')).toBe('OK');
    expect(childText(root, 'ticketID')).toBe('3');
    expect(resultsOf(root)[1]).toEqual({
      index: '2',
      status: 'PENDING',
      ticketId: undefined,
      reason: 'ticket 2: still being processed',
      warnings: [],
    });
    expect(response.body).not.toContain('job-2');
  });

  test('results keep document order', () => {
    const root = rootOf(ticketsResponse([stored(1, 9), rejected(2, 'x'), stored(3, 8), pending(4)]).body);

    expect(resultsOf(root).map((result) => result.index)).toEqual(['1', '2', '3', '4']);
  });

  test('warnings kept for rejected tickets', () => {
    const root = rootOf(ticketsResponse([rejected(1, 'x', ['attachment 1 (a) ignored: attachments are disabled'])]).body);

    expect(resultsOf(root)[0]!.warnings).toEqual(['attachment 1 (a) ignored: attachments are disabled']);
  });
});

describe('errorResponse', () => {
  test('document error shape', () => {
    const response = errorResponse(new RequestError(401, 'invalid API key'));
    const root = rootOf(response.body);

    expect(response.status).toBe(401);
    expect(childNames(root)).toEqual(['status', 'message', 'reason']);
    expect(childText(root, 'status')).toBe('ERROR');
    expect(childText(root, 'message')).toBe('invalid API key');
    expect(childText(root, 'reason')).toBe('invalid API key');
  });

  test('details listed under errors', () => {
    const error = new RequestError(400, 'XML does not match the schema: line 3: bad', [
      { line: 3, message: 'bad' },
      { message: 'no line <here>' },
    ]);

    const root = rootOf(errorResponse(error).body);

    const errors = root.find<Element>('errors/error');
    expect(childNames(root)).toEqual(['status', 'message', 'reason', 'errors']);
    expect(errors).toHaveLength(2);
    expect(errors[0]!.attr('line')!.value()).toBe('3');
    expect(errors[0]!.text()).toBe('bad');
    expect(errors[1]!.attr('line')).toBeNull();
    expect(errors[1]!.text()).toBe('no line <here>');
  });

  test('headers passed through', () => {
    const error = new RequestError(413, 'too big', [], { Connection: 'close' });

    expect(errorResponse(error).headers).toEqual({ Connection: 'close' });
  });

  test.each([400, 401, 403, 413, 415, 429, 500, 503])('keeps HTTP status %i', (status) => {
    expect(errorResponse(new RequestError(status, 'reason')).status).toBe(status);
  });
});

describe('escapeXml', () => {
  test.each([
    { label: 'ampersand', input: 'a & b', expected: 'a &amp; b' },
    { label: 'angle brackets', input: '<msapi>', expected: '&lt;msapi&gt;' },
    { label: 'double quote', input: 'say "hi"', expected: 'say &quot;hi&quot;' },
    { label: 'existing entity', input: '&amp;', expected: '&amp;amp;' },
    { label: 'tab and line breaks', input: 'a\tb\nc\rd', expected: 'a\tb\nc\rd' },
    { label: 'emoji', input: 'fire \u{1F525}', expected: 'fire \u{1F525}' },
    { label: 'NUL', input: 'a\u0000b', expected: 'a\uFFFDb' },
    { label: 'escape character', input: 'a\u001Bb', expected: 'a\uFFFDb' },
    { label: 'vertical tab and form feed', input: '\u000B\u000C', expected: '\uFFFD\uFFFD' },
    { label: 'U+FFFE and U+FFFF', input: '\uFFFE\uFFFF', expected: '\uFFFD\uFFFD' },
    { label: 'lone high surrogate', input: 'a\uD83Db', expected: 'a\uFFFDb' },
    { label: 'lone low surrogate', input: 'a\uDE00b', expected: 'a\uFFFDb' },
    { label: 'high surrogate at the end', input: 'a\uD83D', expected: 'a\uFFFD' },
  ])('escapes $label', ({ input, expected }) => {
    expect(escapeXml(input)).toBe(expected);
  });

  test('invalid characters keep response well-formed', () => {
    const reason = 'comments: bad \u0001 & <x> "q" \uD800 \uFFFF';

    const root = rootOf(ticketsResponse([rejected(1, reason, ['w \u0002'])]).body);

    expect(childText(root, 'reason')).toBe('ticket 1: comments: bad \uFFFD & <x> "q" \uFFFD \uFFFD');
    expect(resultsOf(root)[0]!.warnings).toEqual(['w \uFFFD']);
  });

  test('error details kept well-formed', () => {
    const error = new RequestError(400, 'bad \u0000', [{ line: 1, message: '</errors> \u0008' }]);

    const root = rootOf(errorResponse(error).body);

    expect(childText(root, 'reason')).toBe('bad \uFFFD');
    expect(root.get<Element>('errors/error')!.text()).toBe('</errors> \uFFFD');
  });
});
