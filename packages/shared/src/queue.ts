/** Name of every job on the ticket queue. */
export const TICKET_JOB_NAME = 'ticket';

/** Ticket fields as sent, after the gateway's field checks. */
export interface TicketFields {
  /** Display name; empty when the e-mail address should be used. */
  name: string;
  email: string;
  departmentId: number;
  subject: string;
  comments: string;
  /** Marker, name or id of a priority level; empty for the default level. */
  priority: string;
  /** Marker, name or id of a status; empty for the default status. */
  status: string;
  /** Language of a new account; empty for the default language. */
  language: string;
  customFields: CustomFieldValue[];
}

export interface CustomFieldValue {
  fieldId: number;
  value: string;
}

/** An attachment that the gateway has uploaded to its key before queueing the job. */
export interface UploadedAttachment {
  /** 1-based position among the ticket's `<file>` elements. */
  position: number;
  /** Display name exactly as sent, or a generated one. */
  fileName: string;
  /** Lower-case extension. */
  ext: string;
  sizeBytes: number;
  mimeType: string;
  /** Hex SHA-256 of the decoded bytes. */
  sha256: string;
  /** Key in the bucket, from `attachmentKey`. */
  objectKey: string;
}

/**
 * Data of one ticket job. It carries object keys, never attachment bytes, so its size
 * does not grow with the attachments.
 */
export interface TicketJobData {
  requestId: string;
  /** Label of the API key that sent the ticket; the key itself is never stored. */
  keyLabel: string;
  callerIp: string;
  /** 1-based position of the ticket in its request document. */
  index: number;
  ticket: TicketFields;
  attachments: UploadedAttachment[];
}

export type TicketJobResult = StoredTicket | RejectedTicket;

export interface StoredTicket {
  status: 'stored';
  ticketId: number;
  warnings: string[];
  /** True when the job had already stored this ticket in an earlier delivery. */
  replayed: boolean;
}

export interface RejectedTicket {
  status: 'rejected';
  reason: string;
}
