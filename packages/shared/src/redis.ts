/** Redis connection settings in the shape that both ioredis and BullMQ accept. */
export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  /** Delay before the next reconnection attempt, in milliseconds. */
  retryStrategy: (attempt: number) => number;
}

/**
 * Reconnects after 100 ms, doubling to at most 2 s. BullMQ's own default waits at least
 * 1 s and grows to 20 s, which keeps a service down long after Redis is back.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
}

/** Converts a redis:// or rediss:// URL into connection settings. */
export function redisOptionsFromUrl(url: URL): RedisConnectionSettings {
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  const settings: RedisConnectionSettings = {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
    retryStrategy: reconnectDelay,
  };
  if (url.username) settings.username = decodeURIComponent(url.username);
  if (url.password) settings.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') settings.tls = {};
  return settings;
}
