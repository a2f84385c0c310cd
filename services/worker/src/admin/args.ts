import { parseArgs } from 'node:util';
import { OPTION_SPECS, type Command, type OptionName, type OptionValues } from './command';
import { UsageError } from './errors';
import { quote } from './values';

export type ParsedCommandLine =
  | { kind: 'help' }
  | { kind: 'command'; command: Command; args: string[]; options: OptionValues };

const SEE_HELP = 'run with --help for the list of commands';

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTION_SPECS, name);
}

function optionSyntax(name: OptionName): string {
  const spec = OPTION_SPECS[name];
  return spec.valueName ? `--${name} ${spec.valueName}` : `--${name}`;
}

function commandName(command: Command): string {
  return `${command.resource} ${command.action}`;
}

/** Returns the command's synopsis, such as `fields set ID [--label LABEL]`. */
export function synopsis(command: Command): string {
  const required = command.requiredOptions ?? [];
  const options = command.options.map((name) =>
    required.includes(name) ? optionSyntax(name) : `[${optionSyntax(name)}]`,
  );
  return [commandName(command), ...command.args, ...options].join(' ');
}

type ArgToken = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never;
type OptionToken = Extract<ArgToken, { kind: 'option' }>;

/**
 * Splits the command line with node:util parseArgs in non-strict mode, so that this
 * module can check options against the chosen command and word its own messages.
 */
function tokenize(argv: string[]): ArgToken[] {
  const config = Object.fromEntries(
    Object.entries(OPTION_SPECS).map(([name, spec]) => [name, { type: spec.type }]),
  ) as Record<string, { type: 'boolean' | 'string' }>;
  const { tokens } = parseArgs({
    args: argv,
    options: { ...config, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens;
}

function findCommand(positionals: string[], commands: readonly Command[]): Command {
  const [resource, action] = positionals;
  const resources = [...new Set(commands.map((command) => command.resource))];
  if (resource === undefined) {
    throw new UsageError(`missing resource: expected one of ${resources.join(', ')}; ${SEE_HELP}`);
  }
  if (!resources.includes(resource)) {
    throw new UsageError(`unknown resource ${quote(resource)}: expected one of ${resources.join(', ')}; ${SEE_HELP}`);
  }

  const ofResource = commands.filter((command) => command.resource === resource);
  const actions = ofResource.map((command) => command.action).join(', ');
  if (action === undefined) {
    throw new UsageError(`missing action for ${resource}: expected one of ${actions}; ${SEE_HELP}`);
  }
  const command = ofResource.find((candidate) => candidate.action === action);
  if (!command) {
    throw new UsageError(`unknown action ${quote(action)} for ${resource}: expected one of ${actions}; ${SEE_HELP}`);
  }
  return command;
}

function readOption(command: Command, token: OptionToken, options: OptionValues): void {
  // Each option's spec type matches its OptionValues type, so the checks below keep them apart.
  const values = options as Record<OptionName, string | boolean | undefined>;
  const name = token.name;
  if (!isOptionName(name) || !command.options.includes(name)) {
    const accepted = command.options.length > 0 ? `it accepts ${command.options.map((option) => `--${option}`).join(', ')}` : 'it takes no options';
    throw new UsageError(`unknown option ${token.rawName} for "${commandName(command)}": ${accepted}; ${SEE_HELP}`);
  }
  if (options[name] !== undefined) {
    throw new UsageError(`option --${name} is repeated: give it once`);
  }

  if (OPTION_SPECS[name].type === 'boolean') {
    if (token.value !== undefined) throw new UsageError(`option --${name} takes no value, got ${quote(token.value)}`);
    values[name] = true;
    return;
  }

  if (token.value === undefined) {
    throw new UsageError(`missing value for option --${name}: write ${optionSyntax(name)}`);
  }
  // In non-strict mode parseArgs takes the next argument as the value even when it is
  // another option, as in `--options --required`. Negative numbers are allowed through.
  if (!token.inlineValue && token.value.startsWith('-') && !/^-\d+$/.test(token.value)) {
    throw new UsageError(
      `missing value for option --${name}: the next argument ${quote(token.value)} is read as an option; ` +
        `write --${name}=VALUE for a value that starts with "-"`,
    );
  }
  values[name] = token.value;
}

/**
 * Parses `<resource> <action> [args] [--options]` against `commands`. Returns a help
 * request for an empty command line, `help`, `--help` or `-h`; throws UsageError naming
 * the unknown or missing part otherwise.
 */
export function parseCommandLine(argv: string[], commands: readonly Command[]): ParsedCommandLine {
  if (argv.length === 0) return { kind: 'help' };
  const tokens = tokenize(argv);

  const optionTokens = tokens.filter((token): token is OptionToken => token.kind === 'option');
  if (optionTokens.some((token) => token.name === 'help' || token.name === 'h')) return { kind: 'help' };

  const positionals = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  if (positionals[0] === 'help') return { kind: 'help' };

  const command = findCommand(positionals, commands);

  const options: OptionValues = {};
  for (const token of optionTokens) readOption(command, token, options);

  const missing = (command.requiredOptions ?? []).filter((name) => options[name] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`"${commandName(command)}" needs ${missing.map(optionSyntax).join(' and ')}; usage: ${synopsis(command)}`);
  }

  const args = positionals.slice(2);
  if (args.length !== command.args.length) {
    const expected = command.args.length === 0 ? 'no arguments' : command.args.join(' ');
    const got = args.length === 0 ? 'none' : args.map(quote).join(' ');
    throw new UsageError(
      `"${commandName(command)}" expects ${expected}, got ${got}; usage: ${synopsis(command)} ` +
        '(quote a value that contains spaces)',
    );
  }

  return { kind: 'command', command, args, options };
}
