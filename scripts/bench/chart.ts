/**
 * Draws latency percentiles against offered load as a standalone SVG: x is the offered
 * rate in tickets per second, y the latency in milliseconds on a log scale.
 */
import type { CurvePoint } from './summary';

export interface ChartSeries {
  label: string;
  color: string;
  points: CurvePoint[];
}

const WIDTH = 860;
const HEIGHT = 500;
const PLOT = { left: 80, right: 640, top: 70, bottom: 430 };
const PERCENTILES = [
  { key: 'p50', dash: '' },
  { key: 'p90', dash: '7 4' },
  { key: 'p99', dash: '2 4' },
] as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Returns a round upper bound for a linear axis and a tick step that gives 4 to 8 ticks. */
function linearAxis(max: number): { max: number; step: number } {
  const magnitude = 10 ** Math.floor(Math.log10(max || 1));
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => max / candidate <= 8)!;
  return { max: Math.ceil(max / step) * step, step };
}

/** Returns the value 1, 2 or 5 times a power of ten nearest to `value` in `direction`. */
function roundLogBound(value: number, direction: 'down' | 'up'): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const candidates = [1, 2, 5, 10].map((factor) => factor * power);
  return direction === 'up'
    ? candidates.find((candidate) => candidate >= value)!
    : [...candidates].reverse().find((candidate) => candidate <= value)!;
}

/** Tick values 1, 2 and 5 times each power of ten between `min` and `max`. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power++) {
    for (const factor of [1, 2, 5]) {
      const value = factor * 10 ** power;
      if (value >= min && value <= max) ticks.push(value);
    }
  }
  return ticks;
}

function formatNumber(value: number): string {
  return value >= 1 ? String(Math.round(value * 10) / 10) : value.toPrecision(1);
}

export function renderLatencyChart(options: {
  title: string;
  subtitle: string;
  /** A line under the x-axis label. */
  note: string;
  series: ChartSeries[];
}): string {
  const values = options.series.flatMap((series) =>
    series.points.flatMap((point) => PERCENTILES.map(({ key }) => point[key])),
  ).filter((value) => Number.isFinite(value) && value > 0);
  const rates = options.series.flatMap((series) => series.points.map((point) => point.offeredRate));

  const xAxis = linearAxis(Math.max(...rates, 1));
  const yMin = roundLogBound(Math.min(...values, 1), 'down');
  const yMax = roundLogBound(Math.max(...values, 10), 'up');
  const x = (rate: number) => PLOT.left + (rate / xAxis.max) * (PLOT.right - PLOT.left);
  const y = (ms: number) =>
    PLOT.bottom - ((Math.log10(ms) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (PLOT.bottom - PLOT.top);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PLOT.left}" y="28" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<text x="${PLOT.left}" y="48" fill="#555">${escapeXml(options.subtitle)}</text>`,
  ];

  for (let rate = 0; rate <= xAxis.max + 1e-9; rate += xAxis.step) {
    parts.push(
      `<line x1="${x(rate)}" y1="${PLOT.top}" x2="${x(rate)}" y2="${PLOT.bottom}" stroke="#e5e5e5"/>`,
      `<text x="${x(rate)}" y="${PLOT.bottom + 18}" text-anchor="middle">${formatNumber(rate)}</text>`,
    );
  }
  for (const ms of logTicks(yMin, yMax)) {
    parts.push(
      `<line x1="${PLOT.left}" y1="${y(ms)}" x2="${PLOT.right}" y2="${y(ms)}" stroke="#e5e5e5"/>`,
      `<text x="${PLOT.left - 8}" y="${y(ms) + 4}" text-anchor="end">${formatNumber(ms)}</text>`,
    );
  }
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 42}" text-anchor="middle">offered load (tickets/s)</text>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 62}" text-anchor="middle" fill="#555">${escapeXml(options.note)}</text>`,
    `<text transform="translate(22 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">latency (ms, log scale)</text>`,
  );

  let legendY = PLOT.top + 10;
  for (const series of options.series) {
    for (const { key, dash } of PERCENTILES) {
      const points = series.points.filter((point) => Number.isFinite(point[key]) && point[key] > 0);
      const coordinates = points.map((point) => `${x(point.offeredRate).toFixed(1)},${y(point[key]).toFixed(1)}`);
      const dashAttribute = dash ? ` stroke-dasharray="${dash}"` : '';
      parts.push(`<polyline points="${coordinates.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"${dashAttribute}/>`);
      for (const point of points) {
        parts.push(`<circle cx="${x(point.offeredRate).toFixed(1)}" cy="${y(point[key]).toFixed(1)}" r="3" fill="${series.color}"/>`);
      }

      const legendX = PLOT.right + 20;
      parts.push(
        `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 30}" y2="${legendY}" stroke="${series.color}" stroke-width="2"${dashAttribute}/>`,
        `<text x="${legendX + 38}" y="${legendY + 4}">${escapeXml(`${series.label} ${key}`)}</text>`,
      );
      legendY += 20;
    }
    legendY += 10;
  }

  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
