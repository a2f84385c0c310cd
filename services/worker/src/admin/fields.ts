import { In, type EntityManager } from 'typeorm';
import { CUSTOM_FIELD_TYPES, CustomField, Department, type CustomFieldType } from '../db/entities';
import type { Command, CommandContext, OptionName } from './command';
import { CommandError, UsageError } from './errors';
import { printRows } from './output';
import { nextSortOrder } from './queries';
import { parseDepartmentIds, parseId, parseOptionList, parseSortOrder, parseText, quote } from './values';

/** Length of the custom_fields.label column. */
const MAX_LABEL_LENGTH = 200;

/** Options of `fields set` that change something; at least one is required. */
const SET_OPTIONS: OptionName[] = ['label', 'options', 'required', 'optional', 'departments', 'sort'];

function parseFieldType(raw: string): CustomFieldType {
  const type = CUSTOM_FIELD_TYPES.find((candidate) => candidate === raw);
  if (!type) {
    throw new CommandError(`invalid --type ${quote(raw)}: expected one of ${CUSTOM_FIELD_TYPES.join(', ')}`);
  }
  return type;
}

/** Checks that select and checkbox fields get at least one option and free-text fields get none. */
function checkOptionsFitType(type: CustomFieldType, options: string[], optionsGiven: boolean): void {
  if (type === 'select' || type === 'checkbox') {
    if (options.length === 0) {
      throw new CommandError(`a ${type} field needs at least one option: give --options, such as --options "Yes,No"`);
    }
  } else if (optionsGiven) {
    throw new CommandError(`a ${type} field takes no options: leave out --options, which only select and checkbox fields use`);
  }
}

function formatOptions(options: string[]): string {
  return options.length === 0 ? 'none' : options.map(quote).join(', ');
}

function formatIds(ids: number[]): string {
  return ids.length === 0 ? 'none' : ids.join(', ');
}

function departmentIdsOf(field: CustomField): number[] {
  return field.departments.map((department) => department.id).sort((a, b) => a - b);
}

/** Loads the departments with the given ids; throws naming every id not found. */
async function findDepartments(manager: EntityManager, ids: number[]): Promise<Department[]> {
  const departments = await manager.find(Department, { where: { id: In(ids) } });
  const missing = ids.filter((id) => !departments.some((department) => department.id === id));
  if (missing.length === 1) throw new CommandError(`department ${missing[0]} not found`);
  if (missing.length > 1) throw new CommandError(`departments ${missing.join(', ')} not found`);
  return departments;
}

/** Loads a field with its departments after locking its row; `manager` must run a transaction. */
async function lockField(manager: EntityManager, id: number): Promise<CustomField> {
  const locked = await manager
    .createQueryBuilder(CustomField, 'field')
    .where('field.id = :id', { id })
    .setLock('pessimistic_write')
    .getOne();
  if (!locked) throw new CommandError(`field ${id} not found`);
  return manager.findOneOrFail(CustomField, { where: { id }, relations: { departments: true } });
}

async function listFields({ dataSource, out, options }: CommandContext): Promise<void> {
  const fields = await dataSource.manager.find(CustomField, {
    relations: { departments: true },
    order: { sortOrder: 'ASC', id: 'ASC' },
  });
  printRows(out, fields, {
    json: options.json === true,
    plural: 'custom fields',
    columns: [
      { header: 'ID', value: (row) => row.id, alignRight: true },
      { header: 'LABEL', value: (row) => row.label },
      { header: 'TYPE', value: (row) => row.fieldType },
      { header: 'REQUIRED', value: (row) => row.required },
      { header: 'ENABLED', value: (row) => row.enabled },
      { header: 'SORT', value: (row) => row.sortOrder, alignRight: true },
      { header: 'OPTIONS', value: (row) => (row.options.length === 0 ? '-' : row.options.join(',')) },
      { header: 'DEPARTMENTS', value: (row) => departmentIdsOf(row).join(',') || '-' },
    ],
    toJson: (row) => ({
      id: row.id,
      label: row.label,
      type: row.fieldType,
      options: row.options,
      required: row.required,
      enabled: row.enabled,
      sortOrder: row.sortOrder,
      departmentIds: departmentIdsOf(row),
    }),
  });
}

async function addField({ dataSource, out, args, options }: CommandContext): Promise<void> {
  const label = parseText('field label', args[0]!, MAX_LABEL_LENGTH);
  const type = parseFieldType(options.type!);
  const fieldOptions = options.options === undefined ? [] : parseOptionList(options.options);
  checkOptionsFitType(type, fieldOptions, options.options !== undefined);
  const departmentIds = parseDepartmentIds(options.departments!);
  const sortOrder = options.sort === undefined ? undefined : parseSortOrder(options.sort);

  const field = await dataSource.transaction(async (manager) => {
    const departments = await findDepartments(manager, departmentIds);
    return manager.save(
      manager.create(CustomField, {
        label,
        fieldType: type,
        options: fieldOptions,
        required: options.required === true,
        enabled: options.disabled !== true,
        sortOrder: sortOrder ?? (await nextSortOrder(manager, CustomField)),
        departments,
      }),
    );
  });

  const traits = [type, field.required ? 'required' : 'optional'];
  if (!field.enabled) traits.push('disabled');
  const optionText = fieldOptions.length > 0 ? `; options ${formatOptions(fieldOptions)}` : '';
  out(
    `added field ${field.id} ${quote(field.label)} (${traits.join(', ')}${optionText}; ` +
      `departments ${formatIds(departmentIdsOf(field))})`,
  );
}

async function setField({ dataSource, out, args, options }: CommandContext): Promise<void> {
  const id = parseId('field', args[0]!);
  if (!SET_OPTIONS.some((name) => options[name] !== undefined)) {
    throw new UsageError(
      `"fields set" needs at least one of ${SET_OPTIONS.map((name) => `--${name}`).join(', ')}`,
    );
  }
  if (options.required && options.optional) {
    throw new UsageError('--required and --optional cannot be combined');
  }
  const label = options.label === undefined ? undefined : parseText('field label', options.label, MAX_LABEL_LENGTH);
  const fieldOptions = options.options === undefined ? undefined : parseOptionList(options.options);
  const departmentIds = options.departments === undefined ? undefined : parseDepartmentIds(options.departments);
  const sortOrder = options.sort === undefined ? undefined : parseSortOrder(options.sort);

  const changes = await dataSource.transaction(async (manager) => {
    const field = await lockField(manager, id);
    const changed: string[] = [];

    if (label !== undefined && label !== field.label) {
      changed.push(`label from ${quote(field.label)} to ${quote(label)}`);
      field.label = label;
    }
    if (fieldOptions !== undefined) {
      checkOptionsFitType(field.fieldType, fieldOptions, true);
      if (JSON.stringify(fieldOptions) !== JSON.stringify(field.options)) {
        changed.push(`options from ${formatOptions(field.options)} to ${formatOptions(fieldOptions)}`);
        field.options = fieldOptions;
      }
    }
    if (options.required && !field.required) {
      changed.push('now required');
      field.required = true;
    }
    if (options.optional && field.required) {
      changed.push('now optional');
      field.required = false;
    }
    if (departmentIds !== undefined) {
      const before = departmentIdsOf(field);
      field.departments = await findDepartments(manager, departmentIds);
      const after = departmentIdsOf(field);
      if (before.join() !== after.join()) changed.push(`departments from ${formatIds(before)} to ${formatIds(after)}`);
    }
    if (sortOrder !== undefined && sortOrder !== field.sortOrder) {
      changed.push(`sort order from ${field.sortOrder} to ${sortOrder}`);
      field.sortOrder = sortOrder;
    }

    if (changed.length > 0) await manager.save(field);
    return changed;
  });

  out(changes.length === 0 ? `field ${id} is unchanged` : `updated field ${id}: ${changes.join('; ')}`);
}

function setEnabled(enabled: boolean) {
  return async ({ dataSource, out, args }: CommandContext): Promise<void> => {
    const id = parseId('field', args[0]!);
    const field = await dataSource.transaction(async (manager) => {
      const found = await lockField(manager, id);
      if (found.enabled !== enabled) await manager.update(CustomField, { id }, { enabled });
      return found;
    });

    const state = enabled ? 'enabled' : 'disabled';
    const name = `field ${id} ${quote(field.label)}`;
    if (field.enabled === enabled) {
      out(`${name} is already ${state}`);
    } else {
      out(`${state} ${name}${enabled ? '' : '; values sent for it are ignored with a warning'}`);
    }
  };
}

export const fieldCommands: Command[] = [
  {
    resource: 'fields',
    action: 'list',
    args: [],
    options: ['json'],
    summary: 'list custom fields',
    run: listFields,
  },
  {
    resource: 'fields',
    action: 'add',
    args: ['LABEL'],
    options: ['type', 'departments', 'options', 'required', 'disabled', 'sort'],
    requiredOptions: ['type', 'departments'],
    summary: 'add a custom field',
    run: addField,
  },
  {
    resource: 'fields',
    action: 'set',
    args: ['ID'],
    options: SET_OPTIONS,
    summary: 'change a custom field; the type stays',
    run: setField,
  },
  {
    resource: 'fields',
    action: 'enable',
    args: ['ID'],
    options: [],
    summary: 'enable a custom field',
    run: setEnabled(true),
  },
  {
    resource: 'fields',
    action: 'disable',
    args: ['ID'],
    options: [],
    summary: 'disable a custom field',
    run: setEnabled(false),
  },
];
