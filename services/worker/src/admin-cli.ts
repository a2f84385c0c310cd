/** Catalog administration: `node admin-cli.js <resource> <action> [arguments] [options]`; see --help. */
import { ConfigError, readSettings, workerSettings } from '@ticket-intake/shared';
import { prepareCommandLine, runAdmin } from './admin/run-admin';
import { createDataSource, ensureDatabase, runMigrations } from './db/data-source';

/** Only DATABASE_URL: the tool needs neither Redis nor the object store. */
const adminSettings = { databaseUrl: workerSettings.databaseUrl };

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Returns the URL with its password masked, for messages. */
function maskPassword(url: URL): string {
  const masked = new URL(url.href);
  if (masked.password !== '') masked.password = '***';
  return masked.href;
}

async function main(argv: string[]): Promise<number> {
  const prepared = prepareCommandLine(argv, out, err);
  if ('exitCode' in prepared) return prepared.exitCode;

  let databaseUrl: URL;
  try {
    ({ databaseUrl } = readSettings(adminSettings, process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    err(`error: ${error.message}`);
    return 1;
  }

  const dataSource = createDataSource(databaseUrl, 1);
  try {
    await ensureDatabase(databaseUrl);
    await dataSource.initialize();
    const applied = await runMigrations(dataSource, databaseUrl);
    if (applied.length > 0) err(`applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    err(`error: cannot prepare the database at ${maskPassword(databaseUrl)}: ${(error as Error).message}`);
    if (dataSource.isInitialized) await dataSource.destroy();
    return 1;
  }

  try {
    return await runAdmin(argv, { dataSource, out, err });
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    err(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
