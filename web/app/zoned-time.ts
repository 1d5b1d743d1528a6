// Wall-clock dates and times in a business's time zone (an IANA name, e.g. "Europe/Berlin"), with nothing
// but Intl: which day an instant falls on there, which instant a date and time typed there means, and the
// days of a calendar month or week. Days are "YYYY-MM-DD" keys, computed as civil dates (no local zone of
// the server or the browser is ever involved), so a post lands on the same day on both.

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows this IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `timeZone` at instant `at` (ms since the epoch). */
export function wallClock(at: number, timeZone: string): WallClock {
  const values: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(at))) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year!,
    month: values.month!,
    day: values.day!,
    hour: values.hour! % 24,
    minute: values.minute!,
    second: values.second!,
  };
}

/** The wall clock read as if it were UTC: the arithmetic form of a local time. */
function wallMs(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's offset from UTC at instant `at`, in ms (Berlin in winter: +3,600,000). */
function offsetAt(at: number, timeZone: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  return wallMs(wallClock(whole, timeZone)) - whole;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2026-03-29": the day instant `at` falls on in `timeZone`. */
export function dayKeyAt(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** "14:05": the time of day of instant `at` in `timeZone`. */
export function timeOfDayAt(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

/** The civil date of a day key, as a UTC midnight (for date arithmetic only), or undefined if it is not one. */
function civil(dayKey: string): number | undefined {
  const m = DAY_KEY.exec(dayKey);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  // Rejects 2026-02-30 and the like (Date.UTC would roll them over).
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? ms : undefined;
}

export function isDayKey(value: string): boolean {
  return civil(value) !== undefined;
}

function keyOf(civilMs: number): string {
  const d = new Date(civilMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function addDays(dayKey: string, days: number): string {
  return keyOf(civil(dayKey)! + days * DAY_MS);
}

/** 0 for Monday ... 6 for Sunday (weeks start on Monday). */
function weekdayIndex(dayKey: string): number {
  return (new Date(civil(dayKey)!).getUTCDay() + 6) % 7;
}

export type LocalTimeResult =
  | { ok: true; at: number; /** The time was skipped by a clock change and moved forward by it. */ shifted: boolean }
  | { ok: false; reason: 'invalid' };

/**
 * The instant a date and time typed in `timeZone` mean. When the clocks go back the time happens twice
 * and the first is taken; when they go forward it does not exist and is moved forward by the gap (02:30
 * on the day Berlin skips 02:00-03:00 is 03:30), as `shifted`, so the page can say so.
 */
export function instantFromLocal(dayKey: string, time: string, timeZone: string): LocalTimeResult {
  const date = civil(dayKey);
  const t = TIME.exec(time);
  if (date === undefined || !t || Number(t[1]) > 23 || Number(t[2]) > 59 || !isValidTimeZone(timeZone)) {
    return { ok: false, reason: 'invalid' };
  }
  const local = date + Number(t[1]) * 3_600_000 + Number(t[2]) * 60_000;
  // The offsets a day either side: a zone changes its offset at most once in that span.
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const matches = [...new Set([before, after])].map((offset) => local - offset).filter((at) => wallMs(wallClock(at, timeZone)) === local);
  if (matches.length > 0) return { ok: true, at: Math.min(...matches), shifted: false };
  return { ok: true, at: local - before, shifted: true };
}

/** The first instant of a day in `timeZone` (midnight, or the first time after it when midnight is skipped). */
function startOfDay(dayKey: string, timeZone: string): number {
  const result = instantFromLocal(dayKey, '00:00', timeZone);
  if (!result.ok) throw new RangeError(`Not a day: ${dayKey}`);
  return result.at;
}

/**
 * Groups items by the day their instant falls on in `timeZone`, each day's items in time order. Items
 * without an instant are left out.
 */
export function bucketByDay<T>(items: readonly T[], instantOf: (item: T) => number | undefined, timeZone: string): Map<string, T[]> {
  const days = new Map<string, { at: number; item: T }[]>();
  for (const item of items) {
    const at = instantOf(item);
    if (at === undefined || Number.isNaN(at)) continue;
    const key = dayKeyAt(at, timeZone);
    const list = days.get(key) ?? [];
    list.push({ at, item });
    days.set(key, list);
  }
  return new Map([...days].map(([key, list]) => [key, list.sort((a, b) => a.at - b.at).map((e) => e.item)]));
}

/** The weeks (Monday to Sunday) a month's grid shows, each a list of 7 day keys; `month` is "YYYY-MM". */
export function monthGrid(month: string): string[][] {
  const first = `${month}-01`;
  const start = addDays(first, -weekdayIndex(first));
  const nextMonth = monthOf(addDays(first, 31));
  const weeks: string[][] = [];
  for (let weekStart = start; weeks.length === 0 || monthOf(weekStart) !== nextMonth; weekStart = addDays(weekStart, 7)) {
    weeks.push(weekDays(weekStart));
    if (weeks.length > 6) break;
  }
  return weeks;
}

/** The 7 days (Monday to Sunday) of the week that holds `dayKey`. */
export function weekDays(dayKey: string): string[] {
  const monday = addDays(dayKey, -weekdayIndex(dayKey));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** "2026-03" for "2026-03-29". */
export function monthOf(dayKey: string): string {
  return dayKey.slice(0, 7);
}

/** The same day of the month `months` later or earlier, clamped (Jan 31 + 1 month = Feb 28): for paging months. */
export function addMonths(dayKey: string, months: number): string {
  const d = new Date(civil(dayKey)!);
  const target = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 0)).getUTCDate();
  return keyOf(target + (Math.min(d.getUTCDate(), lastDay) - 1) * DAY_MS);
}

/** The instants [from, to) a run of days covers in `timeZone`: what to ask the API for. */
export function dayRange(firstDay: string, lastDay: string, timeZone: string): { from: string; to: string } {
  return {
    from: new Date(startOfDay(firstDay, timeZone)).toISOString(),
    to: new Date(startOfDay(addDays(lastDay, 1), timeZone)).toISOString(),
  };
}

const monthTitle = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const dayTitle = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });

/** "March 2026". */
export function formatMonth(month: string): string {
  return monthTitle.format(civil(`${month}-01`));
}

/** "Sunday 29 March 2026". */
export function formatDay(dayKey: string): string {
  return dayTitle.format(civil(dayKey)).replace(',', '');
}

/** "Sun 29 Mar". */
export function formatShortDay(dayKey: string): string {
  return shortDay.format(civil(dayKey)).replace(',', '');
}

/** "Sun 29 Mar 2026, 14:05" in `timeZone`: how the posts pages write a scheduled or published time. */
export function formatInZone(at: number, timeZone: string): string {
  const day = dayKeyAt(at, timeZone);
  return `${formatShortDay(day)} ${day.slice(0, 4)}, ${timeOfDayAt(at, timeZone)}`;
}

/** The IANA zones the runtime knows, for the time zone setting. */
export function timeZoneNames(): string[] {
  const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return names.includes('UTC') ? names : ['UTC', ...names];
}

/** The zone to use for a business: its own when this runtime knows it, else UTC. */
export function zoneOrUtc(timeZone: string | null | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : 'UTC';
}
