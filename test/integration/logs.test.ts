import { Writable } from 'node:stream';
import { createLogger } from '@ticket-intake/shared';
import { QueryFailedError } from 'typeorm';
import { fixture, post } from '../support/http';
import { TEST_API_KEY, startStack, type TestStack } from '../support/stack';

const DOCUMENT = fixture('08-base64-line-wrapped.xml');
const DOCUMENT_TEXT = DOCUMENT.toString('utf8');
const WRONG_KEY = 'wrong-key-7f3a9c';

/** Every line of base64 inside the document's <data> elements. */
const BASE64_LINES = [...DOCUMENT_TEXT.matchAll(/<data>([\s\S]*?)<\/data>/g)]
  .flatMap((match) => match[1]!.split(/\s+/))
  .filter((line) => line.length >= 16);
const COMMENTS = /<comments>([\s\S]*?)<\/comments>/.exec(DOCUMENT_TEXT)![1]!;

type LogLine = Record<string, unknown>;

describe('service logs', () => {
  const output: string[] = [];
  let stack: TestStack;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ name: 'test', level: 'debug', format: 'json', destination });
    stack = await startStack({}, { logger });

    const stored = await post(stack.url, DOCUMENT, {
      headers: { 'X-API-Key': TEST_API_KEY, 'X-Request-Id': 'logs-stored-1' },
    });
    expect(stored.httpStatus).toBe(200);
    const rejected = await post(stack.url, DOCUMENT, {
      headers: { 'X-API-Key': WRONG_KEY, 'X-Request-Id': 'logs-rejected-1' },
    });
    expect(rejected.httpStatus).toBe(401);

    // The worker logs "ticket stored" at about the time the gateway responds.
    const deadline = Date.now() + 5000;
    while (!output.join('').includes('ticket stored') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    await stack.close();
  });

  function lines(): string[] {
    return output.join('').split('\n').filter((line) => line !== '');
  }

  function parsed(): LogLine[] {
    return lines().map((line) => JSON.parse(line) as LogLine);
  }

  test('every line is JSON', () => {
    expect(lines().length).toBeGreaterThan(0);
    for (const line of lines()) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });

  test('handled request has ids', () => {
    const handled = parsed().find((line) => line.msg === 'request handled');

    expect(handled).toBeDefined();
    expect(handled!.requestId).toBe('logs-stored-1');
    expect(handled!.keyLabel).toBe('default');
    expect(handled!.status).toBe(200);
  });

  test('rejected request has its id', () => {
    const rejected = parsed().find((line) => line.msg === 'request rejected');

    expect(rejected).toBeDefined();
    expect(rejected!.requestId).toBe('logs-rejected-1');
    expect(rejected!.status).toBe(401);
  });

  test('stored ticket has job ids', () => {
    const stored = parsed().find((line) => line.msg === 'ticket stored');

    expect(stored).toBeDefined();
    expect(stored!.requestId).toBe('logs-stored-1');
    expect(stored!.keyLabel).toBe('default');
    expect(stored!.ticketIndex).toBe(1);
    expect(typeof stored!.jobId).toBe('string');
  });

  test('start is logged', () => {
    const messages = parsed().map((line) => line.msg);

    expect(messages).toContain('gateway listening');
    expect(messages).toContain('worker started');
  });

  test('no API key in logs', () => {
    const text = output.join('');

    expect(text).not.toContain(TEST_API_KEY);
    expect(text).not.toContain(WRONG_KEY);
  });

  test('no body content in logs', () => {
    const text = output.join('');

    expect(BASE64_LINES.length).toBeGreaterThan(10);
    for (const line of BASE64_LINES) {
      expect(text).not.toContain(line);
    }
    expect(text).not.toContain(COMMENTS);
  });
});

describe('createLogger', () => {
  test('failed query values are redacted', () => {
    const output: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ name: 'test', level: 'info', format: 'json', destination });
    const driverError = Object.assign(new Error('Data too long for column comments'), {
      code: 'ER_DATA_TOO_LONG',
      sql: "INSERT INTO tickets (comments) VALUES ('private comment text')",
    });

    const query = 'INSERT INTO tickets (comments) VALUES (?)';
    logger.error({ err: new QueryFailedError(query, ['private comment text'], driverError) }, 'storing failed');

    const line = JSON.parse(output.join('')) as { err: Record<string, unknown> };
    expect(output.join('')).not.toContain('private comment text');
    expect(line.err.code).toBe('ER_DATA_TOO_LONG');
    expect(line.err.query).toBe(query);
    expect(line.err.parameters).toBe('[Redacted]');
  });
});
