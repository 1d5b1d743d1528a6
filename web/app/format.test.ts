import { describe, expect, it } from 'vitest';
import { accountName, expiryPhrase, formatCount, formatDateTime, formatPercent, parseTime, timeAgo } from './format.js';

const now = Date.parse('2024-01-15T12:00:00Z');

describe('timeAgo', () => {
  it('says how long ago, or how long until', () => {
    expect(timeAgo('2024-01-15T11:59:40Z', now)).toBe('just now');
    expect(timeAgo('2024-01-15T11:59:00Z', now)).toBe('1 minute ago');
    expect(timeAgo('2024-01-15T11:30:00Z', now)).toBe('30 minutes ago');
    expect(timeAgo('2024-01-15T10:00:00Z', now)).toBe('2 hours ago');
    expect(timeAgo('2024-01-12T12:00:00Z', now)).toBe('3 days ago');
    expect(timeAgo('2024-03-15T12:00:00Z', now)).toBe('in 2 months');
    expect(timeAgo('2024-01-22T12:00:00Z', now)).toBe('in 1 week');
  });

  it('reads a time without a zone as UTC (the seed sent those)', () => {
    expect(timeAgo('2024-01-15T10:30:00', now)).toBe('2 hours ago');
  });

  it('has nothing to say about a missing or unreadable time', () => {
    expect(timeAgo(null, now)).toBeUndefined();
    expect(timeAgo('yesterday-ish', now)).toBeUndefined();
  });
});

describe('formatDateTime', () => {
  it('writes UTC, the same on server and browser', () => {
    expect(formatDateTime('2024-01-15T10:30:00+02:00')).toBe('2024-01-15 08:30 UTC');
    expect(formatDateTime(undefined)).toBeUndefined();
  });
});

describe('parseTime', () => {
  it('keeps explicit zones', () => {
    expect(parseTime('2024-01-15T10:30:00Z')).toBe(Date.parse('2024-01-15T10:30:00Z'));
    expect(parseTime('2024-01-15T10:30:00-0500')).toBe(Date.parse('2024-01-15T15:30:00Z'));
  });
});

describe('numbers', () => {
  it('groups counts and writes percentages', () => {
    expect(formatCount(15000)).toBe('15,000');
    expect(formatCount(null)).toBe('—');
    expect(formatPercent(3.2)).toBe('3.2%');
    expect(formatPercent(undefined)).toBe('—');
  });
});

describe('expiryPhrase', () => {
  it('says when a token expires, or that it has', () => {
    expect(expiryPhrase('2024-01-15T14:00:00Z', now)).toBe('expires in 2 hours');
    expect(expiryPhrase('2024-01-15T12:00:20Z', now)).toBe('expires in less than a minute');
    expect(expiryPhrase('2024-01-15T11:00:00Z', now)).toBe('expired 1 hour ago');
    expect(expiryPhrase(null, now)).toBe('does not expire');
    expect(expiryPhrase('whenever', now)).toBe('expiry unknown');
  });
});

describe('accountName', () => {
  it('writes a handle with @, and a Page name as it is', () => {
    expect(accountName('sandbox_x')).toBe('@sandbox_x');
    expect(accountName('Sandbox Coffee Co.')).toBe('Sandbox Coffee Co.');
    expect(accountName(null)).toBeUndefined();
  });
});
