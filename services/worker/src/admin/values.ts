import { CommandError } from './errors';

/** Largest value of an INT UNSIGNED id column. */
const MAX_ID = 4_294_967_295;
/** Range of the signed INT sort_order columns. */
const MIN_SORT_ORDER = -2_147_483_648;
const MAX_SORT_ORDER = 2_147_483_647;

const MARKER_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;
/** Maian joins several checkbox values with this separator, so no option may contain it. */
const CHECKBOX_SEPARATOR = '#####';

/** Quotes a value for a message, escaping quotes and control characters. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Parses a row id such as "12"; `kind` names the row in the error, as in "department". */
export function parseId(kind: string, raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_ID)) {
    throw new CommandError(`invalid ${kind} id ${quote(raw)}: expected a whole number from 1 to ${MAX_ID}`);
  }
  return value;
}

/** Tells whether a reference to a level, status or language is an id rather than a marker. */
export function isIdReference(raw: string): boolean {
  return /^\d+$/.test(raw);
}

/**
 * Checks a marker of a level, status or language. An all-digit marker is invalid because
 * clients and this tool read an all-digit value as an id.
 */
export function parseMarker(raw: string): string {
  if (!MARKER_PATTERN.test(raw)) {
    throw new CommandError(`invalid marker ${quote(raw)}: use 1 to 50 ASCII letters, digits, "_" or "-"`);
  }
  if (isIdReference(raw)) {
    throw new CommandError(
      `invalid marker ${quote(raw)}: a marker needs at least one letter, "_" or "-", because an all-digit value is read as an id`,
    );
  }
  return raw;
}

/**
 * Trims a name or label and checks that it is not empty, fits `maxLength` characters and
 * has no control characters. `valueName` names the value in errors, as in "department name".
 */
export function parseText(valueName: string, raw: string, maxLength: number): string {
  const value = raw.trim();
  if (value === '') throw new CommandError(`invalid ${valueName}: it must not be empty`);

  const length = [...value].length;
  if (length > maxLength) {
    throw new CommandError(`invalid ${valueName} ${quote(value)}: it has ${length} characters, the maximum is ${maxLength}`);
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new CommandError(`invalid ${valueName} ${quote(value)}: it must not contain control characters such as line breaks`);
  }
  return value;
}

/** Parses the value of --sort. */
export function parseSortOrder(raw: string): number {
  const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= MIN_SORT_ORDER && value <= MAX_SORT_ORDER)) {
    throw new CommandError(
      `invalid --sort value ${quote(raw)}: expected a whole number from ${MIN_SORT_ORDER} to ${MAX_SORT_ORDER}`,
    );
  }
  return value;
}

/** Parses the comma-separated value of --options into trimmed, distinct options; "" gives an empty list. */
export function parseOptionList(raw: string): string[] {
  if (raw.trim() === '') return [];

  const options: string[] = [];
  for (const [index, item] of raw.split(',').entries()) {
    const option = item.trim();
    if (option === '') {
      throw new CommandError(`invalid --options ${quote(raw)}: option ${index + 1} is empty`);
    }
    if (CONTROL_CHARACTER.test(option)) {
      throw new CommandError(`invalid option ${quote(option)}: it must not contain control characters such as line breaks`);
    }
    if (option.includes(CHECKBOX_SEPARATOR)) {
      throw new CommandError(
        `invalid option ${quote(option)}: it must not contain "${CHECKBOX_SEPARATOR}", which separates checkbox values`,
      );
    }
    if (options.includes(option)) {
      throw new CommandError(`invalid --options ${quote(raw)}: ${quote(option)} is listed twice`);
    }
    options.push(option);
  }
  return options;
}

/** Parses the comma-separated department ids of --departments, dropping repeats; at least one is required. */
export function parseDepartmentIds(raw: string): number[] {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    throw new CommandError(`invalid --departments ${quote(raw)}: expected at least one department id, such as 1,2`);
  }
  return [...new Set(items.map((item) => parseId('department', item)))];
}
