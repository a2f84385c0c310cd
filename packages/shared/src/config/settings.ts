import { boolean, integer, list, nonEmpty, oneOf, text, url } from './parsers';
import type { Setting } from './load';
import { parseAllowLists, parseApiKeys } from './api-keys';

const MIB = 1024 * 1024;

function setting<T>(definition: Setting<T>): Setting<T> {
  return definition;
}

/** Settings that both the gateway and the worker read. */
export const commonSettings = {
  redisUrl: setting({
    name: 'REDIS_URL',
    description: 'Redis connection URL for the job queue',
    default: 'redis://127.0.0.1:6379',
    parse: url(['redis:', 'rediss:']),
  }),
  queueName: setting({
    name: 'QUEUE_NAME',
    description: 'BullMQ queue name for ticket jobs',
    default: 'ticket-intake',
    parse: nonEmpty,
  }),
  queuePrefix: setting({
    name: 'QUEUE_PREFIX',
    description: 'Redis key prefix of the queue; use a hash tag such as {intake} on a Redis Cluster',
    default: 'bull',
    parse: nonEmpty,
  }),
  s3Endpoint: setting({
    name: 'S3_ENDPOINT',
    description: 'S3-compatible object store URL, for example http://minio:9000',
    default: 'http://127.0.0.1:9000',
    parse: url(['http:', 'https:']),
  }),
  s3AccessKey: setting({
    name: 'S3_ACCESS_KEY',
    description: 'access key of the object store',
    parse: nonEmpty,
  }),
  s3SecretKey: setting({
    name: 'S3_SECRET_KEY',
    description: 'secret key of the object store',
    parse: nonEmpty,
  }),
  s3Bucket: setting({
    name: 'S3_BUCKET',
    description: 'bucket that contains the attachments; created at start when missing',
    default: 'ticket-attachments',
    parse: nonEmpty,
  }),
  s3Region: setting({
    name: 'S3_REGION',
    description: 'region sent in request signatures',
    default: 'us-east-1',
    parse: nonEmpty,
  }),
  logLevel: setting({
    name: 'LOG_LEVEL',
    description: 'pino log level',
    default: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  }),
  logFormat: setting({
    name: 'LOG_FORMAT',
    description: 'json for one JSON object a line, pretty for readable development output',
    default: 'json',
    parse: oneOf(['json', 'pretty'] as const),
  }),
};

/** Settings of the HTTP gateway. */
export const gatewaySettings = {
  port: setting({
    name: 'PORT',
    description: 'HTTP port of the gateway',
    default: '8080',
    parse: integer({ min: 0, max: 65535 }),
  }),
  host: setting({
    name: 'HOST',
    description: 'address the gateway listens on',
    default: '0.0.0.0',
    parse: nonEmpty,
  }),
  apiKeys: setting({
    name: 'API_KEYS',
    description: 'accepted API keys as label:key pairs separated by commas',
    default: '',
    parse: parseApiKeys,
  }),
  apiKey: setting({
    name: 'API_KEY',
    description: 'a single accepted API key, labelled "default"',
    default: '',
    parse: text,
  }),
  apiKeyAllowLists: setting({
    name: 'API_KEY_ALLOWLISTS',
    description: 'per-key caller address allow-lists, label=CIDR CIDR;label=CIDR',
    default: '',
    parse: parseAllowLists,
  }),
  trustedProxies: setting({
    name: 'TRUSTED_PROXIES',
    description: 'proxy addresses or CIDRs whose X-Forwarded-For is believed, separated by commas',
    default: '',
    parse: list,
  }),
  waitTimeoutMs: setting({
    name: 'WAIT_TIMEOUT_MS',
    description: 'how long a request waits for its tickets to be stored, in milliseconds',
    default: '10000',
    parse: integer({ min: 100, max: 600_000 }),
  }),
  maxBodyBytes: setting({
    name: 'MAX_BODY_BYTES',
    description: 'largest accepted request body, in bytes',
    default: String(32 * MIB),
    parse: integer({ min: 1024 }),
  }),
  maxTicketsPerRequest: setting({
    name: 'MAX_TICKETS_PER_REQUEST',
    description: 'most <ticket> elements accepted in one document',
    default: '100',
    parse: integer({ min: 1, max: 10_000 }),
  }),
  attachmentsEnabled: setting({
    name: 'ATTACHMENTS_ENABLED',
    description: 'whether attachments are stored; when false they are ignored with a warning',
    default: 'true',
    parse: boolean,
  }),
  attachmentAllowedExtensions: setting({
    name: 'ATTACHMENT_ALLOWED_EXTENSIONS',
    description: 'allowed attachment extensions separated by commas; empty allows every extension',
    default: '',
    parse: (raw: string) => list(raw).map((ext) => ext.replace(/^\./, '').toLowerCase()),
  }),
  attachmentMaxBytes: setting({
    name: 'ATTACHMENT_MAX_BYTES',
    description: 'largest stored attachment after base64 decoding, in bytes',
    default: String(20 * MIB),
    parse: integer({ min: 0 }),
  }),
  attachmentMaxFiles: setting({
    name: 'ATTACHMENT_MAX_FILES',
    description: 'most attachments stored per ticket; later ones are ignored with a warning',
    default: '10',
    parse: integer({ min: 0 }),
  }),
  commentsMaxChars: setting({
    name: 'COMMENTS_MAX_CHARS',
    description: 'longest accepted <comments> text, in characters',
    default: String(MIB),
    // MEDIUMTEXT stores at most 16 MiB - 1 bytes, which is 4 MiB - 1 characters of 4 bytes each.
    parse: integer({ min: 1, max: 4 * MIB - 1 }),
  }),
  idempotencyTtlSeconds: setting({
    name: 'IDEMPOTENCY_TTL_SECONDS',
    description: 'how long the response to a request with an Idempotency-Key is kept, in seconds',
    default: String(24 * 60 * 60),
    parse: integer({ min: 60 }),
  }),
  rateLimitPerSecond: setting({
    name: 'RATE_LIMIT_PER_SECOND',
    description: 'requests per second allowed for each API key, shared by all gateways; 0 turns the limit off',
    default: '200',
    parse: integer({ min: 0 }),
  }),
  rateLimitBurst: setting({
    name: 'RATE_LIMIT_BURST',
    description: 'requests an API key may send at once above its steady rate',
    default: '400',
    parse: integer({ min: 1 }),
  }),
  failedKeyLimit: setting({
    name: 'FAILED_KEY_LIMIT',
    description: 'requests with a wrong API key allowed from one address per window before it gets 429',
    default: '20',
    parse: integer({ min: 1 }),
  }),
  failedKeyWindowSeconds: setting({
    name: 'FAILED_KEY_WINDOW_SECONDS',
    description: 'length of the window that FAILED_KEY_LIMIT counts in, in seconds',
    default: '60',
    parse: integer({ min: 1 }),
  }),
  jobAttempts: setting({
    name: 'JOB_ATTEMPTS',
    description: 'how often a ticket job is tried when the database or object store fails',
    default: '8',
    parse: integer({ min: 1, max: 100 }),
  }),
  jobBackoffMs: setting({
    name: 'JOB_BACKOFF_MS',
    description: 'first retry delay of a failed job in milliseconds; doubles each attempt',
    default: '500',
    parse: integer({ min: 1 }),
  }),
};

/** Settings of the queue worker. */
export const workerSettings = {
  databaseUrl: setting({
    name: 'DATABASE_URL',
    description: 'MySQL or MariaDB URL, mysql://user:pass@host:port/database',
    default: 'mysql://root@127.0.0.1:3306/ticket_intake',
    parse: url(['mysql:']),
  }),
  workerConcurrency: setting({
    name: 'WORKER_CONCURRENCY',
    description: 'jobs one worker process handles at the same time',
    default: '100',
    parse: integer({ min: 1, max: 500 }),
  }),
  workerLockMs: setting({
    name: 'WORKER_LOCK_MS',
    description: 'lock time of a running job in milliseconds; a job of a crashed worker is taken over after about this long',
    default: '30000',
    parse: integer({ min: 1000 }),
  }),
  catalogRefreshMs: setting({
    name: 'CATALOG_REFRESH_MS',
    description: 'how often a worker reloads departments, levels, statuses and fields, in milliseconds',
    default: '3000',
    parse: integer({ min: 100 }),
  }),
  pendingUploadMaxAgeMs: setting({
    name: 'PENDING_UPLOAD_MAX_AGE_MS',
    description: 'age after which the files of a job that stored no ticket are removed, in milliseconds',
    default: String(24 * 60 * 60 * 1000),
    parse: integer({ min: 60_000 }),
  }),
  defaultTimezone: setting({
    name: 'DEFAULT_TIMEZONE',
    description: 'time zone given to accounts created by the API',
    default: 'UTC',
    parse: nonEmpty,
  }),
  workerHttpPort: setting({
    name: 'WORKER_HTTP_PORT',
    description: 'HTTP port of the worker\'s /healthz, /readyz and /metrics; 0 picks a free port',
    default: '8081',
    parse: integer({ min: 0, max: 65535 }),
  }),
  workerHttpHost: setting({
    name: 'WORKER_HTTP_HOST',
    description: 'address the worker\'s HTTP server listens on',
    default: '0.0.0.0',
    parse: nonEmpty,
  }),
};

/**
 * Settings of the queue dashboard. The dashboard is off while both DASHBOARD_USER and
 * DASHBOARD_PASSWORD are empty; setting only one of them is a configuration error.
 */
export const dashboardSettings = {
  dashboardUser: setting({
    name: 'DASHBOARD_USER',
    description: 'user name of the dashboard\'s HTTP Basic authentication; empty together with DASHBOARD_PASSWORD turns the dashboard off',
    default: '',
    parse: text,
  }),
  dashboardPassword: setting({
    name: 'DASHBOARD_PASSWORD',
    description: 'password of the dashboard\'s HTTP Basic authentication; empty together with DASHBOARD_USER turns the dashboard off',
    default: '',
    parse: text,
  }),
  dashboardReadOnly: setting({
    name: 'DASHBOARD_READ_ONLY',
    description: 'whether the dashboard only shows jobs; false also allows retrying, removing and cleaning them',
    default: 'true',
    parse: boolean,
  }),
  dashboardPort: setting({
    name: 'DASHBOARD_PORT',
    description: 'HTTP port of the dashboard',
    default: '8090',
    parse: integer({ min: 0, max: 65535 }),
  }),
  dashboardHost: setting({
    name: 'DASHBOARD_HOST',
    description: 'address the dashboard listens on',
    default: '127.0.0.1',
    parse: nonEmpty,
  }),
};

export const allSettings = { ...commonSettings, ...gatewaySettings, ...workerSettings, ...dashboardSettings };
