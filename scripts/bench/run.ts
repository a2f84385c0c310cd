/**
 * `npm run bench`: starts the gateway, the worker and the baselines as child processes
 * against the local MariaDB and Redis, measures throughput, latency and memory, prints
 * a summary, writes bench-results/bench-<time>.json and draws docs/bench-latency.svg.
 * Settings: BENCH_SECONDS, BENCH_RUNS, BENCH_CONNECTIONS, BENCH_BATCH_CONNECTIONS,
 * BENCH_ATTACHMENT_POSTS, BENCH_WORKER_CONCURRENCY, BENCH_CPU_PROF, BENCH_MYSQL_URL and
 * BENCH_REDIS_URL (see settings.ts and docs/benchmarks.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderLatencyChart } from './chart';
import { Cleanup } from './cleanup';
import { generateAttachmentDocument } from './documents';
import { describeEnvironment } from './environment';
import { measureOnce } from './measure';
import { ROOT } from './processes';
import { formatSummary, writeResults } from './report';
import { readBenchSettings } from './settings';
import { startBenchStack } from './stack';
import { computeRatios, medianRatios, medianSummary, summarizeRun, type RunSummary } from './summary';

const MIB = 1024 * 1024;
const ATTACHMENT_SIZES = [1 * MIB, 15 * MIB];
const CHART_FILE = path.join(ROOT, 'docs', 'bench-latency.svg');

const benchStart = performance.now();

function log(line: string): void {
  const seconds = ((performance.now() - benchStart) / 1000).toFixed(0).padStart(4);
  console.log(`[bench ${seconds} s] ${line}`);
}

async function runBench(cleanup: Cleanup): Promise<void> {
  const settings = readBenchSettings();
  await cleanup.startJanitor({
    PATH: process.env.PATH,
    BENCH_MYSQL_URL: settings.mysqlUrl.href,
    BENCH_REDIS_URL: settings.redisUrl.href,
  });
  log(`starting the stack (${settings.runs} run(s) of ${settings.seconds} s per load step)`);
  const stack = await startBenchStack(settings, cleanup);
  const environment = await describeEnvironment(stack.db, stack.redisInfo);
  log(
    `database ${stack.database}, gateway ${stack.gatewayUrl}, direct server ${stack.directUrl}, ` +
      `worker concurrency ${stack.workerConcurrency}, load average ${environment.loadAverage.join(' ')}`,
  );
  const pids = Object.values(stack.services).map((service) => `${service.name} ${service.pid}`);
  log(`process ids: ${pids.join(', ')}, bench ${process.pid}`);

  const documentDirectory = mkdtempSync(path.join(tmpdir(), 'ti-bench-documents-'));
  cleanup.track({ kind: 'directory', name: documentDirectory });
  cleanup.add('remove the generated documents', () => rmSync(documentDirectory, { recursive: true, force: true }));
  const attachmentDocuments = [];
  for (const size of ATTACHMENT_SIZES) {
    attachmentDocuments.push(await generateAttachmentDocument(documentDirectory, size, stack.apiKey));
  }

  const runs = [];
  for (let run = 1; run <= settings.runs; run++) {
    log(`run ${run} of ${settings.runs}`);
    const metrics = await measureOnce(stack, settings, attachmentDocuments, run, log);
    const runSummary = summarizeRun(metrics);
    runs.push({ summary: runSummary, ratios: computeRatios(runSummary), metrics });
  }

  const summaries: RunSummary[] = runs.map((run) => run.summary);
  const summary = summaries.length === 1 ? summaries[0]! : medianSummary(summaries);
  const runRatios = runs.map((run) => run.ratios);
  const ratios = runs.length === 1 ? runRatios[0]! : medianRatios(runRatios);
  console.log(`\n${formatSummary(summary, ratios, settings, runRatios)}`);

  const resultsFile = writeResults({
    environment,
    settings,
    workerConcurrency: stack.workerConcurrency,
    summary,
    ratios,
    runs,
  });
  log(`results written to ${path.relative(ROOT, resultsFile)}`);

  const runsNote = runs.length > 1 ? `, medians of ${runs.length} runs` : '';
  const chart = renderLatencyChart({
    title: 'Latency against offered load, one-ticket documents',
    subtitle:
      `${environment.cores} cores ${environment.cpuModel}, Node ${environment.node}, ` +
      `worker concurrency ${stack.workerConcurrency}, ${environment.date.slice(0, 10)}${runsNote}`,
    note: `Each path is loaded at ${settings.loadFractions.map((fraction) => fraction * 100).join(', ')} % of its own maximum committed rate.`,
    series: [
      { label: 'queue path', color: '#1f77b4', points: summary.curves.queue },
      { label: 'direct path', color: '#d95f02', points: summary.curves.direct },
    ],
  });
  writeFileSync(CHART_FILE, chart);
  log(`chart written to ${path.relative(ROOT, CHART_FILE)}`);
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    log(`${signal} received, cleaning up`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  process.on('uncaughtException', (error) => {
    console.error('[bench] failed with an uncaught exception:', error);
    void cleanup.run().finally(() => process.exit(1));
  });

  let failed = false;
  try {
    await runBench(cleanup);
  } catch (error) {
    failed = true;
    console.error('[bench] failed:', error);
  }
  log('cleaning up');
  await cleanup.run();
  process.exit(failed ? 1 : 0);
}

void main();
