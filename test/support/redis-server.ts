import { spawn, type ChildProcess } from 'node:child_process';
import IORedis from 'ioredis';
import { freePort } from '../../scripts/free-port';

export { freePort };

/**
 * A redis-server of the test's own on a free port, for tests that restart Redis or
 * measure its memory without disturbing the shared instance.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly directory: string | undefined,
  ) {}

  /** Starts a server; with `directory` it keeps its data in an append-only file there. */
  static async start(directory?: string): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), directory);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.directory
      ? ['--dir', this.directory, '--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 5000;
    for (;;) {
      const client = new IORedis(this.port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        client.disconnect();
      }
    }
  }

  /** Stops the server: SIGKILL loses what is not on disk, SIGTERM shuts down cleanly. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.process = undefined;
  }

  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  client(): IORedis {
    return new IORedis(this.port, '127.0.0.1');
  }
}
