import { describe, expect, it } from 'vitest';
import {
  addMonths,
  bucketByDay,
  dayKeyAt,
  dayRange,
  formatDay,
  formatInZone,
  instantFromLocal,
  isDayKey,
  isValidTimeZone,
  monthGrid,
  timeOfDayAt,
  weekDays,
} from './zoned-time.js';

const at = (iso: string) => Date.parse(iso);

describe('dayKeyAt: the day an instant falls on in a zone', () => {
  it('puts a late-evening UTC post on the next day east of UTC and an early one on the previous day west of it', () => {
    expect(dayKeyAt(at('2026-12-01T23:30:00Z'), 'UTC')).toBe('2026-12-01');
    expect(dayKeyAt(at('2026-12-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-12-02');
    // Kiritimati is UTC+14, Pago Pago UTC-11: the same instant is two calendar days apart there.
    expect(dayKeyAt(at('2026-12-01T11:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-12-02');
    expect(dayKeyAt(at('2026-12-01T10:00:00Z'), 'Pacific/Pago_Pago')).toBe('2026-11-30');
    expect(dayKeyAt(at('2026-12-02T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-12-01');
  });

  it('follows daylight saving time', () => {
    // New York: UTC-4 in summer, UTC-5 in winter. 03:30 UTC is the previous evening in both.
    expect(dayKeyAt(at('2026-07-01T03:30:00Z'), 'America/New_York')).toBe('2026-06-30');
    expect(timeOfDayAt(at('2026-07-01T03:30:00Z'), 'America/New_York')).toBe('23:30');
    expect(timeOfDayAt(at('2026-01-01T03:30:00Z'), 'America/New_York')).toBe('22:30');
    // 23:30 UTC on the night Berlin moves to summer time (2026-03-29 01:00 UTC) is already Sunday there.
    expect(dayKeyAt(at('2026-03-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(timeOfDayAt(at('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('03:30');
  });
});

describe('instantFromLocal: a date and time typed in the business zone', () => {
  it('reads the wall clock of the zone, not of the server', () => {
    expect(instantFromLocal('2026-12-02', '09:15', 'Europe/Berlin')).toEqual({ ok: true, at: at('2026-12-02T08:15:00Z'), shifted: false });
    expect(instantFromLocal('2026-07-02', '09:15', 'Europe/Berlin')).toEqual({ ok: true, at: at('2026-07-02T07:15:00Z'), shifted: false });
    expect(instantFromLocal('2026-12-02', '09:15', 'Asia/Kolkata')).toEqual({ ok: true, at: at('2026-12-02T03:45:00Z'), shifted: false });
    expect(instantFromLocal('2026-12-02', '00:30', 'Pacific/Kiritimati')).toEqual({
      ok: true,
      at: at('2026-12-01T10:30:00Z'),
      shifted: false,
    });
  });

  it('moves a time the clocks skip forward by the gap, and takes the first of a time that happens twice', () => {
    // Berlin skips 02:00-03:00 on 2026-03-29.
    expect(instantFromLocal('2026-03-29', '02:30', 'Europe/Berlin')).toEqual({ ok: true, at: at('2026-03-29T01:30:00Z'), shifted: true });
    // ... and has 02:00-03:00 twice on 2026-10-25 (first in summer time, UTC+2).
    expect(instantFromLocal('2026-10-25', '02:30', 'Europe/Berlin')).toEqual({ ok: true, at: at('2026-10-25T00:30:00Z'), shifted: false });
    // New York skips 02:00-03:00 on 2026-03-08.
    expect(instantFromLocal('2026-03-08', '02:15', 'America/New_York')).toEqual({
      ok: true,
      at: at('2026-03-08T07:15:00Z'),
      shifted: true,
    });
  });

  it('round-trips with dayKeyAt and timeOfDayAt', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kathmandu']) {
      for (const [day, time] of [
        ['2026-01-15', '00:00'],
        ['2026-04-05', '01:45'],
        ['2026-10-04', '02:30'],
        ['2026-12-31', '23:59'],
      ] as const) {
        const result = instantFromLocal(day, time, zone);
        if (!result.ok || result.shifted) continue;
        expect([zone, dayKeyAt(result.at, zone), timeOfDayAt(result.at, zone)]).toEqual([zone, day, time]);
      }
    }
  });

  it('refuses what is not a date, a time or a zone', () => {
    expect(instantFromLocal('2026-02-30', '09:00', 'UTC')).toEqual({ ok: false, reason: 'invalid' });
    expect(instantFromLocal('2026-02-10', '24:00', 'UTC')).toEqual({ ok: false, reason: 'invalid' });
    expect(instantFromLocal('2026-02-10', '9am', 'UTC')).toEqual({ ok: false, reason: 'invalid' });
    expect(instantFromLocal('2026-02-10', '09:00', 'Mars/Olympus')).toEqual({ ok: false, reason: 'invalid' });
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('')).toBe(false);
    expect(isDayKey('2026-02-28')).toBe(true);
    expect(isDayKey('2026-2-28')).toBe(false);
  });
});

describe('bucketByDay: posts on the calendar', () => {
  const posts = [
    { id: 1, at: '2026-03-28T22:30:00Z' }, // Berlin: Sat 23:30 (winter time, UTC+1)
    { id: 2, at: '2026-03-28T23:30:00Z' }, // Berlin: Sun 00:30 (still winter time)
    { id: 3, at: '2026-03-29T01:30:00Z' }, // Berlin: Sun 03:30 (summer time from 01:00 UTC)
    { id: 4, at: '2026-03-29T22:30:00Z' }, // Berlin: Mon 00:30 (summer time, UTC+2)
    { id: 5, at: null }, // a draft: not on the calendar
    { id: 6, at: '2026-03-28T23:00:00Z' }, // Berlin: Sun 00:00 exactly
  ];
  const instant = (p: (typeof posts)[number]) => (p.at ? Date.parse(p.at) : undefined);
  const ids = (map: Map<string, typeof posts>) => Object.fromEntries([...map].map(([day, list]) => [day, list.map((p) => p.id)]));

  it('puts each post on its day in the business zone across a DST change, in time order', () => {
    expect(ids(bucketByDay(posts, instant, 'Europe/Berlin'))).toEqual({
      '2026-03-28': [1],
      '2026-03-29': [6, 2, 3],
      '2026-03-30': [4],
    });
  });

  it('puts the same posts on other days in UTC and far from it', () => {
    expect(ids(bucketByDay(posts, instant, 'UTC'))).toEqual({ '2026-03-28': [1, 6, 2], '2026-03-29': [3, 4] });
    // Auckland is UTC+13 until 2026-04-05: everything is already the next day there.
    expect(ids(bucketByDay(posts, instant, 'Pacific/Auckland'))).toEqual({ '2026-03-29': [1, 6, 2, 3], '2026-03-30': [4] });
    // Honolulu is UTC-10 all year.
    expect(ids(bucketByDay(posts, instant, 'Pacific/Honolulu'))).toEqual({ '2026-03-28': [1, 6, 2, 3], '2026-03-29': [4] });
  });
});

describe('the calendar grid', () => {
  it('shows whole weeks, Monday first, covering the month', () => {
    const march = monthGrid('2026-03'); // 1 March 2026 is a Sunday
    expect(march[0]).toEqual(['2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01']);
    expect(march.at(-1)!.at(-1)).toBe('2026-04-05');
    expect(march).toHaveLength(6);
    const february = monthGrid('2027-02'); // 1 February 2027 is a Monday and the month is exactly 4 weeks
    expect(february).toHaveLength(4);
    expect(february[0]![0]).toBe('2027-02-01');
    expect(february[3]![6]).toBe('2027-02-28');
  });

  it('finds the week of a day and pages months without skipping short ones', () => {
    expect(weekDays('2026-12-02')).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-15', -3)).toBe('2025-12-15');
  });

  it('asks the API for the instants the shown days cover in the zone', () => {
    expect(dayRange('2026-03-29', '2026-03-29', 'Europe/Berlin')).toEqual({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
    expect(dayRange('2026-11-30', '2026-12-06', 'America/Los_Angeles')).toEqual({
      from: '2026-11-30T08:00:00.000Z',
      to: '2026-12-07T08:00:00.000Z',
    });
  });

  it('writes days and times in words', () => {
    expect(formatDay('2026-03-29')).toBe('Sunday 29 March 2026');
    expect(formatInZone(at('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('Sun 29 Mar 2026, 03:30');
  });
});
