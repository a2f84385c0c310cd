/** Settings of `npm run bench`, read from BENCH_* environment variables. */

export interface BenchSettings {
  /** Measured seconds of each load run (BENCH_SECONDS). */
  seconds: number;
  /** Seconds of load before the measured part of a closed-loop run. */
  warmupSeconds: number;
  /** How often the whole measurement set is repeated (BENCH_RUNS). */
  runs: number;
  /** Connections of the single-ticket closed-loop runs (BENCH_CONNECTIONS). */
  connections: number;
  /** Connections of the 100-ticket run (BENCH_BATCH_CONNECTIONS). */
  batchConnections: number;
  /** Tickets in each document of the batch run. */
  batchSize: number;
  /** Posts of each attachment document; the median time is reported (BENCH_ATTACHMENT_POSTS). */
  attachmentPosts: number;
  /** Fractions of the maximum rate at which latency is measured for the chart. */
  loadFractions: number[];
  /** Minimum number of requests of a paced run; low rates run longer, up to 3 × seconds. */
  minPacedRequests: number;
  /** Requests a paced run keeps open at most; later ones wait and count as late. */
  maxInFlight: number;
  /** MariaDB server, root account; the bench creates and drops its own database there. */
  mysqlUrl: URL;
  redisUrl: URL;
  /** WORKER_CONCURRENCY of the worker (BENCH_WORKER_CONCURRENCY); undefined keeps the service default. */
  workerConcurrency: string | undefined;
  /** Write V8 CPU profiles of the gateway, worker and direct server (BENCH_CPU_PROF=1). */
  cpuProfile: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Reads a server URL and rejects any host but this machine's loopback address. */
function readLocalUrl(env: NodeJS.ProcessEnv, name: string, fallback: string, protocol: string): URL {
  const raw = env[name] || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== protocol) throw new Error(`${name} must start with ${protocol}//, found ${url.protocol}//`);
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`${name} points to ${url.hostname}; the bench only sends load to 127.0.0.1`);
  }
  return url;
}

export function readBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const seconds = readInteger(env, 'BENCH_SECONDS', 5, 1, 600);
  return {
    seconds,
    warmupSeconds: 1,
    runs: readInteger(env, 'BENCH_RUNS', 1, 1, 20),
    connections: readInteger(env, 'BENCH_CONNECTIONS', 32, 1, 1024),
    batchConnections: readInteger(env, 'BENCH_BATCH_CONNECTIONS', 4, 1, 256),
    batchSize: 100,
    attachmentPosts: readInteger(env, 'BENCH_ATTACHMENT_POSTS', 5, 1, 50),
    loadFractions: [0.1, 0.25, 0.5, 0.75, 1],
    minPacedRequests: 300,
    maxInFlight: 256,
    mysqlUrl: readLocalUrl(env, 'BENCH_MYSQL_URL', 'mysql://root@127.0.0.1:3306', 'mysql:'),
    redisUrl: readLocalUrl(env, 'BENCH_REDIS_URL', 'redis://127.0.0.1:6379', 'redis:'),
    workerConcurrency: env.BENCH_WORKER_CONCURRENCY || undefined,
    cpuProfile: env.BENCH_CPU_PROF === '1',
  };
}
