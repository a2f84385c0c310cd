import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { JanitorMessage, TrackedResource } from './janitor';
import { ROOT } from './processes';

const JANITOR_EXIT_WAIT_MS = 5_000;

/**
 * Undo steps of everything the bench creates (processes, database, queues, files), run
 * in reverse order once, whether the bench finishes, fails or is interrupted. Resources
 * are also reported to a janitor process, which removes them if the bench dies before
 * it can run the steps itself.
 */
export class Cleanup {
  private readonly steps: { name: string; undo: () => Promise<void> | void }[] = [];
  private running: Promise<void> | undefined;
  private janitor: ChildProcess | undefined;

  /** Starts the janitor; `env` needs BENCH_MYSQL_URL and BENCH_REDIS_URL. */
  async startJanitor(env: NodeJS.ProcessEnv): Promise<void> {
    const janitor = spawn(process.execPath, [path.join(ROOT, 'scripts', 'dist', 'bench', 'janitor.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      janitor.once('message', () => resolve());
      janitor.once('exit', (code) => reject(new Error(`the bench janitor exited at start (code ${code})`)));
    });
    // The janitor must not keep the bench alive.
    janitor.unref();
    janitor.channel?.unref();
    this.janitor = janitor;
  }

  /** Reports a resource to the janitor; pair it with a step added by add(). */
  track(resource: TrackedResource): void {
    this.janitor?.send({ type: 'track', resource } satisfies JanitorMessage);
  }

  add(name: string, undo: () => Promise<void> | void): void {
    this.steps.push({ name, undo });
  }

  /** Runs every step, newest first; a failed step is logged and the rest still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.undo();
        } catch (error) {
          console.error(`[bench] cleanup: ${step.name} failed:`, error);
        }
      }
      await this.dismissJanitor();
    })();
    return this.running;
  }

  private async dismissJanitor(): Promise<void> {
    const janitor = this.janitor;
    if (!janitor || janitor.exitCode !== null) return;
    const exited = new Promise((resolve) => janitor.once('exit', resolve));
    janitor.send({ type: 'done' } satisfies JanitorMessage);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, JANITOR_EXIT_WAIT_MS))]);
  }
}
