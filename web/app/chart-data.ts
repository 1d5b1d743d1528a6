// Shapes GET /analytics/timeseries points for the charts: one row per day, one column per platform.
// Days without posts are 0, so each line is continuous. Shared by server (table fallback) and browser.
import { platformOrder } from './platforms.js';

export interface TimeseriesPoint {
  platform: string;
  date: string; // YYYY-MM-DD
  posts: number;
  impressions: number;
  engagements: number;
}

export type Metric = 'impressions' | 'engagements' | 'posts';

export type ChartRow = { date: string } & Record<string, number | string>;

export interface ChartData {
  rows: ChartRow[];
  /** Platforms with data, in a stable order. */
  platforms: string[];
}

const DAY_MS = 86_400_000;

function dayNumber(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const at = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(at) ? undefined : Math.round(at / DAY_MS);
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function chartData(points: readonly TimeseriesPoint[], metric: Metric): ChartData {
  const platforms = [...new Set(points.map((p) => p.platform))].sort((a, b) => platformOrder(a) - platformOrder(b) || a.localeCompare(b));
  const days = points.map((p) => dayNumber(p.date)).filter((d): d is number => d !== undefined);
  if (days.length === 0) return { rows: [], platforms: [] };
  const first = Math.min(...days);
  const last = Math.max(...days);
  const byDay = new Map<number, ChartRow>();
  for (let day = first; day <= last; day++) {
    const row: ChartRow = { date: dateOf(day) };
    for (const platform of platforms) row[platform] = 0;
    byDay.set(day, row);
  }
  for (const point of points) {
    const day = dayNumber(point.date);
    if (day === undefined) continue;
    const row = byDay.get(day)!;
    row[point.platform] = (Number(row[point.platform]) || 0) + (Number(point[metric]) || 0);
  }
  return { rows: [...byDay.values()], platforms };
}

/** "Nov 3" for an axis tick (UTC, English, the same on server and browser). */
export function shortDate(date: string): string {
  const at = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(at)) return date;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const d = new Date(at);
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** "1.2M", "15K", "830": compact numbers for an axis. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (abs >= 1_000) return `${trim(value / 1_000)}K`;
  return String(Math.round(value));
}

function trim(value: number): string {
  return value.toFixed(value >= 10 || value <= -10 ? 0 : 1).replace(/\.0$/, '');
}
