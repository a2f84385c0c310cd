/**
 * Runs the gateway and one worker on this machine against the local Redis and MySQL.
 * When S3_ENDPOINT is not set, an embedded S3-compatible server keeps attachments in
 * .data/s3. Settings come from the environment and from .env when it exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from './local-s3';

const root = path.resolve(__dirname, '..', '..');
const LOCAL_S3_PORT = 4569;

function log(message: string): void {
  console.log(`[start-local] ${message}`);
}

/** Resolves to false when `port` on 127.0.0.1 is taken. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Stops with a message naming the setting to change when a port the services need is taken. */
async function checkPorts(ports: { port: number; setting: string }[]): Promise<void> {
  for (const { port, setting } of ports) {
    if (port !== 0 && !(await isPortFree(port))) {
      log(`port ${port} is in use by another program; stop it or set ${setting} to a free port`);
      process.exit(1);
    }
  }
}

async function main(): Promise<void> {
  const envFile = path.join(root, '.env');
  if (existsSync(envFile)) {
    process.loadEnvFile(envFile);
    log('read settings from .env');
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  // A local trial listens on this machine only, unless HOST or WORKER_HTTP_HOST are set.
  env.HOST ??= '127.0.0.1';
  // The same memory setting as the container images (see Dockerfile).
  env.MALLOC_MMAP_THRESHOLD_ ??= '131072';
  env.WORKER_HTTP_HOST ??= '127.0.0.1';
  const localS3Port = Number(env.LOCAL_S3_PORT ?? LOCAL_S3_PORT);
  await checkPorts([
    { port: Number(env.PORT ?? 8080), setting: 'PORT' },
    { port: Number(env.WORKER_HTTP_PORT ?? 8081), setting: 'WORKER_HTTP_PORT' },
    ...(env.S3_ENDPOINT ? [] : [{ port: localS3Port, setting: 'LOCAL_S3_PORT' }]),
  ]);

  let localS3: LocalS3 | undefined;
  if (!env.S3_ENDPOINT) {
    const directory = path.join(root, '.data', 's3');
    mkdirSync(directory, { recursive: true });
    localS3 = await startLocalS3(directory, localS3Port);
    Object.assign(env, {
      S3_ENDPOINT: localS3.endpoint,
      S3_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
      S3_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    });
    log(`S3_ENDPOINT is not set, so attachments go to an embedded S3-compatible server at ${localS3.endpoint} (files in .data/s3)`);
  } else {
    log(`using the object store at ${env.S3_ENDPOINT}`);
  }
  if (!env.API_KEY && !env.API_KEYS) {
    env.API_KEY = 'test-key-0001';
    log('API_KEY and API_KEYS are not set, so the key of the examples, test-key-0001, is accepted');
  }
  env.LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';

  const children: ChildProcess[] = [];
  const start = (name: string, script: string) => {
    const child = spawn(process.execPath, [path.join(root, script)], { env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      log(`${name} exited (${signal ?? `code ${code}`})`);
      void shutdown(code ?? 1);
    });
    children.push(child);
  };

  let stopping = false;
  async function shutdown(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null)),
    );
    await localS3?.close();
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  start('worker', 'services/worker/dist/main.js');
  start('gateway', 'services/gateway/dist/main.js');
}

main().catch((error: unknown) => {
  console.error('[start-local] failed:', error);
  process.exit(1);
});
