import { describe, expect, it } from 'vitest';
import { attentionOf, filterAccounts, sortAccounts, type AccountRowData } from './accounts-table.js';

const row = (over: Partial<AccountRowData>): AccountRowData => ({
  account_id: 1,
  platform: 'twitter',
  status: 'success',
  account_status: 'active',
  username: 'a',
  reconnect_required: false,
  requires_refresh: false,
  warning: null,
  last_sync: '2026-12-01T10:00:00.000Z',
  next_sync_at: '2026-12-01T10:15:00.000Z',
  token_expires_at: '2026-12-01T12:00:00.000Z',
  ...over,
});

const dead = row({ account_id: 2, username: 'dead', status: 'error', account_status: 'reconnect_required', reconnect_required: true });
const soon = row({ account_id: 3, username: 'soon', platform: 'linkedin', warning: 'reconnect before then', requires_refresh: true });
const failing = row({ account_id: 4, username: 'failing', status: 'error' });
const fine = row({ account_id: 5, username: 'fine', last_sync: '2026-12-01T11:00:00.000Z' });
const never = row({ account_id: 6, username: 'never', status: 'idle', last_sync: null, next_sync_at: null });

describe('accounts table', () => {
  it('says why an account needs attention, most urgent first', () => {
    expect([dead, soon, failing, fine].map(attentionOf)).toEqual(['reconnect_required', 'reconnect_soon', 'failing', 'ok']);
    const sorted = sortAccounts([fine, failing, never, soon, dead], { key: 'attention', descending: false });
    expect(sorted.map((a) => a.username)).toEqual(['dead', 'soon', 'failing', 'fine', 'never']);
  });

  it('sorts by a column either way, with missing times last', () => {
    const byLast = sortAccounts([never, fine, dead], { key: 'last_sync', descending: true });
    expect(byLast.map((a) => a.username)).toEqual(['fine', 'dead', 'never']);
    expect(sortAccounts([never, fine, dead], { key: 'last_sync', descending: false }).map((a) => a.username)).toEqual([
      'dead',
      'fine',
      'never',
    ]);
    expect(sortAccounts([fine, soon], { key: 'platform', descending: false }).map((a) => a.platform)).toEqual(['linkedin', 'twitter']);
  });

  it('filters by platform, attention and name', () => {
    const all = [dead, soon, failing, fine, never];
    expect(filterAccounts(all, { platform: 'linkedin', attention: 'all', text: '' })).toEqual([soon]);
    expect(filterAccounts(all, { platform: 'all', attention: 'attention', text: '' })).toEqual([dead, soon, failing]);
    expect(filterAccounts(all, { platform: 'all', attention: 'failing', text: '' })).toEqual([failing]);
    expect(filterAccounts(all, { platform: 'all', attention: 'all', text: 'FIN' })).toEqual([fine]);
  });
});
