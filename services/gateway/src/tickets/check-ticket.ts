import type { Element } from 'libxmljs2';
import type { CustomFieldValue, TicketFields } from '@ticket-intake/shared';
import type { AttachmentData } from '../xml/attachment-data';
import { readAttachments, type AttachmentRules, type DecodedAttachment } from './attachments';
import { childrenOf, elementsOf, type Children } from './children';
import { characterCount, quote } from './describe';
import { isValidEmail } from './email';
import { TicketRejection } from './rejection';

export interface TicketRules extends AttachmentRules {
  commentsMaxChars: number;
}

export type CheckedTicket =
  | { index: number; ok: true; fields: TicketFields; attachments: DecodedAttachment[]; warnings: string[] }
  | { index: number; ok: false; reason: string };

const MAX_NAME_CHARACTERS = 200;
const MAX_SUBJECT_CHARACTERS = 250;
const MAX_LOOKUP_CHARACTERS = 100;
const MAX_FIELD_VALUE_BYTES = 65_535;
const MAX_DEPARTMENT_ID = 2_147_483_647;
const CUSTOM_FIELD_TAG = /^f([1-9]\d{0,8})$/;

function field(ticket: Children, name: string): string | undefined {
  return ticket.get(name)?.text();
}

function requireText(ticket: Children, name: string): string {
  const value = field(ticket, name);
  if (value === undefined) throw new TicketRejection(`${name}: missing`);
  if (value.trim() === '') throw new TicketRejection(`${name}: empty`);
  return value;
}

function checkMaxCharacters(name: string, value: string, max: number): void {
  const count = characterCount(value);
  if (count > max) throw new TicketRejection(`${name}: ${count} characters is over the limit of ${max}`);
}

function readLookup(ticket: Children, name: string): string {
  const value = field(ticket, name)?.trim() ?? '';
  checkMaxCharacters(name, value, MAX_LOOKUP_CHARACTERS);
  return value;
}

function readDepartment(ticket: Children): number {
  const raw = requireText(ticket, 'dept').trim();
  const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(id >= 1 && id <= MAX_DEPARTMENT_ID)) {
    throw new TicketRejection(`dept: ${quote(raw)} is not a department id (a positive whole number)`);
  }
  return id;
}

function readCustomFields(ticket: Children, warnings: string[], data: AttachmentData): CustomFieldValue[] {
  const container = ticket.get('customfields');
  if (!container) return [];

  const values: CustomFieldValue[] = [];
  for (const element of elementsOf(container)) {
    const tag = element.name();
    const match = CUSTOM_FIELD_TAG.exec(tag);
    if (!match) {
      warnings.push(`customfields: <${tag}> ignored: expected f followed by a field id, such as <f1>`);
      continue;
    }
    const fieldId = Number(match[1]);
    if (values.some((value) => value.fieldId === fieldId)) {
      throw new TicketRejection(`customfields: <${tag}> appears more than once`);
    }
    const value = data.restore(element.text());
    if (Buffer.byteLength(value) > MAX_FIELD_VALUE_BYTES) {
      throw new TicketRejection(`customfields: <${tag}> is over the limit of ${MAX_FIELD_VALUE_BYTES} bytes`);
    }
    values.push({ fieldId, value });
  }
  return values;
}

function readFields(ticket: Children, rules: TicketRules, warnings: string[], data: AttachmentData): TicketFields {
  const email = requireText(ticket, 'email').trim();
  if (!isValidEmail(email)) throw new TicketRejection(`email: ${quote(email)} is not a valid e-mail address`);

  const name = field(ticket, 'name')?.trim() ?? '';
  checkMaxCharacters('name', name, MAX_NAME_CHARACTERS);

  const departmentId = readDepartment(ticket);

  const subject = requireText(ticket, 'subject').trim();
  checkMaxCharacters('subject', subject, MAX_SUBJECT_CHARACTERS);

  // Comments are stored exactly as sent, including surrounding white space.
  const comments = requireText(ticket, 'comments');
  checkMaxCharacters('comments', comments, rules.commentsMaxChars);

  return {
    name,
    email,
    departmentId,
    subject,
    comments,
    priority: readLookup(ticket, 'priority'),
    status: readLookup(ticket, 'status'),
    language: readLookup(ticket, 'language'),
    customFields: readCustomFields(ticket, warnings, data),
  };
}

/**
 * Applies every rule that needs no database: required fields, lengths, e-mail syntax,
 * custom field tags and attachment data. Rules that depend on the helpdesk catalog
 * (departments, levels, statuses, fields) are checked by the worker.
 */
export function checkTicket(ticket: Element, index: number, rules: TicketRules, data: AttachmentData): CheckedTicket {
  try {
    const warnings: string[] = [];
    const children = childrenOf(ticket);
    const fields = readFields(children, rules, warnings, data);
    const { attachments, warnings: fileWarnings } = readAttachments(children.get('attachments'), rules, data);
    return { index, ok: true, fields, attachments, warnings: [...warnings, ...fileWarnings] };
  } catch (error) {
    if (error instanceof TicketRejection) return { index, ok: false, reason: error.reason };
    throw error;
  }
}
