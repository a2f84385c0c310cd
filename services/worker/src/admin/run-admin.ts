import type { DataSource } from 'typeorm';
import { parseCommandLine, type ParsedCommandLine } from './args';
import type { Command, LineWriter } from './command';
import { departmentCommands } from './departments';
import { CommandError, UsageError } from './errors';
import { fieldCommands } from './fields';
import { lookupCommands } from './lookups';
import { usageLines } from './usage';

export const ADMIN_COMMANDS: readonly Command[] = [...departmentCommands, ...lookupCommands, ...fieldCommands];

export interface AdminDeps {
  dataSource: DataSource;
  /** Receives results: tables, JSON and success messages. */
  out: LineWriter;
  /** Receives error messages; defaults to `out`. */
  err?: LineWriter;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Parses `argv`, printing the help or the error of an invalid command line. Returns the
 * exit code when nothing is left to run, else the parsed command, which needs the database.
 */
export function prepareCommandLine(
  argv: string[],
  out: LineWriter,
  err: LineWriter = out,
): { exitCode: number } | { parsed: Extract<ParsedCommandLine, { kind: 'command' }> } {
  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(argv, ADMIN_COMMANDS);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`error: ${error.message}`);
    return { exitCode: error.exitCode };
  }
  if (parsed.kind === 'help') {
    for (const line of usageLines(ADMIN_COMMANDS)) out(line);
    return { exitCode: 0 };
  }
  return { parsed };
}

/**
 * Runs one admin command line against `deps.dataSource` and returns the exit code: 0 on
 * success, 1 when the command failed, 2 for an invalid command line. Errors are written
 * to `deps.err` as one line without a stack trace.
 */
export async function runAdmin(argv: string[], deps: AdminDeps): Promise<number> {
  const err = deps.err ?? deps.out;
  const handled = prepareCommandLine(argv, deps.out, err);
  if ('exitCode' in handled) return handled.exitCode;

  const { command, args, options } = handled.parsed;
  try {
    await command.run({ dataSource: deps.dataSource, out: deps.out, args, options });
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CommandError) {
      err(`error: ${error.message}`);
      return error.exitCode;
    }
    err(`error: ${command.resource} ${command.action} failed: ${errorMessage(error)}`);
    return 1;
  }
}
