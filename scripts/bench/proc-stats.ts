/**
 * CPU time and memory of processes read from Linux /proc, for the CPU shares during the
 * load runs and the peak RSS during the attachment posts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const KIB = 1024;

function readClockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const CLOCK_TICKS_PER_SECOND = readClockTicksPerSecond();

/** User plus system CPU seconds of a process, or undefined when it is gone. */
export function readCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name in brackets may contain spaces, so fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) / CLOCK_TICKS_PER_SECOND;
}

/** Busy and total CPU seconds of the whole machine, summed over all cores. */
function readMachineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  // Fields 4 and 5 are idle and iowait.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND };
}

export interface MemoryStatus {
  rssBytes: number;
  /** Peak RSS since the process started or since resetPeakRss(). */
  peakRssBytes: number;
}

export function readMemory(pid: number): MemoryStatus | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * KIB;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/**
 * Resets the kernel's peak RSS (VmHWM) of a process to its current RSS by writing 5 to
 * /proc/PID/clear_refs (Linux 4.0 and later). Returns false where that is not allowed.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface WatchedProcess {
  name: string;
  pid: number;
}

export interface CpuShares {
  seconds: number;
  /** CPU used by each process in percent of one core; 200 is both cores of a 2-core machine. */
  processPercent: Record<string, number>;
  /** CPU used by the whole machine in percent of all cores, including other users' processes. */
  machineBusyPercent: number;
  /** CPU used by processes other than the watched ones, in percent of one core. */
  otherPercent: number;
}

/** Measures the CPU shares of the watched processes between start() and stop(). */
export class CpuMonitor {
  private startedAt = 0;
  private readonly startSeconds = new Map<string, number>();
  private startMachine = { busy: 0, total: 0 };

  constructor(private readonly processes: WatchedProcess[]) {}

  start(): void {
    this.startedAt = performance.now();
    this.startMachine = readMachineCpuSeconds();
    for (const { name, pid } of this.processes) {
      const seconds = readCpuSeconds(pid);
      if (seconds !== undefined) this.startSeconds.set(name, seconds);
    }
  }

  stop(): CpuShares {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const machine = readMachineCpuSeconds();
    const processPercent: Record<string, number> = {};
    let watchedSeconds = 0;
    for (const { name, pid } of this.processes) {
      const before = this.startSeconds.get(name);
      const after = readCpuSeconds(pid);
      if (before === undefined || after === undefined) continue;
      watchedSeconds += after - before;
      processPercent[name] = round1((100 * (after - before)) / wallSeconds);
    }
    const machineBusy = machine.busy - this.startMachine.busy;
    const machineTotal = machine.total - this.startMachine.total;
    return {
      seconds: round1(wallSeconds),
      processPercent,
      machineBusyPercent: round1((100 * machineBusy) / Math.max(machineTotal, 1e-9)),
      otherPercent: round1((100 * Math.max(0, machineBusy - watchedSeconds)) / wallSeconds),
    };
  }
}

export interface PeakRss {
  /** RSS just before the sampling started. */
  idleBytes: number;
  /** Highest RSS seen: the larger of the 20 ms samples and the kernel's VmHWM. */
  peakBytes: number;
}

/**
 * Samples the RSS of processes every `intervalMs` and reads their kernel peak (VmHWM,
 * reset at start) at stop, so a peak between two samples is not missed.
 */
export class PeakRssSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly peaks = new Map<string, PeakRss>();
  private hwmReset = false;

  constructor(
    private readonly processes: WatchedProcess[],
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.hwmReset = this.processes.every(({ pid }) => resetPeakRss(pid));
    for (const { name, pid } of this.processes) {
      const rss = readMemory(pid)?.rssBytes ?? NaN;
      this.peaks.set(name, { idleBytes: rss, peakBytes: rss });
    }
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
  }

  private sample(includeHwm: boolean): void {
    for (const { name, pid } of this.processes) {
      const memory = readMemory(pid);
      const peak = this.peaks.get(name);
      if (!memory || !peak) continue;
      peak.peakBytes = Math.max(peak.peakBytes, memory.rssBytes);
      if (includeHwm && this.hwmReset) peak.peakBytes = Math.max(peak.peakBytes, memory.peakRssBytes);
    }
  }

  stop(): Record<string, PeakRss> {
    clearInterval(this.timer);
    this.sample(true);
    return Object.fromEntries(this.peaks);
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
