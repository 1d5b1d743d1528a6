// The Connections page's accounts table (issue 12 item 5): which accounts need attention, and how the
// table sorts and filters. Pure functions over the sync-status answer, so they are tested on their own.
import type { PlatformSyncStatus } from './endpoints.server.js';

export type AccountRowData = PlatformSyncStatus;

/** Why an account needs the business, most urgent first; `ok` when it does not. */
export type Attention = 'reconnect_required' | 'reconnect_soon' | 'failing' | 'ok';
const ATTENTION_ORDER: Attention[] = ['reconnect_required', 'reconnect_soon', 'failing', 'ok'];

export function attentionOf(account: AccountRowData): Attention {
  if (account.reconnect_required || account.account_status === 'reconnect_required') return 'reconnect_required';
  if (account.warning || account.requires_refresh) return 'reconnect_soon';
  if (account.status === 'error') return 'failing';
  return 'ok';
}

export const attentionLabels: Record<Attention, string> = {
  reconnect_required: 'Reconnect required',
  reconnect_soon: 'Reconnect soon',
  failing: 'Sync failing',
  ok: 'OK',
};

export type SortKey = 'attention' | 'platform' | 'username' | 'status' | 'token_expires_at' | 'last_sync' | 'next_sync_at';
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

function sortValue(account: AccountRowData, key: SortKey): string | number {
  switch (key) {
    case 'attention':
      return ATTENTION_ORDER.indexOf(attentionOf(account));
    case 'platform':
      return account.platform ?? '';
    case 'username':
      return (account.username ?? account.display_name ?? '').toLowerCase();
    case 'status':
      return account.status;
    default: {
      // Times: a missing one sorts last whichever way.
      const iso = account[key];
      return iso ? Date.parse(iso) : Number.POSITIVE_INFINITY;
    }
  }
}

/** Sorted by the key, then by attention, platform and name, so equal rows keep a stable, useful order. */
export function sortAccounts(accounts: AccountRowData[], order: SortOrder): AccountRowData[] {
  const tieBreak: SortKey[] = ['attention', 'platform', 'username'];
  const compare = (a: AccountRowData, b: AccountRowData, key: SortKey): number => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return [...accounts].sort((a, b) => {
    const first = compare(a, b, order.key);
    if (first !== 0) {
      const missing = sortValue(a, order.key) === Number.POSITIVE_INFINITY || sortValue(b, order.key) === Number.POSITIVE_INFINITY;
      return order.descending && !missing ? -first : first;
    }
    for (const key of tieBreak) {
      const next = compare(a, b, key);
      if (next !== 0) return next;
    }
    return 0;
  });
}

export interface AccountFilter {
  platform: string;
  /** `all`, `attention` (anything not ok), or one Attention. */
  attention: string;
  text: string;
}

export function filterAccounts(accounts: AccountRowData[], filter: AccountFilter): AccountRowData[] {
  const text = filter.text.trim().toLowerCase();
  return accounts.filter((account) => {
    if (filter.platform !== 'all' && account.platform !== filter.platform) return false;
    const attention = attentionOf(account);
    if (filter.attention === 'attention' && attention === 'ok') return false;
    if (filter.attention !== 'all' && filter.attention !== 'attention' && attention !== filter.attention) return false;
    if (text && !`${account.username ?? ''} ${account.display_name ?? ''}`.toLowerCase().includes(text)) return false;
    return true;
  });
}
