/** The printed summary table and the results file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchEnvironment } from './environment';
import type { RunMetrics } from './measure';
import { ROOT } from './processes';
import type { BenchSettings } from './settings';
import { formatNumber, type Ratio, type RunSummary } from './summary';

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

function cpuLine(shares: Record<string, number>): string {
  return Object.entries(shares)
    .sort(([, a], [, b]) => b - a)
    .map(([name, percent]) => `${name} ${percent}%`)
    .join(', ');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

/**
 * Formats the summary table and the ratios. With several runs, the table shows medians,
 * each ratio is the median of the runs' own ratios, and `runRatios` lists those.
 */
export function formatSummary(summary: RunSummary, ratios: Ratio[], settings: BenchSettings, runRatios: Ratio[][]): string {
  const runs = runRatios.length;
  const runsNote = runs > 1 ? ` (medians of ${runs} runs)` : '';
  const rows: string[][] = [
    ['measurement', 'result'],
    [`queue path, one-ticket documents, ${settings.connections} connections`, `${formatNumber(summary.queueTicketsPerSecond)} tickets/s committed`],
    [`direct path, one-ticket documents, ${settings.connections} connections`, `${formatNumber(summary.directTicketsPerSecond)} tickets/s committed`],
    [
      `queue path, ${settings.batchSize}-ticket documents, ${settings.batchConnections} connections`,
      `${formatNumber(summary.batchTicketsPerSecond)} tickets/s committed`,
    ],
    [`queue path at half load (${formatNumber(summary.halfLoadRate)}/s)`, `p50 ${formatNumber(summary.queueHalfLoad.p50)} ms, p99 ${formatNumber(summary.queueHalfLoad.p99)} ms`],
    [
      `direct path at ${formatNumber(summary.halfLoadRate)}/s`,
      `p50 ${formatNumber(summary.directAtQueueHalfLoad.p50)} ms, p99 ${formatNumber(summary.directAtQueueHalfLoad.p99)} ms`,
    ],
    [
      `raw queue round trip at ${formatNumber(summary.halfLoadRate)}/s`,
      `p50 ${formatNumber(summary.rawQueueAtHalfLoad.p50)} ms, p99 ${formatNumber(summary.rawQueueAtHalfLoad.p99)} ms`,
    ],
    [
      `raw queue round trip, ${settings.connections} loops`,
      `${formatNumber(summary.rawQueueClosedLoop.rate)}/s, p50 ${formatNumber(summary.rawQueueClosedLoop.p50)} ms, p99 ${formatNumber(summary.rawQueueClosedLoop.p99)} ms`,
    ],
  ];
  for (const item of summary.attachments) {
    const size = mib(item.rawBytes);
    rows.push(
      [`${size} attachment (${mib(item.documentBytes)} body), end to end`, `${formatNumber(item.endToEndMedianMs)} ms median`],
      [`${size} attachment, raw putObject`, `${formatNumber(item.rawPutMedianMs)} ms median`],
      [
        `${size} attachment, gateway RSS`,
        `peak ${mib(item.gatewayPeakBytes)}, idle ${mib(item.gatewayIdleBytes)}, ` +
          `one post adds up to ${mib(item.gatewayPostGrowthBytes)} ` +
          `(${(item.gatewayPostGrowthBytes / item.documentBytes).toFixed(2)} x body)`,
      ],
      [
        `${size} attachment, worker RSS`,
        `peak ${mib(item.workerPeakBytes)}, idle ${mib(item.workerIdleBytes)}, one post adds up to ${mib(item.workerPostGrowthBytes)}`,
      ],
    );
  }
  rows.push(
    [`CPU, queue path run (machine ${formatNumber(summary.machineBusyPercent.queue)}% busy)`, cpuLine(summary.cpu.queue)],
    [`CPU, direct path run (machine ${formatNumber(summary.machineBusyPercent.direct)}% busy)`, cpuLine(summary.cpu.direct)],
    [`CPU, ${settings.batchSize}-ticket run (machine ${formatNumber(summary.machineBusyPercent.batch)}% busy)`, cpuLine(summary.cpu.batch)],
    [`CPU, raw queue round trips (machine ${formatNumber(summary.machineBusyPercent.rawQueue)}% busy)`, cpuLine(summary.cpu.rawQueue)],
    [
      'Redis time in Lua scripts per ticket',
      `one-ticket ${formatNumber(summary.redisScriptMicrosPerTicket.queue)} µs, ` +
        `${settings.batchSize}-ticket ${formatNumber(summary.redisScriptMicrosPerTicket.batch)} µs`,
    ],
  );

  const ratioRows = [
    ['ratio', 'value', 'target', 'met', 'from', ...(runs > 1 ? ['each run'] : [])],
    ...ratios.map((item, i) => [
      item.name,
      String(item.value),
      item.target,
      item.met ? 'yes' : 'NO',
      item.formula,
      ...(runs > 1 ? [runRatios.map((run) => String(run[i]?.value)).join(', ')] : []),
    ]),
  ];
  return `Results${runsNote}\n\n${table(rows)}\n\n${table(ratioRows)}\n`;
}

/** Writes everything measured to bench-results/bench-<time>.json and returns its path. */
export function writeResults(content: {
  environment: BenchEnvironment;
  settings: BenchSettings;
  workerConcurrency: number;
  summary: RunSummary;
  ratios: Ratio[];
  runs: { summary: RunSummary; ratios: Ratio[]; metrics: RunMetrics }[];
}): string {
  const directory = path.join(ROOT, 'bench-results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `bench-${content.environment.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}
