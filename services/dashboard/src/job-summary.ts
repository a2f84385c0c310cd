/**
 * What the dashboard shows of a ticket job's data. The job data also holds the
 * caller's address, the whole ticket and the object keys of its attachments; an
 * operator watching the queue needs none of them.
 */
export interface TicketJobSummary {
  requestId: string | null;
  keyLabel: string | null;
  /** 1-based position of the ticket in its request document. */
  index: number | null;
  departmentId: number | null;
  attachmentCount: number;
  /** Domain of the sender's e-mail address, lower-cased; the local part is left out. */
  emailDomain: string | null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Returns the part after the last "@", or null when the value is not such an address. */
export function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  if (at < 0 || at === email.length - 1) return null;
  return email.slice(at + 1).toLowerCase();
}

/**
 * Reduces the data of a ticket job to the fields in TicketJobSummary. It takes
 * `unknown` because Bull Board passes the data of every job in the queue, including
 * jobs added by other tools, and a missing field becomes null instead of an error.
 */
export function summariseTicketJob(data: unknown): TicketJobSummary {
  const job = record(data);
  const ticket = record(job.ticket);
  return {
    requestId: stringOrNull(job.requestId),
    keyLabel: stringOrNull(job.keyLabel),
    index: numberOrNull(job.index),
    departmentId: numberOrNull(ticket.departmentId),
    attachmentCount: Array.isArray(job.attachments) ? job.attachments.length : 0,
    emailDomain: emailDomain(ticket.email),
  };
}
