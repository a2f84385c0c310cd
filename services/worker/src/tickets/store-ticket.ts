import { attachmentKey, type ObjectStore, type StoredTicket, type TicketJobData } from '@ticket-intake/shared';
import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { ResolvedTicket } from '../catalog/catalog';
import { Attachment, Ticket, TicketFieldValue, TicketHistory } from '../db/entities';

/** Most warnings copied into a history row. */
const HISTORY_WARNINGS = 20;

export interface StoreDeps {
  dataSource: DataSource;
  store: ObjectStore;
  defaultTimezone: string;
}

function isDuplicateJob(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; sqlMessage?: string };
  return driverError.code === 'ER_DUP_ENTRY' && (driverError.sqlMessage ?? '').includes('uq_tickets_job_id');
}

/**
 * Inserts rows without reading them back. TypeORM's `insert` selects each new row again
 * to fill in column defaults, which costs a round trip per table and is not needed here.
 */
async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  values: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[],
): Promise<{ insertId: number }> {
  const result = await manager.createQueryBuilder().insert().into(entity).values(values).updateEntity(false).execute();
  return { insertId: Number((result.raw as { insertId: number }).insertId) };
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
 * attachment rows and a history row. Staged attachments are copied to their final keys
 * before the commit and removed from staging after it. When anything fails, the copies
 * are removed again and the transaction rolls back, so no row is left without its
 * objects and no final object without its row.
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
  const stagingKeys = data.attachments.map((file) => file.stagingKey);
  const removeStaging = () => Promise.allSettled(stagingKeys.map((key) => deps.store.remove(key)));

  const copiedKeys: string[] = [];
  let ticketId: number;
  try {
    ticketId = await deps.dataSource.transaction(async (manager) => {
      const accountId = await upsertAccount(manager, data, resolved.language, deps.defaultTimezone);
      const { ticket } = data;

      const inserted = await insertRows(manager, Ticket, {
        jobId,
        accountId,
        departmentId: resolved.departmentId,
        priorityId: resolved.priorityId,
        statusId: resolved.statusId,
        name: ticket.name || ticket.email,
        email: ticket.email,
        subject: ticket.subject,
        comments: ticket.comments,
        apiKeyLabel: data.keyLabel,
        callerIp: data.callerIp,
        requestId: data.requestId,
      });
      const id = inserted.insertId;

      if (resolved.customFields.length > 0) {
        await insertRows(
          manager,
          TicketFieldValue,
          resolved.customFields.map((field) => ({ ticketId: String(id), fieldId: field.fieldId, value: field.value })),
        );
      }

      const rows = [];
      for (const file of data.attachments) {
        // A worker that dies between this copy and the commit leaves the copy behind. The
        // next delivery of the job writes the same key, and the clean-up after the job's
        // last failure removes it.
        const objectKey = attachmentKey(jobId, file.position, file.ext);
        await deps.store.copy(file.stagingKey, objectKey);
        copiedKeys.push(objectKey);
        rows.push({
          ticketId: String(id),
          position: file.position,
          fileName: file.fileName,
          ext: file.ext,
          sizeBytes: String(file.sizeBytes),
          mimeType: file.mimeType,
          sha256: file.sha256,
          objectKey,
        });
      }
      if (rows.length > 0) await insertRows(manager, Attachment, rows);

      await insertRows(manager, TicketHistory, {
        ticketId: String(id),
        action: 'created',
        detail: JSON.stringify({
          source: 'api',
          keyLabel: data.keyLabel,
          requestId: data.requestId,
          jobId,
          attachments: rows.length,
          // The detail column is TEXT (64 KiB), so a flood of warnings is summarised.
          warnings: resolved.warnings.slice(0, HISTORY_WARNINGS).map((warning) => warning.slice(0, 500)),
          warningCount: resolved.warnings.length,
        }),
      });
      return id;
    });
  } catch (error) {
    await Promise.allSettled(copiedKeys.map((key) => deps.store.remove(key)));
    if (isDuplicateJob(error)) {
      const existing = await findTicketOfJob(deps.dataSource, jobId);
      if (existing !== undefined) {
        await removeStaging();
        return { status: 'stored', ticketId: existing, warnings: resolved.warnings, replayed: true };
      }
    }
    throw error;
  }

  await removeStaging();
  return { status: 'stored', ticketId, warnings: resolved.warnings, replayed: false };
}
