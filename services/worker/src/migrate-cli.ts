/** Creates the database when missing and applies pending migrations, then exits. */
import { ConfigError } from '@ticket-intake/shared';
import { loadWorkerConfig } from './config';
import { createDataSource, ensureDatabase, runMigrations } from './db/data-source';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  await ensureDatabase(config.databaseUrl);
  const dataSource = createDataSource(config.databaseUrl, 1);
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource, config.databaseUrl);
    console.log(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`);
  process.exit(1);
});
