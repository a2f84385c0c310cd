/** Redis connection settings in the shape that both ioredis and BullMQ accept. */
export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

/** Converts a redis:// or rediss:// URL into connection settings. */
export function redisOptionsFromUrl(url: URL): RedisConnectionSettings {
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  const settings: RedisConnectionSettings = {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
  };
  if (url.username) settings.username = decodeURIComponent(url.username);
  if (url.password) settings.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') settings.tls = {};
  return settings;
}
