import type { DataSource } from 'typeorm';

/** Option values as given on the command line; string options are parsed by the command that reads them. */
export interface OptionValues {
  json?: boolean;
  disabled?: boolean;
  default?: boolean;
  sort?: string;
  type?: string;
  options?: string;
  required?: boolean;
  optional?: boolean;
  departments?: string;
  label?: string;
}

export type OptionName = keyof OptionValues;

export interface OptionSpec {
  type: 'boolean' | 'string';
  /** Placeholder of the value in the usage text, for string options. */
  valueName?: string;
  description: string;
}

export const OPTION_SPECS: Record<OptionName, OptionSpec> = {
  json: { type: 'boolean', description: 'print JSON instead of a table' },
  disabled: { type: 'boolean', description: 'create the entry disabled' },
  default: { type: 'boolean', description: 'make the new entry the only default' },
  sort: {
    type: 'string',
    valueName: 'N',
    description: 'sort order, a whole number, lower first (default: after the last entry)',
  },
  type: { type: 'string', valueName: 'TYPE', description: 'field type: text, textarea, select or checkbox' },
  options: {
    type: 'string',
    valueName: 'LIST',
    description: 'comma-separated choices of a select or checkbox field, such as "Yes,No"',
  },
  required: { type: 'boolean', description: 'tickets of the field\'s departments must fill the field' },
  optional: { type: 'boolean', description: 'tickets may leave the field empty' },
  departments: {
    type: 'string',
    valueName: 'IDS',
    description: 'comma-separated ids of the departments whose tickets use the field; replaces the list',
  },
  label: { type: 'string', valueName: 'LABEL', description: 'new label of the field' },
};

/** Callback that receives one line of output. */
export type LineWriter = (line: string) => void;

export interface CommandContext {
  dataSource: DataSource;
  out: LineWriter;
  /** Positional arguments after the resource and action, as many as `Command.args` names. */
  args: string[];
  options: OptionValues;
}

/** One `<resource> <action>` of the admin tool. */
export interface Command {
  resource: string;
  action: string;
  /** Placeholders of the positional arguments, such as ["ID", "NAME"]; the count is exact. */
  args: string[];
  /** Options the command accepts. */
  options: OptionName[];
  /** Options among `options` that must be given. */
  requiredOptions?: OptionName[];
  summary: string;
  run(context: CommandContext): Promise<void>;
}
