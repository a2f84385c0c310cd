import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './redis-server';

const ROOT = path.join(__dirname, '..', '..');

/**
 * A gateway or worker started from the compiled code as a process of its own, so a test
 * can kill it the way an operating system or an orchestrator would.
 */
export class ServiceProcess {
  private readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: 'gateway' | 'worker',
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [path.join(ROOT, 'services', name, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    const collect = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      this.lines.push(...complete);
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until a log line contains `message`, failing after `timeoutMs`. */
  async waitForLog(message: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((line) => line.includes(message))) {
      if (!this.running) throw new Error(`${this.name} exited before logging "${message}":\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log "${message}" in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Sends SIGKILL and waits for the exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

export async function startGatewayProcess(env: NodeJS.ProcessEnv): Promise<{ process: ServiceProcess; url: string }> {
  const port = await freePort();
  const gateway = new ServiceProcess('gateway', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  await gateway.waitForLog('gateway listening');
  return { process: gateway, url: `http://127.0.0.1:${port}` };
}

export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  // Port 0, because several workers may run at once and the default port may be taken.
  const worker = new ServiceProcess('worker', { WORKER_HTTP_PORT: '0', ...env });
  await worker.waitForLog('worker started');
  return worker;
}
