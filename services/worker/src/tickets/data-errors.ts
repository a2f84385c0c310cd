import { QueryFailedError } from 'typeorm';
import { TicketRejection } from './rejection';

/**
 * MySQL errors caused by the values of one ticket rather than by the server's state.
 * Retrying them cannot succeed, so they reject the ticket like any other invalid data.
 * Field rules are meant to catch such values earlier; this is the safety net.
 */
const DATA_ERRORS = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_BAD_NULL_ERROR',
  'ER_NO_REFERENCED_ROW_2',
]);

/** Turns a data error into a TicketRejection; returns any other error unchanged. */
export function asRejectionIfDataError(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driverError = error.driverError as { code?: string; sqlMessage?: string };
  if (!driverError.code || !DATA_ERRORS.has(driverError.code)) return error;
  return new TicketRejection(`the database refused a value: ${driverError.sqlMessage ?? driverError.code}`);
}
