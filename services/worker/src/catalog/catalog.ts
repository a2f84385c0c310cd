import type { CustomFieldValue, TicketFields } from '@ticket-intake/shared';
import type { CustomField, Department, LookupValue } from '../db/entities';
import { TicketRejection } from '../tickets/rejection';

type Lookup = Pick<LookupValue, 'id' | 'marker' | 'name' | 'enabled' | 'isDefault'>;

export interface CatalogData {
  departments: Pick<Department, 'id' | 'name' | 'enabled'>[];
  priorityLevels: Lookup[];
  statuses: Lookup[];
  languages: Lookup[];
  customFields: (Pick<CustomField, 'id' | 'label' | 'fieldType' | 'options' | 'required' | 'enabled'> & {
    departmentIds: number[];
  })[];
}

/** Ticket fields resolved against the catalog, ready to store. */
export interface ResolvedTicket {
  departmentId: number;
  priorityId: number;
  statusId: number;
  /** Language marker for a new account. */
  language: string;
  customFields: CustomFieldValue[];
  warnings: string[];
}

/** Several checkbox values in one field are joined with this separator, as Maian does. */
const CHECKBOX_SEPARATOR = '#####';

function quote(value: string): string {
  const characters = [...value];
  return JSON.stringify(characters.length > 60 ? `${characters.slice(0, 60).join('')}…` : value);
}

/** Finds a level, status or language by marker or name (case-insensitive) or by numeric id. */
function findLookup(values: Lookup[], sent: string): Lookup | undefined {
  const lower = sent.toLowerCase();
  const byText = values.find((value) => value.marker.toLowerCase() === lower || value.name.toLowerCase() === lower);
  if (byText) return byText;
  return /^\d+$/.test(sent) ? values.find((value) => value.id === Number(sent)) : undefined;
}

function defaultOf(values: Lookup[]): Lookup | undefined {
  const enabled = values.filter((value) => value.enabled);
  return enabled.find((value) => value.isDefault) ?? enabled[0];
}

/** A snapshot of departments, levels, statuses, languages and custom fields. */
export class Catalog {
  constructor(readonly data: CatalogData) {}

  private resolveLookup(field: string, values: Lookup[], sent: string): number {
    if (sent === '') {
      const fallback = defaultOf(values);
      if (!fallback) throw new Error(`the catalog has no enabled ${field} value to use as default`);
      return fallback.id;
    }
    const found = findLookup(values, sent);
    if (!found || !found.enabled) {
      const known = values.filter((value) => value.enabled).map((value) => value.marker);
      throw new TicketRejection(`${field}: ${quote(sent)} is not a known ${field} (use one of ${known.join(', ')})`);
    }
    return found.id;
  }

  private resolveDepartment(id: number): number {
    const department = this.data.departments.find((candidate) => candidate.id === id);
    if (!department) throw new TicketRejection(`dept: department ${id} not found`);
    if (!department.enabled) throw new TicketRejection(`dept: department ${id} is disabled`);
    return id;
  }

  private resolveLanguage(sent: string, warnings: string[]): string {
    const fallback = defaultOf(this.data.languages);
    if (!fallback) throw new Error('the catalog has no enabled language to use as default');
    if (sent === '') return fallback.marker;

    const found = findLookup(this.data.languages, sent);
    if (found?.enabled) return found.marker;
    warnings.push(`language: ${quote(sent)} is not configured; ${fallback.marker} is used for a new account`);
    return fallback.marker;
  }

  private resolveCustomFields(departmentId: number, sent: CustomFieldValue[], warnings: string[]): CustomFieldValue[] {
    const applicable = this.data.customFields.filter(
      (field) => field.enabled && field.departmentIds.includes(departmentId),
    );
    const kept: CustomFieldValue[] = [];

    for (const value of sent) {
      const field = this.data.customFields.find((candidate) => candidate.id === value.fieldId);
      if (!field || !field.enabled) {
        warnings.push(`customfields: f${value.fieldId} ignored: there is no custom field ${value.fieldId}`);
        continue;
      }
      if (!applicable.includes(field)) {
        warnings.push(
          `customfields: f${value.fieldId} ignored: field ${value.fieldId} does not apply to department ${departmentId}`,
        );
        continue;
      }
      if (field.options.length > 0 && value.value.trim() !== '') {
        const chosen = field.fieldType === 'checkbox' ? value.value.split(CHECKBOX_SEPARATOR) : [value.value];
        const invalid = chosen.find((choice) => !field.options.includes(choice.trim()));
        if (invalid !== undefined) {
          throw new TicketRejection(
            `customfields: f${field.id} (${field.label}): ${quote(invalid)} is not one of ${field.options.join(', ')}`,
          );
        }
      }
      kept.push(value);
    }

    for (const field of applicable) {
      if (!field.required) continue;
      const value = kept.find((candidate) => candidate.fieldId === field.id);
      if (!value || value.value.trim() === '') {
        throw new TicketRejection(`customfields: f${field.id} (${field.label}) is required`);
      }
    }
    return kept;
  }

  /** Checks the ticket against the catalog; throws TicketRejection naming the field and value. */
  resolve(ticket: TicketFields): ResolvedTicket {
    const warnings: string[] = [];
    const departmentId = this.resolveDepartment(ticket.departmentId);
    return {
      departmentId,
      priorityId: this.resolveLookup('priority', this.data.priorityLevels, ticket.priority),
      statusId: this.resolveLookup('status', this.data.statuses, ticket.status),
      language: this.resolveLanguage(ticket.language, warnings),
      customFields: this.resolveCustomFields(departmentId, ticket.customFields, warnings),
      warnings,
    };
  }
}
