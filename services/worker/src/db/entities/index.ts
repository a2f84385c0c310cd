import { Account } from './account';
import { Attachment } from './attachment';
import { CustomField } from './custom-field';
import { Department } from './department';
import { Language } from './language';
import { PriorityLevel } from './priority-level';
import { Ticket } from './ticket';
import { TicketFieldValue } from './ticket-field-value';
import { TicketHistory } from './ticket-history';
import { TicketStatus } from './ticket-status';

export {
  Account,
  Attachment,
  CustomField,
  Department,
  Language,
  PriorityLevel,
  Ticket,
  TicketFieldValue,
  TicketHistory,
  TicketStatus,
};
export { LookupValue } from './lookup-value';
export { CUSTOM_FIELD_TYPES, type CustomFieldType } from './custom-field';

export const entities = [
  Account,
  Attachment,
  CustomField,
  Department,
  Language,
  PriorityLevel,
  Ticket,
  TicketFieldValue,
  TicketHistory,
  TicketStatus,
];
