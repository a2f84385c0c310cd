/**
 * Runs scripts/scale-out.ts as `npm run scale-test` does, with two gateways and three
 * workers behind nginx. The script checks the outcome itself and exits with code 0 only
 * when every check passed. This test checks that exit code and the summary lines.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'dist', 'scale-out.js');
const TIMEOUT_MS = 120_000;

interface RunResult {
  code: number | null;
  output: string;
}

function runScaleOut(env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    // SIGINT lets the script clean up before it exits.
    const timer = setTimeout(() => child.kill('SIGINT'), TIMEOUT_MS - 10_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test(
  'scale-out with 2 gateways, 3 workers',
  async () => {
    expect(existsSync(SCRIPT)).toBe(true);

    const result = await runScaleOut({ SCALE_GATEWAYS: '2', SCALE_WORKERS: '3', SCALE_REQUESTS: '300', SCALE_CONCURRENCY: '20' });

    if (result.code !== 0) {
      throw new Error(`scale-out exited with code ${result.code}. Its output:\n${result.output}`);
    }
    expect(result.output).toContain('responses: 200 x 300');
    expect(result.output.match(/gateway \d \(pid \d+\): \d+ requests handled/g)).toHaveLength(2);
    expect(result.output.match(/worker \d \(pid \d+\): \d+ tickets stored/g)).toHaveLength(3);
    expect(result.output).toContain('database: 300 distinct subjects, 0 missing, 0 stored more than once');
  },
  TIMEOUT_MS,
);
