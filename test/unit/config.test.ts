import { ConfigError } from '@ticket-intake/shared';
import { loadGatewayConfig } from '../../services/gateway/src/config';
import { loadWorkerConfig } from '../../services/worker/src/config';
import { ServiceProcess } from '../support/processes';

const SECRET_KEY = 'secret-value-9d41';
const API_KEY = 'api-key-value-5c27';

/** Settings every service needs. The URLs name port 9 on 127.0.0.1, and no test gets as far as connecting. */
const VALID: NodeJS.ProcessEnv = {
  REDIS_URL: 'redis://127.0.0.1:9',
  S3_ENDPOINT: 'http://127.0.0.1:9',
  DATABASE_URL: 'mysql://root@127.0.0.1:9/ticket_intake',
  S3_ACCESS_KEY: 'access-key',
  S3_SECRET_KEY: SECRET_KEY,
  API_KEYS: `main:${API_KEY}`,
};

function withChanges(changes: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...VALID, ...changes };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete env[name];
  }
  return env;
}

/** Returns the problems that ConfigError lists for `load(env)`, or [] when it loads. */
function problemsOf(load: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('gateway configuration', () => {
  test('valid settings load', () => {
    const config = loadGatewayConfig(VALID);

    expect(config.port).toBe(8080);
    expect(config.apiKeys).toEqual([{ label: 'main', key: API_KEY }]);
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT is invalid: expected a whole number, got "abc"'],
    [{ PORT: '70000' }, 'PORT is invalid: expected a number from 0 to 65535, got 70000'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL is invalid: expected a redis: or rediss: URL, got "http://x"'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL is invalid: expected a URL such as redis://host:port, got "not a url"'],
    [{ API_KEYS: 'no-label' }, 'API_KEYS is invalid: expected label:key, got an entry without a label or key'],
    [{ API_KEYS: 'main:one,main:two' }, 'API_KEYS is invalid: label "main" is used twice'],
    [{ WAIT_TIMEOUT_MS: '0' }, 'WAIT_TIMEOUT_MS is invalid: expected a number from 100 to 600000, got 0'],
    [{ API_KEY_ALLOWLISTS: 'other=127.0.0.1' }, 'API_KEY_ALLOWLISTS names "other", which is not a label of API_KEYS'],
    [
      { API_KEY_ALLOWLISTS: 'main=300.1.1.1' },
      'API_KEY_ALLOWLISTS is invalid: "300.1.1.1" is not an IP address or CIDR block',
    ],
    [{ S3_ACCESS_KEY: undefined }, 'S3_ACCESS_KEY is missing: access key of the object store'],
    [{ S3_ENDPOINT: 'ftp://127.0.0.1' }, 'S3_ENDPOINT is invalid: expected a http: or https: URL, got "ftp://127.0.0.1"'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL is invalid: expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    [{ API_KEYS: undefined }, 'API_KEYS or API_KEY must be set: at least one API key is needed'],
  ])('%o is reported', (changes, message) => {
    expect(problemsOf(loadGatewayConfig, withChanges(changes))).toEqual([message]);
  });

  test('every wrong variable is reported at once', () => {
    const problems = problemsOf(loadGatewayConfig, withChanges({ PORT: 'abc', WAIT_TIMEOUT_MS: '0', S3_SECRET_KEY: undefined }));

    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^S3_SECRET_KEY is missing/);
    expect(problems[1]).toMatch(/^PORT is invalid/);
    expect(problems[2]).toMatch(/^WAIT_TIMEOUT_MS is invalid/);
  });

  test('messages do not repeat API keys', () => {
    const problems = problemsOf(loadGatewayConfig, withChanges({ API_KEYS: `main:${API_KEY},${API_KEY}` }));

    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain(API_KEY);
  });
});

describe('worker configuration', () => {
  test('health port defaults to 8081', () => {
    expect(loadWorkerConfig(VALID).workerHttpPort).toBe(8081);
  });

  test('health port 0 is accepted', () => {
    expect(loadWorkerConfig(withChanges({ WORKER_HTTP_PORT: '0' })).workerHttpPort).toBe(0);
  });

  test.each([
    [{ WORKER_HTTP_PORT: 'http' }, 'WORKER_HTTP_PORT is invalid: expected a whole number, got "http"'],
    [{ WORKER_HTTP_PORT: '65536' }, 'WORKER_HTTP_PORT is invalid: expected a number from 0 to 65535, got 65536'],
    [{ DATABASE_URL: 'postgres://127.0.0.1/db' }, 'DATABASE_URL is invalid: expected a mysql: URL, got "postgres://127.0.0.1/db"'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY is invalid: expected a number from 1 to 500, got 0'],
  ])('%o is reported', (changes, message) => {
    expect(problemsOf(loadWorkerConfig, withChanges(changes))).toEqual([message]);
  });
});

describe('start with invalid settings', () => {
  async function run(name: 'gateway' | 'worker', env: NodeJS.ProcessEnv) {
    const service = new ServiceProcess(name, env);
    const code = await service.exited;
    return { code, output: service.lines.join('\n') };
  }

  test('gateway exits naming PORT', async () => {
    const { code, output } = await run('gateway', withChanges({ PORT: 'abc' }));

    expect(code).toBe(1);
    expect(output).toContain('PORT is invalid: expected a whole number, got "abc"');
    expect(output).not.toContain(SECRET_KEY);
    expect(output).not.toContain(API_KEY);
  });

  test('gateway exits naming missing key', async () => {
    const { code, output } = await run('gateway', withChanges({ S3_ACCESS_KEY: undefined, REDIS_URL: 'http://x' }));

    expect(code).toBe(1);
    expect(output).toContain('S3_ACCESS_KEY is missing');
    expect(output).toContain('REDIS_URL is invalid');
  });

  test('worker exits naming WORKER_HTTP_PORT', async () => {
    const { code, output } = await run('worker', withChanges({ WORKER_HTTP_PORT: 'http' }));

    expect(code).toBe(1);
    expect(output).toContain('WORKER_HTTP_PORT is invalid: expected a whole number, got "http"');
    expect(output).not.toContain(SECRET_KEY);
  });
});
