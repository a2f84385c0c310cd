import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { InitialSchema1764806400000 } from './migrations/1764806400000-initial-schema';
import { WidenNameColumns1764979200000 } from './migrations/1764979200000-widen-name-columns';

export const migrations = [InitialSchema1764806400000, WidenNameColumns1764979200000];

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

/**
 * Returns the pool size for a worker that runs `concurrency` jobs at once. Its tickets go
 * through at most two shared transactions at a time (see `TicketBatcher`), so the pool
 * does not grow with the number of jobs. The other connections serve a failed group's
 * tickets stored one by one, catalog reloads and health checks.
 */
export function databasePoolSize(concurrency: number): number {
  return Math.min(concurrency, 8) + 2;
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
    // mysql2 captures a stack trace before every query to extend its errors. That costs
    // about 7 % of the worker's time per ticket, and TypeORM's errors carry the query anyway.
    trace: false,
  });
}

/**
 * Creates the database when it is missing (utf8mb4). A user without the right to do so
 * gets an error only if the database really is missing, and workers starting together
 * do not trip over each other's CREATE.
 */
export async function ensureDatabase(url: URL): Promise<void> {
  const connection = await createConnection(connectionSettings(url));
  try {
    const name = databaseName(url);
    const [rows] = await connection.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [name]);
    if ((rows as unknown[]).length > 0) return;
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

/**
 * Runs pending migrations while holding a MySQL named lock on a connection of its own
 * (outside the pool, so a pool of one cannot deadlock), so that processes starting at
 * the same time migrate once. Returns the names of the migrations applied.
 */
export async function runMigrations(dataSource: DataSource, url: URL): Promise<string[]> {
  const lockName = `ticket_intake_migrations:${databaseName(url)}`;
  const connection = await createConnection(connectionSettings(url));
  try {
    const [rows] = await connection.query('SELECT GET_LOCK(?, ?) AS acquired', [lockName, MIGRATION_LOCK_WAIT_SECONDS]);
    if ((rows as { acquired: number | null }[])[0]?.acquired !== 1) {
      throw new Error(`timed out after ${MIGRATION_LOCK_WAIT_SECONDS} s waiting for another process to finish migrating`);
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    // Closing the connection releases the lock.
    await connection.end();
  }
}
