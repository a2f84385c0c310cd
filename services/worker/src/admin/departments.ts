import type { EntityManager } from 'typeorm';
import { Department } from '../db/entities';
import type { Command, CommandContext } from './command';
import { CommandError } from './errors';
import { printRows } from './output';
import { nextSortOrder } from './queries';
import { parseId, parseSortOrder, parseText, quote } from './values';

/** Length of the departments.name column. */
const MAX_NAME_LENGTH = 100;

/** Loads a department by id and locks its row; `manager` must run a transaction. */
async function lockDepartment(manager: EntityManager, id: number): Promise<Department> {
  const department = await manager
    .createQueryBuilder(Department, 'department')
    .where('department.id = :id', { id })
    .setLock('pessimistic_write')
    .getOne();
  if (!department) throw new CommandError(`department ${id} not found`);
  return department;
}

async function listDepartments({ dataSource, out, options }: CommandContext): Promise<void> {
  const departments = await dataSource.manager.find(Department, { order: { sortOrder: 'ASC', id: 'ASC' } });
  printRows(out, departments, {
    json: options.json === true,
    plural: 'departments',
    columns: [
      { header: 'ID', value: (row) => row.id, alignRight: true },
      { header: 'NAME', value: (row) => row.name },
      { header: 'ENABLED', value: (row) => row.enabled },
      { header: 'SORT', value: (row) => row.sortOrder, alignRight: true },
    ],
    toJson: (row) => ({ id: row.id, name: row.name, enabled: row.enabled, sortOrder: row.sortOrder }),
  });
}

async function addDepartment({ dataSource, out, args, options }: CommandContext): Promise<void> {
  const name = parseText('department name', args[0]!, MAX_NAME_LENGTH);
  const sortOrder = options.sort === undefined ? undefined : parseSortOrder(options.sort);

  const department = await dataSource.transaction(async (manager) =>
    manager.save(
      manager.create(Department, {
        name,
        enabled: options.disabled !== true,
        sortOrder: sortOrder ?? (await nextSortOrder(manager, Department)),
      }),
    ),
  );
  out(`added department ${department.id} ${quote(department.name)}${department.enabled ? '' : ' (disabled)'}`);
}

async function renameDepartment({ dataSource, out, args }: CommandContext): Promise<void> {
  const id = parseId('department', args[0]!);
  const name = parseText('department name', args[1]!, MAX_NAME_LENGTH);

  const oldName = await dataSource.transaction(async (manager) => {
    const department = await lockDepartment(manager, id);
    await manager.update(Department, { id }, { name });
    return department.name;
  });
  out(`renamed department ${id} from ${quote(oldName)} to ${quote(name)}`);
}

function setEnabled(enabled: boolean) {
  return async ({ dataSource, out, args }: CommandContext): Promise<void> => {
    const id = parseId('department', args[0]!);
    const department = await dataSource.transaction(async (manager) => {
      const found = await lockDepartment(manager, id);
      if (found.enabled !== enabled) await manager.update(Department, { id }, { enabled });
      return found;
    });

    const state = enabled ? 'enabled' : 'disabled';
    if (department.enabled === enabled) {
      out(`department ${id} ${quote(department.name)} is already ${state}`);
    } else {
      out(`${state} department ${id} ${quote(department.name)}${enabled ? '' : '; new tickets for it are rejected'}`);
    }
  };
}

export const departmentCommands: Command[] = [
  {
    resource: 'departments',
    action: 'list',
    args: [],
    options: ['json'],
    summary: 'list departments',
    run: listDepartments,
  },
  {
    resource: 'departments',
    action: 'add',
    args: ['NAME'],
    options: ['disabled', 'sort'],
    summary: 'add a department',
    run: addDepartment,
  },
  {
    resource: 'departments',
    action: 'rename',
    args: ['ID', 'NAME'],
    options: [],
    summary: 'rename a department',
    run: renameDepartment,
  },
  {
    resource: 'departments',
    action: 'enable',
    args: ['ID'],
    options: [],
    summary: 'enable a department',
    run: setEnabled(true),
  },
  {
    resource: 'departments',
    action: 'disable',
    args: ['ID'],
    options: [],
    summary: 'disable a department; its new tickets are rejected',
    run: setEnabled(false),
  },
];
