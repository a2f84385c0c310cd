import { synopsis } from './args';
import { OPTION_SPECS, type Command, type OptionName } from './command';

/** Synopses longer than this do not widen the column; their summary follows after two spaces. */
const MAX_SYNOPSIS_COLUMN = 62;

function padded(text: string, width: number): string {
  return text.length >= width ? `${text}  ` : text.padEnd(width + 2);
}

/** Returns the help text: every command with a one-line summary, the options and the exit codes. */
export function usageLines(commands: readonly Command[]): string[] {
  const synopses = commands.map(synopsis);
  const commandWidth = Math.min(MAX_SYNOPSIS_COLUMN, Math.max(...synopses.map((text) => text.length)));

  const optionNames = Object.keys(OPTION_SPECS) as OptionName[];
  const optionSyntax = optionNames.map((name) => {
    const valueName = OPTION_SPECS[name].valueName;
    return valueName ? `--${name} ${valueName}` : `--${name}`;
  });
  const optionWidth = Math.max(...optionSyntax.map((text) => text.length));

  return [
    'Usage: npm run admin -- <resource> <action> [arguments] [options]',
    '',
    'Changes the ticket catalog: departments, priority levels, ticket statuses, languages',
    'and custom fields, in the database named by DATABASE_URL. Pending migrations run first.',
    'Running workers load the changes within CATALOG_REFRESH_MS (3000 ms by default).',
    '',
    'Commands:',
    ...commands.map((command, index) => `  ${padded(synopses[index]!, commandWidth)}${command.summary}`),
    '',
    'Options:',
    ...optionNames.map((name, index) => `  ${padded(optionSyntax[index]!, optionWidth)}${OPTION_SPECS[name].description}`),
    `  ${padded('-h, --help', optionWidth)}print this help`,
    '',
    'ID is a numeric id from the list command. MARKER is the key that clients send, such as',
    '"high": 1 to 50 ASCII letters, digits, "_" or "-", unique regardless of case, not all digits.',
    'Quote a NAME or LABEL that contains spaces.',
    '',
    'Exit codes: 0 success; 1 the command failed (invalid value, id not found, catalog rule,',
    'database error); 2 invalid command line (unknown resource, action or option).',
  ];
}
