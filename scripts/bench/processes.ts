import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Repository root, seen from scripts/dist/bench. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

const PRELOAD = path.join(__dirname, 'exit-with-parent.js');
const KEPT_OUTPUT_LINES = 20;
const KILL_WAIT_MS = 5_000;

interface ReadyMessage {
  type: 'ready';
  [field: string]: unknown;
}

/** Raised when a child process of the bench has exited; waitUntil() does not retry it. */
export class ChildExitedError extends Error {
  override name = 'ChildExitedError';
}

/** A Node.js child process of the bench, with its output prefixed on stderr. */
export class ChildService {
  readonly pid: number;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private readonly lastLines: string[] = [];
  private stopping = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name} could not be started`);
    this.pid = child.pid;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => this.keepLine(line));
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        if (!this.stopping) console.error(`[bench] ${name} exited unexpectedly (${this.describeExit()})`);
        resolve();
      });
    });
  }

  /**
   * Starts `node script ...args` with `env` as its whole environment. Extra Node.js flags
   * such as --cpu-prof go in `nodeArgs`.
   */
  static start(
    name: string,
    script: string,
    options: { env: NodeJS.ProcessEnv; args?: string[]; nodeArgs?: string[] },
  ): ChildService {
    const { env, args = [], nodeArgs = [] } = options;
    const child = spawn(process.execPath, ['--require', PRELOAD, ...nodeArgs, script, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new ChildService(name, child);
  }

  private keepLine(line: string): void {
    process.stderr.write(`[${this.name}] ${line}\n`);
    this.lastLines.push(line);
    if (this.lastLines.length > KEPT_OUTPUT_LINES) this.lastLines.shift();
  }

  private describeExit(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code}`;
  }

  /** Throws when the process has exited, with its exit status and last output lines. */
  assertRunning(): void {
    if (!this.exit) return;
    const output = this.lastLines.length > 0 ? `; last output:\n${this.lastLines.join('\n')}` : '';
    throw new ChildExitedError(`${this.name} (pid ${this.pid}) exited during the bench (${this.describeExit()})${output}`);
  }

  /** Waits for the `{ type: 'ready' }` IPC message that the bench's own child scripts send. */
  waitForReady(timeoutMs: number): Promise<ReadyMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not report ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: unknown) => {
        if ((message as ReadyMessage | null)?.type !== 'ready') return;
        cleanup();
        resolve(message as ReadyMessage);
      };
      const onExit = () => {
        cleanup();
        try {
          this.assertRunning();
        } catch (error) {
          reject(error);
        }
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  /** Sends SIGTERM, then SIGKILL when the process has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timedOut = await waitOrTimeout(this.exited, graceMs);
    if (!timedOut) return;
    console.error(`[bench] ${this.name} did not stop within ${graceMs} ms of SIGTERM; sending SIGKILL`);
    this.child.kill('SIGKILL');
    await waitOrTimeout(this.exited, KILL_WAIT_MS);
  }
}

/** Resolves true when `timeoutMs` passed before `promise` settled. */
async function waitOrTimeout(promise: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  const result = await Promise.race([promise.then(() => false), timeout]);
  clearTimeout(timer);
  return result;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every 200 ms until it returns true; throws after `timeoutMs`, or at once
 * when `check` throws ChildExitedError.
 */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof ChildExitedError) throw error;
      lastError = error;
    }
    await sleep(200);
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}
