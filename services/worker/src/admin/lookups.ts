import type { EntityManager, EntityTarget } from 'typeorm';
import { Language, LookupValue, PriorityLevel, TicketStatus } from '../db/entities';
import type { Command, CommandContext } from './command';
import { CommandError, UsageError } from './errors';
import { printRows } from './output';
import { isDuplicateEntry, nextSortOrder } from './queries';
import { isIdReference, parseId, parseMarker, parseSortOrder, parseText, quote } from './values';

/** Length of the name column of the lookup tables. */
const MAX_NAME_LENGTH = 100;

/** A catalog table whose rows share LookupValue's columns. */
interface LookupKind {
  resource: string;
  /** Name of one row in messages, such as "priority". */
  singular: string;
  /** Name of the table's rows in summaries, such as "priority levels". */
  plural: string;
  entity: EntityTarget<LookupValue>;
  /** Effect of a disabled value on new tickets, printed by `disable`. */
  disabledEffect: string;
}

const LOOKUP_KINDS: LookupKind[] = [
  {
    resource: 'priorities',
    singular: 'priority',
    plural: 'priority levels',
    entity: PriorityLevel,
    disabledEffect: 'new tickets that send it are rejected',
  },
  {
    resource: 'statuses',
    singular: 'status',
    plural: 'ticket statuses',
    entity: TicketStatus,
    disabledEffect: 'new tickets that send it are rejected',
  },
  {
    resource: 'languages',
    singular: 'language',
    plural: 'languages',
    entity: Language,
    disabledEffect: 'tickets that send it get a warning, and new accounts get the default language',
  },
];

function describe(kind: LookupKind, row: LookupValue): string {
  return `${kind.singular} ${row.id} ${quote(row.marker)}`;
}

/** Finds a row by marker regardless of case and locks it; `manager` must run a transaction. */
function lockByMarker(manager: EntityManager, kind: LookupKind, marker: string): Promise<LookupValue | null> {
  return manager
    .createQueryBuilder(kind.entity, 'value')
    .where('LOWER(value.marker) = LOWER(:marker)', { marker })
    .setLock('pessimistic_write')
    .getOne();
}

/** Loads a row by id (all digits) or by marker and locks it; `manager` must run a transaction. */
async function lockLookup(manager: EntityManager, kind: LookupKind, reference: string): Promise<LookupValue> {
  if (isIdReference(reference)) {
    const id = parseId(kind.singular, reference);
    const row = await manager
      .createQueryBuilder(kind.entity, 'value')
      .where('value.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!row) throw new CommandError(`${kind.singular} ${id} not found`);
    return row;
  }
  const row = await lockByMarker(manager, kind, reference);
  if (!row) throw new CommandError(`${kind.singular} ${quote(reference)} not found`);
  return row;
}

function duplicateMarker(kind: LookupKind, marker: string, existing?: LookupValue): CommandError {
  const owner = existing ? ` by ${describe(kind, existing)}` : '';
  return new CommandError(`marker ${quote(marker)} is already used${owner}; markers are unique regardless of case`);
}

/** Clears the default flag of every row and returns the row that had it, if any. */
async function clearDefault(manager: EntityManager, kind: LookupKind): Promise<LookupValue | null> {
  const previous = await manager
    .createQueryBuilder(kind.entity, 'value')
    .where('value.isDefault = :isDefault', { isDefault: true })
    .orderBy('value.id', 'ASC')
    .setLock('pessimistic_write')
    .getOne();
  await manager.update(kind.entity, { isDefault: true }, { isDefault: false });
  return previous;
}

function listLookups(kind: LookupKind) {
  return async ({ dataSource, out, options }: CommandContext): Promise<void> => {
    const rows = await dataSource.manager.find(kind.entity, { order: { sortOrder: 'ASC', id: 'ASC' } });
    printRows(out, rows, {
      json: options.json === true,
      plural: kind.plural,
      columns: [
        { header: 'ID', value: (row) => row.id, alignRight: true },
        { header: 'MARKER', value: (row) => row.marker },
        { header: 'NAME', value: (row) => row.name },
        { header: 'ENABLED', value: (row) => row.enabled },
        { header: 'DEFAULT', value: (row) => row.isDefault },
        { header: 'SORT', value: (row) => row.sortOrder, alignRight: true },
      ],
      toJson: (row) => ({
        id: row.id,
        marker: row.marker,
        name: row.name,
        enabled: row.enabled,
        isDefault: row.isDefault,
        sortOrder: row.sortOrder,
      }),
    });
  };
}

function addLookup(kind: LookupKind) {
  return async ({ dataSource, out, args, options }: CommandContext): Promise<void> => {
    const marker = parseMarker(args[0]!);
    const name = parseText(`${kind.singular} name`, args[1]!, MAX_NAME_LENGTH);
    const sortOrder = options.sort === undefined ? undefined : parseSortOrder(options.sort);
    const makeDefault = options.default === true;
    if (makeDefault && options.disabled) {
      throw new UsageError(`--default and --disabled cannot be combined: the default ${kind.singular} must be enabled`);
    }

    let result: { row: LookupValue; previousDefault: LookupValue | null };
    try {
      result = await dataSource.transaction(async (manager) => {
        const existing = await lockByMarker(manager, kind, marker);
        if (existing) throw duplicateMarker(kind, marker, existing);

        const previousDefault = makeDefault ? await clearDefault(manager, kind) : null;
        const row = await manager.save(
          manager.create(kind.entity, {
            marker,
            name,
            enabled: options.disabled !== true,
            isDefault: makeDefault,
            sortOrder: sortOrder ?? (await nextSortOrder(manager, kind.entity)),
          }),
        );
        return { row, previousDefault };
      });
    } catch (error) {
      // Another process added the same marker after the check above.
      if (isDuplicateEntry(error)) throw duplicateMarker(kind, marker);
      throw error;
    }

    const { row, previousDefault } = result;
    let message = `added ${describe(kind, row)} (${row.name})`;
    if (!row.enabled) message += ', disabled';
    if (row.isDefault) {
      message += previousDefault ? `, now the default instead of ${quote(previousDefault.marker)}` : ', now the default';
    }
    out(message);
  };
}

function renameLookup(kind: LookupKind) {
  return async ({ dataSource, out, args }: CommandContext): Promise<void> => {
    const name = parseText(`${kind.singular} name`, args[1]!, MAX_NAME_LENGTH);
    const row = await dataSource.transaction(async (manager) => {
      const found = await lockLookup(manager, kind, args[0]!);
      await manager.update(kind.entity, { id: found.id }, { name });
      return found;
    });
    out(`renamed ${describe(kind, row)} from ${quote(row.name)} to ${quote(name)}`);
  };
}

function setEnabled(kind: LookupKind, enabled: boolean) {
  return async ({ dataSource, out, args }: CommandContext): Promise<void> => {
    const row = await dataSource.transaction(async (manager) => {
      const found = await lockLookup(manager, kind, args[0]!);
      if (!enabled && found.isDefault) {
        throw new CommandError(
          `cannot disable ${describe(kind, found)}: it is the default ${kind.singular}; ` +
            `first make another ${kind.singular} the default with "${kind.resource} default ID|MARKER"`,
        );
      }
      if (found.enabled !== enabled) await manager.update(kind.entity, { id: found.id }, { enabled });
      return found;
    });

    const state = enabled ? 'enabled' : 'disabled';
    if (row.enabled === enabled) {
      out(`${describe(kind, row)} is already ${state}`);
    } else {
      out(`${state} ${describe(kind, row)}${enabled ? '' : `; ${kind.disabledEffect}`}`);
    }
  };
}

function makeDefault(kind: LookupKind) {
  return async ({ dataSource, out, args }: CommandContext): Promise<void> => {
    const { row, previous } = await dataSource.transaction(async (manager) => {
      const found = await lockLookup(manager, kind, args[0]!);
      if (!found.enabled) {
        throw new CommandError(
          `cannot make ${describe(kind, found)} the default: it is disabled; ` +
            `enable it first with "${kind.resource} enable ${found.marker}"`,
        );
      }
      if (found.isDefault) return { row: found, previous: found };

      const previousDefault = await clearDefault(manager, kind);
      await manager.update(kind.entity, { id: found.id }, { isDefault: true });
      return { row: found, previous: previousDefault };
    });

    if (previous?.id === row.id) {
      out(`${describe(kind, row)} is already the default`);
    } else if (previous) {
      out(`${describe(kind, row)} is now the default instead of ${quote(previous.marker)}`);
    } else {
      out(`${describe(kind, row)} is now the default`);
    }
  };
}

function commandsOf(kind: LookupKind): Command[] {
  const { resource, singular } = kind;
  return [
    { resource, action: 'list', args: [], options: ['json'], summary: `list ${kind.plural}`, run: listLookups(kind) },
    {
      resource,
      action: 'add',
      args: ['MARKER', 'NAME'],
      options: ['default', 'disabled', 'sort'],
      summary: `add a ${singular}`,
      run: addLookup(kind),
    },
    {
      resource,
      action: 'rename',
      args: ['ID|MARKER', 'NAME'],
      options: [],
      summary: `rename a ${singular}; the marker stays`,
      run: renameLookup(kind),
    },
    {
      resource,
      action: 'enable',
      args: ['ID|MARKER'],
      options: [],
      summary: `enable a ${singular}`,
      run: setEnabled(kind, true),
    },
    {
      resource,
      action: 'disable',
      args: ['ID|MARKER'],
      options: [],
      summary: `disable a ${singular} that is not the default`,
      run: setEnabled(kind, false),
    },
    {
      resource,
      action: 'default',
      args: ['ID|MARKER'],
      options: [],
      summary: `make an enabled ${singular} the only default`,
      run: makeDefault(kind),
    },
  ];
}

export const lookupCommands: Command[] = LOOKUP_KINDS.flatMap(commandsOf);
