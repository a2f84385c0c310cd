import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { ADMIN_COMMANDS, runAdmin } from '../../services/worker/src/admin/run-admin';
import { createDataSource, ensureDatabase, runMigrations } from '../../services/worker/src/db/data-source';
import { InitialSchema1764806400000 } from '../../services/worker/src/db/migrations/1764806400000-initial-schema';

const MYSQL_ROOT_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const DATABASE = `ti_admin_${randomBytes(4).toString('hex')}`;
const DATABASE_URL = new URL(`${MYSQL_ROOT_URL}/${DATABASE}`);

let dataSource: DataSource;

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  dataSource = createDataSource(DATABASE_URL, 2);
  await dataSource.initialize();
  await runMigrations(dataSource, DATABASE_URL);
});

async function dropDatabase(name: string): Promise<void> {
  const connection = await createConnection(MYSQL_ROOT_URL);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase(DATABASE);
});

/** Recreates every table with the seed catalog, so each test starts from the same rows. */
beforeEach(async () => {
  const runner = dataSource.createQueryRunner();
  try {
    const schema = new InitialSchema1764806400000();
    await schema.down(runner);
    await schema.up(runner);
  } finally {
    await runner.release();
  }
});

interface AdminRun {
  code: number;
  out: string[];
  err: string[];
}

async function admin(...argv: string[]): Promise<AdminRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, { dataSource, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** Runs a command that must succeed and returns its output lines. */
async function adminOk(...argv: string[]): Promise<string[]> {
  const run = await admin(...argv);
  expect(run.err).toEqual([]);
  expect(run.code).toBe(0);
  return run.out;
}

function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return dataSource.query(sql, params);
}

/** Reads every catalog row, so a test can show that a failed command changed nothing. */
async function catalogSnapshot(): Promise<Record<string, unknown[]>> {
  const tables = ['departments', 'priority_levels', 'ticket_statuses', 'languages', 'custom_fields', 'custom_field_departments'];
  const snapshot: Record<string, unknown[]> = {};
  for (const table of tables) snapshot[table] = await query(`SELECT * FROM ${table} ORDER BY 1, 2`);
  return snapshot;
}

describe('admin help', () => {
  test.each([[[]], [['--help']], [['-h']], [['help']], [['departments', 'add', '--help']]])(
    'prints usage for %j',
    async (argv) => {
      const run = await admin(...argv);

      expect(run.code).toBe(0);
      expect(run.err).toEqual([]);
      expect(run.out[0]).toBe('Usage: npm run admin -- <resource> <action> [arguments] [options]');
    },
  );

  test('usage lists every command once', async () => {
    const { out } = await admin('--help');
    const commandLines = out.filter((line) => /^ {2}(departments|priorities|statuses|languages|fields) /.test(line));
    const listed = commandLines.map((line) => line.trim().split(' ').slice(0, 2).join(' '));

    const lookupActions = ['list', 'add', 'rename', 'enable', 'disable', 'default'];
    expect(listed).toEqual([
      ...['list', 'add', 'rename', 'enable', 'disable'].map((action) => `departments ${action}`),
      ...lookupActions.map((action) => `priorities ${action}`),
      ...lookupActions.map((action) => `statuses ${action}`),
      ...lookupActions.map((action) => `languages ${action}`),
      ...['list', 'add', 'set', 'enable', 'disable'].map((action) => `fields ${action}`),
    ]);
    expect(listed).toHaveLength(ADMIN_COMMANDS.length);
    expect(out.some((line) => line.startsWith('Exit codes: 0 success; 1 '))).toBe(true);
  });
});

describe('admin list', () => {
  test('departments table', async () => {
    await adminOk('departments', 'add', 'Billing and invoices', '--disabled');

    expect(await adminOk('departments', 'list')).toEqual([
      'ID  NAME                  ENABLED  SORT',
      ' 1  General               yes         1',
      ' 2  Billing and invoices  no          2',
    ]);
  });

  test('priorities table', async () => {
    expect(await adminOk('priorities', 'list')).toEqual([
      'ID  MARKER  NAME    ENABLED  DEFAULT  SORT',
      ' 1  low     Low     yes      yes         1',
      ' 2  medium  Medium  yes      no          2',
      ' 3  high    High    yes      no          3',
    ]);
  });

  test('statuses table', async () => {
    expect(await adminOk('statuses', 'list')).toEqual([
      'ID  MARKER  NAME    ENABLED  DEFAULT  SORT',
      ' 1  open    Open    yes      yes         1',
      ' 2  close   Close   yes      no          2',
      ' 3  closed  Closed  yes      no          3',
    ]);
  });

  test('languages table sorted by sort order', async () => {
    await adminOk('languages', 'add', 'german', 'Deutsch', '--sort', '-1');

    expect(await adminOk('languages', 'list')).toEqual([
      'ID  MARKER   NAME     ENABLED  DEFAULT  SORT',
      ' 2  german   Deutsch  yes      no         -1',
      ' 1  english  English  yes      yes         1',
    ]);
  });

  test('fields table', async () => {
    await adminOk('departments', 'add', 'Sales');
    await adminOk('fields', 'add', 'Plan', '--type', 'select', '--options', 'Basic,Pro', '--required', '--departments', '2,1');

    expect(await adminOk('fields', 'list')).toEqual([
      'ID  LABEL      TYPE    REQUIRED  ENABLED  SORT  OPTIONS    DEPARTMENTS',
      ' 1  Reference  text    no        yes         1  -          1',
      ' 2  Plan       select  yes       yes         2  Basic,Pro  1,2',
    ]);
  });

  test('empty table', async () => {
    await query('DELETE FROM languages');

    expect(await adminOk('languages', 'list')).toEqual(['no languages']);
    expect(await adminOk('languages', 'list', '--json')).toEqual(['[]']);
  });

  test.each([
    ['departments', [{ id: 1, name: 'General', enabled: true, sortOrder: 1 }]],
    [
      'priorities',
      [
        { id: 1, marker: 'low', name: 'Low', enabled: true, isDefault: true, sortOrder: 1 },
        { id: 2, marker: 'medium', name: 'Medium', enabled: true, isDefault: false, sortOrder: 2 },
        { id: 3, marker: 'high', name: 'High', enabled: true, isDefault: false, sortOrder: 3 },
      ],
    ],
    [
      'statuses',
      [
        { id: 1, marker: 'open', name: 'Open', enabled: true, isDefault: true, sortOrder: 1 },
        { id: 2, marker: 'close', name: 'Close', enabled: true, isDefault: false, sortOrder: 2 },
        { id: 3, marker: 'closed', name: 'Closed', enabled: true, isDefault: false, sortOrder: 3 },
      ],
    ],
    ['languages', [{ id: 1, marker: 'english', name: 'English', enabled: true, isDefault: true, sortOrder: 1 }]],
    [
      'fields',
      [
        {
          id: 1,
          label: 'Reference',
          type: 'text',
          options: [],
          required: false,
          enabled: true,
          sortOrder: 1,
          departmentIds: [1],
        },
      ],
    ],
  ])('%s --json', async (resource, expected) => {
    const out = await adminOk(resource, 'list', '--json');

    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual(expected);
  });
});

describe('admin departments', () => {
  test.each([
    {
      argv: ['departments', 'add', 'Billing'],
      message: 'added department 2 "Billing"',
      row: { id: 2, name: 'Billing', enabled: 1, sort_order: 2 },
    },
    {
      argv: ['departments', 'add', '  Field service  ', '--disabled', '--sort', '7'],
      message: 'added department 2 "Field service" (disabled)',
      row: { id: 2, name: 'Field service', enabled: 0, sort_order: 7 },
    },
    {
      argv: ['departments', 'add', 'Überweisungen 💶', '--sort=-3'],
      message: 'added department 2 "Überweisungen 💶"',
      row: { id: 2, name: 'Überweisungen 💶', enabled: 1, sort_order: -3 },
    },
    {
      argv: ['departments', 'rename', '1', 'Front desk'],
      message: 'renamed department 1 from "General" to "Front desk"',
      row: { id: 1, name: 'Front desk', enabled: 1, sort_order: 1 },
    },
    {
      argv: ['departments', 'disable', '1'],
      message: 'disabled department 1 "General"; new tickets for it are rejected',
      row: { id: 1, name: 'General', enabled: 0, sort_order: 1 },
    },
    {
      argv: ['departments', 'enable', '1'],
      message: 'department 1 "General" is already enabled',
      row: { id: 1, name: 'General', enabled: 1, sort_order: 1 },
    },
  ])('$argv', async ({ argv, message, row }) => {
    expect(await adminOk(...argv)).toEqual([message]);

    const [stored] = await query('SELECT id, name, enabled, sort_order FROM departments WHERE id = ?', [row.id]);
    expect(stored).toEqual(row);
  });

  test('enable after disable', async () => {
    await adminOk('departments', 'disable', '1');

    expect(await adminOk('departments', 'enable', '1')).toEqual(['enabled department 1 "General"']);
    expect(await query('SELECT enabled FROM departments WHERE id = 1')).toEqual([{ enabled: 1 }]);
  });
});

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Each lookup resource with its table and the id and marker of its seeded default. */
const LOOKUPS = [
  { resource: 'priorities', singular: 'priority', table: 'priority_levels', defaultRow: [1, 'low'] },
  { resource: 'statuses', singular: 'status', table: 'ticket_statuses', defaultRow: [1, 'open'] },
  { resource: 'languages', singular: 'language', table: 'languages', defaultRow: [1, 'english'] },
] as const;

describe.each(LOOKUPS)('admin $resource', ({ resource, singular, table, defaultRow }) => {
  const [defaultId, defaultMarker] = defaultRow;

  async function rowOf(marker: string) {
    const [row] = await query(`SELECT id, marker, name, enabled, is_default, sort_order FROM ${table} WHERE marker = ?`, [
      marker,
    ]);
    return row;
  }

  async function defaults() {
    return query<{ marker: string }>(`SELECT marker FROM ${table} WHERE is_default = 1`);
  }

  test('add', async () => {
    const out = await adminOk(resource, 'add', 'Extra_1-b', 'Extra value');

    const row = await rowOf('Extra_1-b');
    expect(out).toEqual([`added ${singular} ${row!.id} "Extra_1-b" (Extra value)`]);
    expect(row).toMatchObject({ name: 'Extra value', enabled: 1, is_default: 0 });
    expect(await defaults()).toEqual([{ marker: defaultMarker }]);
  });

  test('add disabled with sort order', async () => {
    const out = await adminOk(resource, 'add', 'extra', 'Extra', '--disabled', '--sort', '40');

    const row = await rowOf('extra');
    expect(out).toEqual([`added ${singular} ${row!.id} "extra" (Extra), disabled`]);
    expect(row).toMatchObject({ enabled: 0, is_default: 0, sort_order: 40 });
  });

  test('add as default', async () => {
    const out = await adminOk(resource, 'add', 'extra', 'Extra', '--default');

    const row = await rowOf('extra');
    expect(out).toEqual([`added ${singular} ${row!.id} "extra" (Extra), now the default instead of "${defaultMarker}"`]);
    expect(await defaults()).toEqual([{ marker: 'extra' }]);
  });

  test('rename by id and by marker', async () => {
    // The seed names each value after its capitalized marker, such as "Low" for "low".
    expect(await adminOk(resource, 'rename', String(defaultId), 'First')).toEqual([
      `renamed ${singular} ${defaultId} "${defaultMarker}" from "${capitalize(defaultMarker)}" to "First"`,
    ]);
    expect(await adminOk(resource, 'rename', defaultMarker.toUpperCase(), 'Second')).toEqual([
      `renamed ${singular} ${defaultId} "${defaultMarker}" from "First" to "Second"`,
    ]);
    expect(await rowOf(defaultMarker)).toMatchObject({ name: 'Second' });
  });

  test('default moves the only default', async () => {
    await adminOk(resource, 'add', 'extra', 'Extra');

    const out = await adminOk(resource, 'default', 'EXTRA');

    const row = await rowOf('extra');
    expect(out).toEqual([`${singular} ${row!.id} "extra" is now the default instead of "${defaultMarker}"`]);
    expect(await defaults()).toEqual([{ marker: 'extra' }]);
  });

  test('default on the current default', async () => {
    expect(await adminOk(resource, 'default', String(defaultId))).toEqual([
      `${singular} ${defaultId} "${defaultMarker}" is already the default`,
    ]);
    expect(await defaults()).toEqual([{ marker: defaultMarker }]);
  });

  test('disable and enable by marker', async () => {
    await adminOk(resource, 'add', 'extra', 'Extra');
    const id = (await rowOf('extra'))!.id;

    const disabled = await adminOk(resource, 'disable', 'extra');
    expect(disabled).toHaveLength(1);
    expect(disabled[0]).toMatch(new RegExp(`^disabled ${singular} ${id} "extra"; `));
    expect(await rowOf('extra')).toMatchObject({ enabled: 0 });

    expect(await adminOk(resource, 'disable', String(id))).toEqual([`${singular} ${id} "extra" is already disabled`]);
    expect(await adminOk(resource, 'enable', 'extra')).toEqual([`enabled ${singular} ${id} "extra"`]);
    expect(await rowOf('extra')).toMatchObject({ enabled: 1 });
  });

  test('default on a disabled value', async () => {
    await adminOk(resource, 'add', 'extra', 'Extra', '--disabled');
    const before = await catalogSnapshot();

    const run = await admin(resource, 'default', 'extra');

    expect(run.code).toBe(1);
    expect(run.err).toEqual([
      `error: cannot make ${singular} ${(await rowOf('extra'))!.id} "extra" the default: it is disabled; ` +
        `enable it first with "${resource} enable extra"`,
    ]);
    expect(await catalogSnapshot()).toEqual(before);
  });
});

describe('admin fields', () => {
  async function fieldRow(id: number) {
    const [row] = await query<{ label: string; field_type: string; options: string | string[]; required: number; enabled: number; sort_order: number }>(
      'SELECT label, field_type, options, required, enabled, sort_order FROM custom_fields WHERE id = ?',
      [id],
    );
    return row && { ...row, options: typeof row.options === 'string' ? JSON.parse(row.options) : row.options };
  }

  async function fieldDepartments(id: number) {
    const rows = await query<{ department_id: number }>(
      'SELECT department_id FROM custom_field_departments WHERE field_id = ? ORDER BY department_id',
      [id],
    );
    return rows.map((row) => row.department_id);
  }

  beforeEach(async () => {
    await adminOk('departments', 'add', 'Sales');
    await adminOk('departments', 'add', 'Support');
  });

  test.each([
    {
      argv: ['fields', 'add', 'Plan', '--type', 'select', '--options', ' Basic , Pro ', '--required', '--departments', '2,1,2'],
      message: 'added field 2 "Plan" (select, required; options "Basic", "Pro"; departments 1, 2)',
      row: { label: 'Plan', field_type: 'select', options: ['Basic', 'Pro'], required: 1, enabled: 1, sort_order: 2 },
      departments: [1, 2],
    },
    {
      argv: ['fields', 'add', 'Topics', '--type', 'checkbox', '--options', 'Billing', '--departments', '3'],
      message: 'added field 2 "Topics" (checkbox, optional; options "Billing"; departments 3)',
      row: { label: 'Topics', field_type: 'checkbox', options: ['Billing'], required: 0, enabled: 1, sort_order: 2 },
      departments: [3],
    },
    {
      argv: ['fields', 'add', 'Notes', '--type', 'textarea', '--departments', '1', '--disabled', '--sort', '9'],
      message: 'added field 2 "Notes" (textarea, optional, disabled; departments 1)',
      row: { label: 'Notes', field_type: 'textarea', options: [], required: 0, enabled: 0, sort_order: 9 },
      departments: [1],
    },
  ])('$argv', async ({ argv, message, row, departments }) => {
    expect(await adminOk(...argv)).toEqual([message]);

    expect(await fieldRow(2)).toEqual(row);
    expect(await fieldDepartments(2)).toEqual(departments);
  });

  test('set changes every attribute', async () => {
    await adminOk('fields', 'add', 'Plan', '--type', 'select', '--options', 'Basic,Pro', '--departments', '1,2');

    const out = await adminOk(
      'fields', 'set', '2',
      '--label', 'Contract plan',
      '--options', 'Basic,Pro,Enterprise',
      '--required',
      '--departments', '3,2',
      '--sort', '5',
    );

    expect(out).toEqual([
      'updated field 2: label from "Plan" to "Contract plan"; options from "Basic", "Pro" to "Basic", "Pro", "Enterprise"; ' +
        'now required; departments from 1, 2 to 2, 3; sort order from 2 to 5',
    ]);
    expect(await fieldRow(2)).toEqual({
      label: 'Contract plan',
      field_type: 'select',
      options: ['Basic', 'Pro', 'Enterprise'],
      required: 1,
      enabled: 1,
      sort_order: 5,
    });
    expect(await fieldDepartments(2)).toEqual([2, 3]);
  });

  test('set optional', async () => {
    await adminOk('fields', 'add', 'Plan', '--type', 'select', '--options', 'Basic', '--required', '--departments', '1');

    expect(await adminOk('fields', 'set', '2', '--optional')).toEqual(['updated field 2: now optional']);
    expect(await fieldRow(2)).toMatchObject({ required: 0 });
  });

  test('set without a change', async () => {
    expect(await adminOk('fields', 'set', '1', '--label', 'Reference', '--optional', '--departments', '1')).toEqual([
      'field 1 is unchanged',
    ]);
  });

  test('disable and enable', async () => {
    expect(await adminOk('fields', 'disable', '1')).toEqual([
      'disabled field 1 "Reference"; values sent for it are ignored with a warning',
    ]);
    expect(await fieldRow(1)).toMatchObject({ enabled: 0 });
    expect(await adminOk('fields', 'disable', '1')).toEqual(['field 1 "Reference" is already disabled']);
    expect(await adminOk('fields', 'enable', '1')).toEqual(['enabled field 1 "Reference"']);
    expect(await fieldRow(1)).toMatchObject({ enabled: 1 });
  });
});

describe('admin errors', () => {
  test.each([
    // Invalid values: exit code 1.
    [['departments', 'add', '   '], 1, 'invalid department name: it must not be empty'],
    [['departments', 'add', 'x'.repeat(101)], 1, `invalid department name "${'x'.repeat(101)}": it has 101 characters, the maximum is 100`],
    [['departments', 'add', 'Line\nbreak'], 1, 'invalid department name "Line\\nbreak": it must not contain control characters'],
    [['departments', 'add', 'Sales', '--sort', '1.5'], 1, 'invalid --sort value "1.5": expected a whole number'],
    [['departments', 'add', 'Sales', '--sort', '2147483648'], 1, 'invalid --sort value "2147483648"'],
    [['departments', 'rename', 'first', 'Sales'], 1, 'invalid department id "first": expected a whole number from 1'],
    [['departments', 'rename', '0', 'Sales'], 1, 'invalid department id "0"'],
    [['priorities', 'add', 'very urgent', 'Very urgent'], 1, 'invalid marker "very urgent": use 1 to 50 ASCII letters, digits, "_" or "-"'],
    [['priorities', 'add', 'dringend!', 'Dringend'], 1, 'invalid marker "dringend!"'],
    [['priorities', 'add', 'é', 'E'], 1, 'invalid marker "é"'],
    [['priorities', 'add', 'x'.repeat(51), 'Long'], 1, `invalid marker "${'x'.repeat(51)}"`],
    [['statuses', 'add', '42', 'Answer'], 1, 'invalid marker "42": a marker needs at least one letter, "_" or "-"'],
    [['priorities', 'add', 'HIGH', 'Very high'], 1, 'marker "HIGH" is already used by priority 3 "high"; markers are unique regardless of case'],
    [['statuses', 'add', 'Open', 'Open again'], 1, 'marker "Open" is already used by status 1 "open"'],
    [['languages', 'add', 'english', 'English (UK)'], 1, 'marker "english" is already used by language 1 "english"'],
    [['priorities', 'add', 'urgent', ''], 1, 'invalid priority name: it must not be empty'],
    [['fields', 'add', 'Plan', '--type', 'select', '--departments', '1'], 1, 'a select field needs at least one option: give --options'],
    [['fields', 'add', 'Plan', '--type', 'checkbox', '--options', '', '--departments', '1'], 1, 'a checkbox field needs at least one option'],
    [['fields', 'add', 'Note', '--type', 'text', '--options', 'A', '--departments', '1'], 1, 'a text field takes no options'],
    [['fields', 'add', 'Note', '--type', 'textarea', '--options', 'A', '--departments', '1'], 1, 'a textarea field takes no options'],
    [['fields', 'add', 'Plan', '--type', 'radio', '--departments', '1'], 1, 'invalid --type "radio": expected one of text, textarea, select, checkbox'],
    [['fields', 'add', 'Plan', '--type', 'select', '--options', 'A,,B', '--departments', '1'], 1, 'invalid --options "A,,B": option 2 is empty'],
    [['fields', 'add', 'Plan', '--type', 'select', '--options', 'A,B,A', '--departments', '1'], 1, 'invalid --options "A,B,A": "A" is listed twice'],
    [['fields', 'add', 'Plan', '--type', 'checkbox', '--options', 'A#####B', '--departments', '1'], 1, 'invalid option "A#####B"'],
    [['fields', 'add', 'Plan', '--type', 'text', '--departments', ''], 1, 'invalid --departments "": expected at least one department id'],
    [['fields', 'add', 'Plan', '--type', 'text', '--departments', '1,x'], 1, 'invalid department id "x"'],
    [['fields', 'set', '1', '--options', 'A,B'], 1, 'a text field takes no options'],
    [['fields', 'set', '1', '--label', ''], 1, 'invalid field label: it must not be empty'],
    // Ids not found: exit code 1.
    [['departments', 'rename', '9', 'Sales'], 1, 'department 9 not found'],
    [['departments', 'enable', '9'], 1, 'department 9 not found'],
    [['departments', 'disable', '9'], 1, 'department 9 not found'],
    [['priorities', 'rename', '9', 'Nine'], 1, 'priority 9 not found'],
    [['statuses', 'disable', 'pending'], 1, 'status "pending" not found'],
    [['languages', 'default', 'german'], 1, 'language "german" not found'],
    [['fields', 'set', '9', '--required'], 1, 'field 9 not found'],
    [['fields', 'enable', '9'], 1, 'field 9 not found'],
    [['fields', 'add', 'Plan', '--type', 'text', '--departments', '1,9'], 1, 'department 9 not found'],
    [['fields', 'add', 'Plan', '--type', 'text', '--departments', '8,9'], 1, 'departments 8, 9 not found'],
    [['fields', 'set', '1', '--departments', '9'], 1, 'department 9 not found'],
    // Catalog rules: exit code 1.
    [['priorities', 'disable', 'low'], 1, 'cannot disable priority 1 "low": it is the default priority; first make another priority the default with "priorities default ID|MARKER"'],
    [['statuses', 'disable', '1'], 1, 'cannot disable status 1 "open": it is the default status'],
    [['languages', 'disable', 'English'], 1, 'cannot disable language 1 "english": it is the default language'],
    // Invalid command lines: exit code 2.
    [['depts', 'list'], 2, 'unknown resource "depts": expected one of departments, priorities, statuses, languages, fields; run with --help'],
    [['--json'], 2, 'missing resource'],
    [['departments'], 2, 'missing action for departments: expected one of list, add, rename, enable, disable'],
    [['departments', 'delete', '1'], 2, 'unknown action "delete" for departments'],
    [['fields', 'rename', '1', 'X'], 2, 'unknown action "rename" for fields'],
    [['departments', 'add', 'Sales', '--default'], 2, 'unknown option --default for "departments add": it accepts --disabled, --sort; run with --help'],
    [['departments', 'list', '--bogus'], 2, 'unknown option --bogus for "departments list"'],
    [['departments', 'rename', '1', 'Sales', '-x'], 2, 'unknown option -x for "departments rename": it takes no options'],
    [['departments', 'list', '--json=yes'], 2, 'option --json takes no value, got "yes"'],
    [['departments', 'add', 'Sales', '--sort'], 2, 'missing value for option --sort: write --sort N'],
    [['departments', 'add', 'Sales', '--sort', '1', '--sort', '2'], 2, 'option --sort is repeated: give it once'],
    [['departments', 'add'], 2, '"departments add" expects NAME, got none'],
    [['departments', 'add', 'Sales', 'team'], 2, '"departments add" expects NAME, got "Sales" "team"'],
    [['priorities', 'rename', 'low'], 2, '"priorities rename" expects ID|MARKER NAME'],
    [['priorities', 'add', 'urgent', 'Urgent', '--default', '--disabled'], 2, '--default and --disabled cannot be combined'],
    [['fields', 'add', 'Plan', '--departments', '1'], 2, '"fields add" needs --type TYPE'],
    [['fields', 'add', 'Plan'], 2, '"fields add" needs --type TYPE and --departments IDS'],
    [['fields', 'add', 'Plan', '--type', 'select', '--options', '--required', '--departments', '1'], 2, 'missing value for option --options: the next argument "--required" is read as an option'],
    [['fields', 'set', '1'], 2, '"fields set" needs at least one of --label, --options, --required, --optional, --departments, --sort'],
    [['fields', 'set', '1', '--required', '--optional'], 2, '--required and --optional cannot be combined'],
  ] as [string[], number, string][])('%j exits %i', async (argv, code, message) => {
    const before = await catalogSnapshot();

    const run = await admin(...argv);

    expect(run.code).toBe(code);
    expect(run.out).toEqual([]);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toContain(`error: ${message}`);
    expect(run.err[0]).not.toMatch(/\n\s+at /);
    expect(await catalogSnapshot()).toEqual(before);
  });

  test('database error without stack trace', async () => {
    // A database without tables, so every query fails on the server.
    const emptyUrl = new URL(`${MYSQL_ROOT_URL}/${DATABASE}_empty`);
    await ensureDatabase(emptyUrl);
    const empty = createDataSource(emptyUrl, 1);
    await empty.initialize();

    try {
      const out: string[] = [];
      const code = await runAdmin(['departments', 'list'], { dataSource: empty, out: (line) => out.push(line) });

      expect(code).toBe(1);
      expect(out).toEqual([`error: departments list failed: Table '${DATABASE}_empty.departments' doesn't exist`]);
    } finally {
      await empty.destroy();
      await dropDatabase(`${DATABASE}_empty`);
    }
  });
});
