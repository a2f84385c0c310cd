/** The machine and software versions a bench result was measured with. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Connection } from 'mysql2/promise';
import { ROOT } from './processes';

export interface BenchEnvironment {
  date: string;
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  mariadb: string;
  redis: string;
  /** 1, 5 and 15 minute load averages when the bench started. */
  loadAverage: number[];
  commit: string;
  /** True when the work tree had uncommitted changes. */
  dirty: boolean;
}

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export async function describeEnvironment(db: Connection, redisInfo: string): Promise<BenchEnvironment> {
  const [rows] = await db.query('SELECT VERSION() AS version');
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    node: process.version,
    mariadb: (rows as { version: string }[])[0]?.version ?? 'unknown',
    redis: /^redis_version:(.+)$/m.exec(redisInfo)?.[1]?.trim() ?? 'unknown',
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}
