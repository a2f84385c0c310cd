import type { StoredTicket, TicketJobData } from '@ticket-intake/shared';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { ResolvedTicket } from '../catalog/catalog';
import { Ticket } from '../db/entities';

/** Most warnings copied into a history row. */
const HISTORY_WARNINGS = 20;

export interface StoreDeps {
  dataSource: DataSource;
  defaultTimezone: string;
}

function isDuplicateJob(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; sqlMessage?: string };
  return driverError.code === 'ER_DUP_ENTRY' && (driverError.sqlMessage ?? '').includes('uq_tickets_job_id');
}

const ACCOUNT_COLUMNS = ['name', 'email', 'email_normalized', 'language', 'timezone'] as const;
const TICKET_COLUMNS = [
  'job_id',
  'account_id',
  'department_id',
  'priority_id',
  'status_id',
  'name',
  'email',
  'subject',
  'comments',
  'api_key_label',
  'caller_ip',
  'request_id',
] as const;
const FIELD_VALUE_COLUMNS = ['ticket_id', 'field_id', 'value'] as const;
const ATTACHMENT_COLUMNS = ['ticket_id', 'position', 'file_name', 'ext', 'size_bytes', 'mime_type', 'sha256', 'object_key'] as const;
const HISTORY_COLUMNS = ['ticket_id', 'action', 'detail'] as const;

/**
 * Inserts rows with one plain INSERT statement, followed by `suffix`, and returns the id
 * of the first row. The statements never change shape, so SQL text replaces TypeORM's
 * query builder, which also selected each new row back and cost about a tenth of the
 * worker's time per ticket.
 */
async function insertRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  suffix = '',
): Promise<number> {
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')} ${suffix}`;
  const result = (await manager.query(sql, rows.flat())) as { insertId: number };
  return Number(result.insertId);
}

/** Selects `columns` of the rows of `table` whose `column` is one of `values`. */
async function selectWhereIn<T>(
  manager: EntityManager,
  table: string,
  columns: string,
  column: string,
  values: readonly unknown[],
): Promise<T[]> {
  const placeholders = values.map(() => '?').join(', ');
  return (await manager.query(`SELECT ${columns} FROM ${table} WHERE ${column} IN (${placeholders})`, [...values])) as T[];
}

async function findTicketOfJob(dataSource: DataSource, jobId: string): Promise<number | undefined> {
  const ticket = await dataSource.manager.findOne(Ticket, { select: { id: true }, where: { jobId } });
  return ticket ? Number(ticket.id) : undefined;
}

/** A ticket of one job, ready to be stored. */
export interface TicketToStore {
  jobId: string;
  data: TicketJobData;
  resolved: ResolvedTicket;
}

function accountRow({ data, resolved }: TicketToStore, timezone: string): unknown[] {
  const { email, name } = data.ticket;
  return [name || email, email, email.toLowerCase(), resolved.language, timezone];
}

function ticketRow({ jobId, data, resolved }: TicketToStore, accountId: number): unknown[] {
  const { ticket } = data;
  return [
    jobId,
    accountId,
    resolved.departmentId,
    resolved.priorityId,
    resolved.statusId,
    ticket.name || ticket.email,
    ticket.email,
    ticket.subject,
    ticket.comments,
    data.keyLabel,
    data.callerIp,
    data.requestId,
  ];
}

function fieldValueRows({ resolved }: TicketToStore, ticketId: number): unknown[][] {
  return resolved.customFields.map((field) => [ticketId, field.fieldId, field.value]);
}

function attachmentRows({ data }: TicketToStore, ticketId: number): unknown[][] {
  return data.attachments.map((file) => [
    ticketId,
    file.position,
    file.fileName,
    file.ext,
    file.sizeBytes,
    file.mimeType,
    file.sha256,
    file.objectKey,
  ]);
}

function historyRow({ jobId, data, resolved }: TicketToStore, ticketId: number): unknown[] {
  const detail = JSON.stringify({
    source: 'api',
    keyLabel: data.keyLabel,
    requestId: data.requestId,
    jobId,
    attachments: data.attachments.length,
    // The detail column is TEXT (64 KiB), so a flood of warnings is summarised.
    warnings: resolved.warnings.slice(0, HISTORY_WARNINGS).map((warning) => warning.slice(0, 500)),
    warningCount: resolved.warnings.length,
  });
  return [ticketId, 'created', detail];
}

/** Inserts the rows that hang off each ticket: custom field values, attachments and history. */
async function insertTicketDetails(manager: EntityManager, items: TicketToStore[], idOf: (item: TicketToStore) => number) {
  const fieldValues = items.flatMap((item) => fieldValueRows(item, idOf(item)));
  if (fieldValues.length > 0) await insertRows(manager, 'ticket_field_values', FIELD_VALUE_COLUMNS, fieldValues);
  const attachments = items.flatMap((item) => attachmentRows(item, idOf(item)));
  if (attachments.length > 0) await insertRows(manager, 'attachments', ATTACHMENT_COLUMNS, attachments);
  await insertRows(manager, 'ticket_history', HISTORY_COLUMNS, items.map((item) => historyRow(item, idOf(item))));
}

/**
 * Stores one ticket in one transaction: account, ticket row, custom field values,
 * attachment rows and a history row. The gateway uploaded the attachments to their keys
 * before it queued the job, so the rows refer to objects that exist. When anything
 * fails, the transaction rolls back, and the objects wait for a retry or for the clean-up
 * after the job's last failure.
 *
 * A new account is created for an unknown address. Concurrent first tickets from one
 * new address share one account because the lower-cased address has a unique index, and
 * an existing account keeps its name and language.
 *
 * Delivering the same job twice returns the ticket of the first delivery: the job id has
 * a unique index, so the second insert fails and the existing ticket is looked up.
 */
export async function storeTicket(
  deps: StoreDeps,
  jobId: string,
  data: TicketJobData,
  resolved: ResolvedTicket,
): Promise<StoredTicket> {
  const item = { jobId, data, resolved };
  let ticketId: number;
  try {
    ticketId = await deps.dataSource.transaction(async (manager) => {
      // LAST_INSERT_ID(id) makes an existing account's id the insert id.
      const account = [accountRow(item, deps.defaultTimezone)];
      const upsert = 'ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)';
      const accountId = await insertRows(manager, 'accounts', ACCOUNT_COLUMNS, account, upsert);
      const id = await insertRows(manager, 'tickets', TICKET_COLUMNS, [ticketRow(item, accountId)]);
      await insertTicketDetails(manager, [item], () => id);
      return id;
    });
  } catch (error) {
    if (isDuplicateJob(error)) {
      const existing = await findTicketOfJob(deps.dataSource, jobId);
      if (existing !== undefined) return { status: 'stored', ticketId: existing, warnings: resolved.warnings, replayed: true };
    }
    throw error;
  }

  return { status: 'stored', ticketId, warnings: resolved.warnings, replayed: false };
}

/**
 * Stores several tickets in one transaction, with one INSERT per table for all of them,
 * and returns their results in the same order. This costs the database one commit and
 * about seven statements in all, where `storeTicket` costs one commit and five or six
 * statements per ticket. It is all or nothing: on any error nothing is stored and the
 * error is thrown, so the caller can store the tickets one by one to find out which
 * ticket caused it.
 */
export async function storeTickets(deps: StoreDeps, items: TicketToStore[]): Promise<StoredTicket[]> {
  const emailOf = (item: TicketToStore) => item.data.ticket.email.toLowerCase();
  // Rows in a fixed order, so transactions of several workers lock accounts in one order.
  const sorted = [...items].sort((a, b) => emailOf(a).localeCompare(emailOf(b)));
  const accounts = sorted.map((item) => accountRow(item, deps.defaultTimezone));

  const ticketIds = await deps.dataSource.transaction(async (manager) => {
    await insertRows(manager, 'accounts', ACCOUNT_COLUMNS, accounts, 'ON DUPLICATE KEY UPDATE id = id');
    const emails = [...new Set(items.map(emailOf))];
    const accountRows = await selectWhereIn<{ id: number; email_normalized: string }>(
      manager,
      'accounts',
      'id, email_normalized',
      'email_normalized',
      emails,
    );
    const accountIds = new Map(accountRows.map((row) => [row.email_normalized, Number(row.id)]));

    const tickets = items.map((item) => ticketRow(item, accountIds.get(emailOf(item))!));
    await insertRows(manager, 'tickets', TICKET_COLUMNS, tickets);
    // Ids are read back by job id: consecutive ids are not promised by every lock mode.
    const jobIds = items.map((item) => item.jobId);
    const ticketRows = await selectWhereIn<{ id: number; job_id: string }>(manager, 'tickets', 'id, job_id', 'job_id', jobIds);
    const ids = new Map(ticketRows.map((row) => [row.job_id, Number(row.id)]));
    const idOf = (item: TicketToStore) => ids.get(item.jobId)!;

    await insertTicketDetails(manager, items, idOf);
    return items.map(idOf);
  });

  return items.map((item, i) => ({ status: 'stored', ticketId: ticketIds[i]!, warnings: item.resolved.warnings, replayed: false }));
}
