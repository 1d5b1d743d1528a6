// The Connections page's accounts at a glance (issue 12 item 5): one compact row per account, "needs
// attention" first, sortable by any column, filterable by platform, attention and name, with each row's
// actions and a running sync's live progress. Built from sync-status, one read however many accounts.
import { Form, useRevalidator } from '@remix-run/react';
import { useCallback, useId, useMemo, useState } from 'react';
import {
  attentionLabels,
  attentionOf,
  filterAccounts,
  sortAccounts,
  type AccountFilter,
  type AccountRowData,
  type Attention,
  type SortKey,
  type SortOrder,
} from '../accounts-table.js';
import { accountName, expiryPhrase, formatDateTime } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import { syncStatusLabel } from '../status.js';
import { ConnectButton } from './ConnectButton.js';
import { DisconnectControl } from './DisconnectControl.js';
import { PlatformBadge } from './PlatformBadge.js';
import { RelativeTime } from './RelativeTime.js';
import { StatusBadge } from './StatusBadge.js';
import { SubmitButton } from './SubmitButton.js';
import { SyncProgressBar } from './SyncProgressBar.js';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'attention', label: 'Attention' },
  { key: 'platform', label: 'Platform' },
  { key: 'username', label: 'Account' },
  { key: 'status', label: 'Status' },
  { key: 'token_expires_at', label: 'Token expiry' },
  { key: 'last_sync', label: 'Last sync' },
  { key: 'next_sync_at', label: 'Next sync' },
];

const ATTENTION_TONES: Record<Attention, 'danger' | 'warning' | 'success'> = {
  reconnect_required: 'danger',
  reconnect_soon: 'warning',
  failing: 'danger',
  ok: 'success',
};

export function AccountsTable({
  accounts,
  businessId,
  now,
  here,
}: {
  accounts: AccountRowData[];
  businessId: number;
  now: number;
  here: string;
}) {
  const [order, setOrder] = useState<SortOrder>({ key: 'attention', descending: false });
  const [filter, setFilter] = useState<AccountFilter>({ platform: 'all', attention: 'all', text: '' });
  const platforms = useMemo(() => [...new Set(accounts.map((a) => a.platform ?? ''))].filter(Boolean).sort(), [accounts]);
  const shown = useMemo(() => sortAccounts(filterAccounts(accounts, filter), order), [accounts, filter, order]);
  const needing = accounts.filter((a) => attentionOf(a) !== 'ok').length;
  const { revalidate } = useRevalidator();
  const onFinished = useCallback(() => revalidate(), [revalidate]);
  const captionId = useId();

  const sortBy = (key: SortKey) =>
    setOrder((current) => (current.key === key ? { key, descending: !current.descending } : { key, descending: false }));

  return (
    <section className="panel section" aria-labelledby={captionId} data-testid="accounts-table">
      <div className="section__header">
        <h2 id={captionId}>All accounts</h2>
        <p className="muted" data-testid="accounts-summary">
          {accounts.length} connected{needing > 0 ? `, ${needing} need${needing === 1 ? 's' : ''} attention` : ''}
        </p>
      </div>
      <div className="table-filters" role="search" aria-label="Filter accounts">
        <label>
          Platform{' '}
          <select value={filter.platform} onChange={(e) => setFilter({ ...filter, platform: e.target.value })}>
            <option value="all">All platforms</option>
            {platforms.map((p) => (
              <option key={p} value={p}>
                {platformDisplayName(p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show{' '}
          <select value={filter.attention} onChange={(e) => setFilter({ ...filter, attention: e.target.value })}>
            <option value="all">All accounts</option>
            <option value="attention">Needs attention</option>
            {(['reconnect_required', 'reconnect_soon', 'failing', 'ok'] as const).map((a) => (
              <option key={a} value={a}>
                {attentionLabels[a]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name{' '}
          <input
            type="search"
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
            placeholder="@username"
          />
        </label>
        <span className="muted" aria-live="polite" data-testid="accounts-shown">
          {shown.length} of {accounts.length} shown
        </span>
      </div>
      <div className="table-scroll">
        <table className="table table--compact">
          <thead>
            <tr>
              {COLUMNS.map(({ key, label }) => (
                <th key={key} scope="col" aria-sort={order.key === key ? (order.descending ? 'descending' : 'ascending') : undefined}>
                  <button type="button" className="sort-button" onClick={() => sortBy(key)}>
                    {label}
                    <span aria-hidden="true">{order.key === key ? (order.descending ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                </th>
              ))}
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((account) => (
              <AccountRow
                key={String(account.account_id)}
                account={account}
                businessId={businessId}
                now={now}
                here={here}
                onFinished={onFinished}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AccountRow({
  account,
  businessId,
  now,
  here,
  onFinished,
}: {
  account: AccountRowData;
  businessId: number;
  now: number;
  here: string;
  onFinished: () => void;
}) {
  const platform = account.platform ?? '';
  const displayName = platformDisplayName(platform);
  const attention = attentionOf(account);
  const who = accountName(account.username) ?? account.display_name ?? `Account ${account.account_id}`;
  const id = String(account.account_id ?? '');
  const reconnectRequired = attention === 'reconnect_required';
  return (
    <tr data-account-id={id} data-attention={attention}>
      <td>
        <StatusBadge status={{ tone: ATTENTION_TONES[attention], label: attentionLabels[attention] }} />
      </td>
      <td>
        <PlatformBadge platform={platform} /> <span className="visually-hidden">{displayName}</span>
      </td>
      <td>
        <span className="account-name">{who}</span>
        {account.message && attention !== 'ok' && <p className="muted table-note">{account.warning ?? account.message}</p>}
      </td>
      <td>
        {account.current_job_id ? (
          <ul className="sync-progress-list sync-progress-list--inline" aria-label={`Sync progress for ${who}`}>
            <SyncProgressBar
              job={{ jobId: account.current_job_id, accountId: id, platform, username: account.username }}
              businessId={businessId}
              onFinished={onFinished}
            />
          </ul>
        ) : (
          <StatusBadge status={syncStatusLabel(reconnectRequired ? 'reconnect_required' : account.status)} />
        )}
      </td>
      <td>
        {account.token_expires_at ? (
          <time dateTime={account.token_expires_at} title={formatDateTime(account.token_expires_at)}>
            {expiryPhrase(account.token_expires_at, now)}
          </time>
        ) : (
          expiryPhrase(null, now)
        )}
      </td>
      <td>
        <RelativeTime iso={account.last_sync} now={now} />
      </td>
      <td>
        <RelativeTime iso={account.next_sync_at} now={now} fallback="—" />
      </td>
      <td className="table-actions">
        <ConnectButton
          platform={platform}
          label="Reconnect"
          hiddenLabel={` ${displayName} ${who}`}
          here={here}
          primary={reconnectRequired}
        />
        {id && account.can_refresh && !reconnectRequired && (
          <Form method="post" action={here} className="inline-form">
            <input type="hidden" name="intent" value="refresh" />
            <input type="hidden" name="platform" value={platform} />
            <input type="hidden" name="account_id" value={id} />
            <input type="hidden" name="account_name" value={who} />
            <SubmitButton label="Refresh" hiddenLabel={` token for ${who}`} intent="refresh" accountId={id} />
          </Form>
        )}
        {id && <DisconnectControl platform={platform} displayName={displayName} accountId={id} who={who} here={here} />}
      </td>
    </tr>
  );
}
