import { describe, expect, it } from 'vitest';
import { chartData, compactNumber, shortDate } from './chart-data.js';

const point = (platform: string, date: string, impressions: number, engagements = 0) => ({
  platform,
  date,
  posts: 1,
  impressions,
  engagements,
});

describe('chartData', () => {
  it('makes one row per day with a column per platform, zero on days without posts', () => {
    const data = chartData(
      [point('twitter', '2024-01-01', 100, 5), point('linkedin', '2024-01-01', 40, 2), point('twitter', '2024-01-03', 70, 1)],
      'impressions',
    );
    expect(data.platforms).toEqual(['linkedin', 'twitter']);
    expect(data.rows).toEqual([
      { date: '2024-01-01', linkedin: 40, twitter: 100 },
      { date: '2024-01-02', linkedin: 0, twitter: 0 },
      { date: '2024-01-03', linkedin: 0, twitter: 70 },
    ]);
    expect(chartData([point('twitter', '2024-01-01', 100, 5)], 'engagements').rows).toEqual([{ date: '2024-01-01', twitter: 5 }]);
  });

  it('adds up repeated points, crosses month ends, and ignores unreadable dates', () => {
    const data = chartData(
      [point('meta', '2024-02-28', 1), point('meta', '2024-03-01', 2), point('meta', '2024-03-01', 3), point('meta', 'soon', 9)],
      'impressions',
    );
    expect(data.rows).toEqual([
      { date: '2024-02-28', meta: 1 },
      { date: '2024-02-29', meta: 0 },
      { date: '2024-03-01', meta: 5 },
    ]);
  });

  it('is empty without points', () => {
    expect(chartData([], 'impressions')).toEqual({ rows: [], platforms: [] });
  });
});

describe('axis labels', () => {
  it('writes short dates and compact numbers', () => {
    expect(shortDate('2024-11-03')).toBe('Nov 3');
    expect(shortDate('not a date')).toBe('not a date');
    expect([830, 1500, 15_000, 2_044_276].map(compactNumber)).toEqual(['830', '1.5K', '15K', '2M']);
  });
});
