import { EventEmitter } from 'node:events';
import type { Worker } from 'bullmq';
import { QueryFailedError } from 'typeorm';
import { RequestError } from '../../services/gateway/src/errors';
import { decodeBody } from '../../services/gateway/src/http/decode-body';
import { rejectionReason } from '../../services/gateway/src/observability/metrics';
import { RequestParser } from '../../services/gateway/src/xml/parse-request';
import { WorkerMetrics, rejectedField } from '../../services/worker/src/observability/metrics';
import { asRejectionIfDataError } from '../../services/worker/src/tickets/data-errors';
import { TicketRejection } from '../../services/worker/src/tickets/rejection';
import { parseMetrics, sampleValue } from '../support/metrics';

/** Returns the RequestError that `run` throws. */
function errorOf(run: () => unknown): RequestError {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('expected a RequestError');
}

describe('rejectionReason', () => {
  const parser = new RequestParser();
  const parse = (xml: string) => () => parser.parse(Buffer.from(xml));

  test.each([
    ['malformed XML', parse('<msapi><api>'), 'bad_xml'],
    ['DOCTYPE', parse('<!DOCTYPE msapi [<!ENTITY x "y">]><msapi/>'), 'bad_xml'],
    ['wrong root', parse('<request/>'), 'schema'],
    ['unknown element', parse('<msapi><colour>red</colour></msapi>'), 'schema'],
    ['empty body', () => decodeBody(Buffer.from('  \n')), 'empty_body'],
    ['not XML', () => decodeBody(Buffer.from('hello')), 'unsupported'],
  ])('%s maps to its reason', (_case, run, reason) => {
    expect(rejectionReason(errorOf(run))).toBe(reason);
  });

  test.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [409, 'conflict'],
    [413, 'too_large'],
    [429, 'rate_limited'],
    [500, 'internal'],
    [503, 'unavailable'],
    [504, 'timeout'],
    [418, 'other'],
  ])('status %i maps to %s', (status, reason) => {
    expect(rejectionReason(new RequestError(status, 'any reason'))).toBe(reason);
  });

  test('other 400 is bad_request', () => {
    expect(rejectionReason(new RequestError(400, 'Idempotency-Key must be 1 to 255 characters long'))).toBe('bad_request');
  });
});

describe('rejectedField', () => {
  test.each([
    ['dept: department 9 not found', 'dept'],
    ['priority: "urgent" is not a known priority (use one of low, high)', 'priority'],
    ['status: "gone" is not a known status (use one of open)', 'status'],
    ['customfields: f2 (Order) is required', 'customfields'],
    ['comments: value too long', 'other'],
    ['no colon at all', 'other'],
  ])('%s gives %s', (reason, field) => {
    expect(rejectedField(reason)).toBe(field);
  });

  test('database rejection gives database', () => {
    const driverError = Object.assign(new Error('too long'), {
      code: 'ER_DATA_TOO_LONG',
      sqlMessage: "Data too long for column 'subject' at row 1",
    });
    const rejection = asRejectionIfDataError(new QueryFailedError('INSERT', [], driverError));

    expect(rejection).toBeInstanceOf(TicketRejection);
    expect(rejectedField((rejection as TicketRejection).reason)).toBe('database');
  });
});

describe('WorkerMetrics', () => {
  function failedJob(attemptsMade: number) {
    return { attemptsMade, opts: { attempts: 3 }, processedOn: 1000, finishedOn: 1250, data: { attachments: [] } };
  }

  async function samples(metrics: WorkerMetrics) {
    return parseMetrics(await metrics.render());
  }

  test('failed attempts split into retried and final', async () => {
    const metrics = new WorkerMetrics();
    const worker = new EventEmitter();
    metrics.countJobs(worker as unknown as Worker);

    worker.emit('failed', failedJob(1), new Error('database down'), 'active');
    worker.emit('failed', failedJob(2), new Error('database down'), 'active');
    worker.emit('failed', failedJob(3), new Error('database down'), 'active');
    worker.emit('failed', undefined, new Error('lock lost'), 'active');

    const current = await samples(metrics);
    expect(sampleValue(current, 'ticket_intake_job_failures_total', { outcome: 'retried' })).toBe(2);
    expect(sampleValue(current, 'ticket_intake_job_failures_total', { outcome: 'final' })).toBe(1);
    expect(sampleValue(current, 'ticket_intake_job_duration_seconds_count', { result: 'failed' })).toBe(3);
    expect(sampleValue(current, 'ticket_intake_job_duration_seconds_sum', { result: 'failed' })).toBeCloseTo(0.75);
  });

  test('completed jobs count by result', async () => {
    const metrics = new WorkerMetrics();
    const worker = new EventEmitter();
    metrics.countJobs(worker as unknown as Worker);
    const job = (sizes: number[]) => ({
      processedOn: 1000,
      finishedOn: 1100,
      data: { attachments: sizes.map((sizeBytes) => ({ sizeBytes })) },
    });

    worker.emit('completed', job([10, 20]), { status: 'stored', ticketId: 1, warnings: [], replayed: false }, 'active');
    worker.emit('completed', job([]), { status: 'stored', ticketId: 2, warnings: [], replayed: true }, 'active');
    worker.emit('completed', job([5]), { status: 'rejected', reason: 'priority: "x" is not a known priority' }, 'active');

    const current = await samples(metrics);
    expect(sampleValue(current, 'ticket_intake_tickets_stored_total')).toBe(2);
    expect(sampleValue(current, 'ticket_intake_attachment_bytes_stored_total')).toBe(30);
    expect(sampleValue(current, 'ticket_intake_tickets_rejected_total', { field: 'priority' })).toBe(1);
    expect(sampleValue(current, 'ticket_intake_job_duration_seconds_count', { result: 'stored' })).toBe(2);
    expect(sampleValue(current, 'ticket_intake_job_duration_seconds_count', { result: 'rejected' })).toBe(1);
  });

  test('registries are separate per instance', async () => {
    const first = new WorkerMetrics();
    const second = new WorkerMetrics();
    const worker = new EventEmitter();
    first.countJobs(worker as unknown as Worker);

    worker.emit('failed', failedJob(3), new Error('database down'), 'active');

    expect(sampleValue(await samples(first), 'ticket_intake_job_failures_total', { outcome: 'final' })).toBe(1);
    expect(sampleValue(await samples(second), 'ticket_intake_job_failures_total', { outcome: 'final' })).toBe(0);
  });
});
