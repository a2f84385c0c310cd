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
 * Inserts rows with one plain INSERT statement and returns the id of the first row. The
 * statements never change shape, so SQL text replaces TypeORM's query builder, which
 * also selected each new row back and cost about a tenth of the worker's time per ticket.
 */
async function insertRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<number> {
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`;
  const result = (await manager.query(sql, rows.flat())) as { insertId: number };
  return Number(result.insertId);
}

async function findTicketOfJob(dataSource: DataSource, jobId: string): Promise<number | undefined> {
  const ticket = await dataSource.manager.findOne(Ticket, { select: { id: true }, where: { jobId } });
  return ticket ? Number(ticket.id) : undefined;
}

/**
 * Returns the account id for the address, creating the account when none exists.
 * Concurrent first tickets from one new address share one account because the
 * lower-cased address has a unique index. An existing account keeps its name and language.
 */
async function upsertAccount(manager: EntityManager, data: TicketJobData, language: string, timezone: string) {
  const { email, name } = data.ticket;
  const result = (await manager.query(
    `INSERT INTO accounts (name, email, email_normalized, language, timezone) VALUES (?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)`,
    [name || email, email, email.toLowerCase(), language, timezone],
  )) as { insertId: number };
  return Number(result.insertId);
}

/**
 * Stores one ticket in one transaction: account, ticket row, custom field values,
 * attachment rows and a history row. The gateway uploaded the attachments to their keys
 * before it queued the job, so the rows refer to objects that exist. When anything
 * fails, the transaction rolls back, and the objects wait for a retry or for the clean-up
 * after the job's last failure.
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
  let ticketId: number;
  try {
    ticketId = await deps.dataSource.transaction(async (manager) => {
      const accountId = await upsertAccount(manager, data, resolved.language, deps.defaultTimezone);
      const { ticket } = data;

      const id = await insertRows(manager, 'tickets', TICKET_COLUMNS, [
        [
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
        ],
      ]);

      if (resolved.customFields.length > 0) {
        const values = resolved.customFields.map((field) => [id, field.fieldId, field.value]);
        await insertRows(manager, 'ticket_field_values', FIELD_VALUE_COLUMNS, values);
      }

      const rows = data.attachments.map((file) => [
        id,
        file.position,
        file.fileName,
        file.ext,
        file.sizeBytes,
        file.mimeType,
        file.sha256,
        file.objectKey,
      ]);
      if (rows.length > 0) await insertRows(manager, 'attachments', ATTACHMENT_COLUMNS, rows);

      const detail = JSON.stringify({
        source: 'api',
        keyLabel: data.keyLabel,
        requestId: data.requestId,
        jobId,
        attachments: rows.length,
        // The detail column is TEXT (64 KiB), so a flood of warnings is summarised.
        warnings: resolved.warnings.slice(0, HISTORY_WARNINGS).map((warning) => warning.slice(0, 500)),
        warningCount: resolved.warnings.length,
      });
      await insertRows(manager, 'ticket_history', HISTORY_COLUMNS, [[id, 'created', detail]]);
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
