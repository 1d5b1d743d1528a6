import { describe, expect, it } from 'vitest';
import { platformDisplayName } from './platforms.js';
import { connectionLabel, needsReconnect, runStatusLabel, syncStatusLabel, triggerLabel } from './status.js';

describe('syncStatusLabel', () => {
  it("names the seed's four statuses", () => {
    expect(syncStatusLabel('success')).toEqual({ tone: 'success', label: 'Synced' });
    expect(syncStatusLabel('syncing')).toEqual({ tone: 'info', label: 'Syncing' });
    expect(syncStatusLabel('idle')).toEqual({ tone: 'warning', label: 'Idle' });
    expect(syncStatusLabel('error')).toEqual({ tone: 'danger', label: 'Needs attention' });
  });

  it('shows a status it does not know in words, neutrally', () => {
    expect(syncStatusLabel('partially_done')).toEqual({ tone: 'neutral', label: 'Partially done' });
  });
});

describe('connectionLabel', () => {
  it('tells connected, not connected and what needs the business to act apart', () => {
    expect(connectionLabel({ is_connected: false })).toEqual({ tone: 'neutral', label: 'Not connected' });
    expect(connectionLabel({ is_connected: true })).toEqual({ tone: 'success', label: 'Connected' });
    expect(connectionLabel({ is_connected: true, requires_refresh: true })).toEqual({ tone: 'warning', label: 'Reconnect soon' });
    expect(connectionLabel({ is_connected: false, status: 'reconnect_required' })).toEqual({ tone: 'danger', label: 'Reconnect required' });
  });
});

describe('needsReconnect', () => {
  it("recognises the seed's expired-token message and the account status", () => {
    expect(needsReconnect('error', 'Token expired - re-authentication required')).toBe(true);
    expect(needsReconnect('reconnect_required')).toBe(true);
    expect(needsReconnect('error', 'Provider answered 503')).toBe(false);
    expect(needsReconnect('success')).toBe(false);
  });
});

describe('platformDisplayName', () => {
  it('uses the names people know, including X for twitter and its alias', () => {
    expect(['linkedin', 'twitter', 'x', 'meta', 'instagram'].map((p) => platformDisplayName(p))).toEqual([
      'LinkedIn',
      'X',
      'X',
      'Facebook Pages',
      'Instagram Business',
    ]);
    expect(platformDisplayName('tiktok', 'TikTok')).toBe('TikTok');
  });
});

describe('triggerLabel', () => {
  it('says who started a sync run', () => {
    expect(['manual', 'schedule', 'connect', null, 'api_backfill'].map(triggerLabel)).toEqual([
      'Sync now',
      'Schedule',
      'New connection',
      '—',
      'Api backfill',
    ]);
  });
});

describe('runStatusLabel', () => {
  it('says what happened to one sync run', () => {
    expect(['success', 'running', 'error', 'failed'].map((s) => runStatusLabel(s).label)).toEqual([
      'Synced',
      'Syncing',
      'Failed',
      'Failed',
    ]);
    expect(runStatusLabel('error').tone).toBe('danger');
    expect(runStatusLabel('reconnect_required')).toEqual({ tone: 'danger', label: 'Reconnect required' });
  });
});
