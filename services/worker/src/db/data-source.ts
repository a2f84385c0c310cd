import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { InitialSchema1764806400000 } from './migrations/1764806400000-initial-schema';

export const migrations = [InitialSchema1764806400000];

/** Name of the MySQL lock held while migrating, so parallel starts migrate once. */
const MIGRATION_LOCK = 'ticket_intake_migrations';
const MIGRATION_LOCK_WAIT_SECONDS = 120;

function databaseName(url: URL): string {
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(name)) {
    throw new Error(`DATABASE_URL names the database "${name}"; use letters, digits, "_", "$" or "-"`);
  }
  return name;
}

function connectionSettings(url: URL) {
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/** Creates the data source; call `initialize()` on it to connect. */
export function createDataSource(url: URL, poolSize: number): DataSource {
  return new DataSource({
    type: 'mysql',
    ...connectionSettings(url),
    username: decodeURIComponent(url.username),
    database: databaseName(url),
    // utf8mb4 on the connection as well as the tables, so 4-byte characters survive.
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    poolSize,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    bigNumberStrings: false,
    supportBigNumbers: true,
  });
}

/**
 * Creates the database when it is missing (utf8mb4). A user without the right to do so
 * gets a clear error only if the database really is missing.
 */
export async function ensureDatabase(url: URL): Promise<void> {
  const connection = await createConnection(connectionSettings(url));
  try {
    const name = databaseName(url);
    const [rows] = await connection.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [name]);
    if ((rows as unknown[]).length > 0) return;
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

/** Runs pending migrations under a MySQL named lock; returns the names of those applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [lock] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      MIGRATION_LOCK,
      MIGRATION_LOCK_WAIT_SECONDS,
    ])) as { acquired: number | null }[];
    if (lock?.acquired !== 1) {
      throw new Error(`timed out after ${MIGRATION_LOCK_WAIT_SECONDS} s waiting for another process to finish migrating`);
    }
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
