// The sync status widget (the seed's Task 7, and more): overall status in colour and words, when the
// last sync was, how many platforms are connected, Sync now with a live progress bar per running job,
// a prominent warning (with a Reconnect button) for every account that must be reconnected or soon
// will, and expandable details per account. Data comes from the page's loader, which the page reloads
// every 30 s (every 2 s while a sync runs); only the progress bars fetch on their own.
import { Form, Link, useFetcher, useRevalidator } from '@remix-run/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Section } from '../api.server.js';
import { reconnectReason, withPlatformNames } from '../connect-messages.js';
import type { PlatformSyncStatus, SyncStatus } from '../endpoints.server.js';
import { accountName, expiryPhrase, formatCount, formatPercent } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import { needsReconnect, syncStatusLabel } from '../status.js';
import { PlatformBadge } from './PlatformBadge.js';
import { RelativeTime } from './RelativeTime.js';
import { SectionProblem } from './SectionProblem.js';
import { StatusBadge } from './StatusBadge.js';
import { SyncProgressBar, type TrackedJob } from './SyncProgressBar.js';

export type SyncNowResult =
  | {
      ok: true;
      message: string;
      triggered: { account_id: string | number; platform: string; job_id: string }[];
      skipped: { account_id: string | number; platform: string; reason: string }[];
    }
  | { ok: false; message: string; requestId: string | null };

export function SyncStatusPanel({
  section,
  now,
  businessId,
  syncAction,
  connectionsHref,
  onSyncingChange,
}: {
  section: Section<SyncStatus>;
  now: number;
  businessId: number;
  /** Where the Sync now form posts (the analytics route's action). */
  syncAction: string;
  /** The Connections page; its action starts a (re)connect. */
  connectionsHref: string;
  /** Tells the page whether anything is syncing, so it reloads faster meanwhile. */
  onSyncingChange?: (syncing: boolean) => void;
}) {
  const overall = section.state === 'ready' ? syncStatusLabel(section.data.overall_status) : undefined;
  const revalidator = useRevalidator();
  return (
    <section className="panel section" aria-labelledby="sync-status-title" data-testid="sync-status">
      <div className="panel__header">
        <h2 id="sync-status-title">Sync status</h2>
        {/* Shown, not announced: the status line below announces what changes. */}
        <span className="updating" aria-hidden="true" data-active={revalidator.state === 'loading'}>
          <span className="spinner" /> Updating…
        </span>
      </div>
      {section.state === 'ready' ? (
        <SyncStatusBody
          // A fresh widget (jobs, Sync now answer) for each business.
          key={businessId}
          status={section.data}
          overall={overall!}
          now={now}
          businessId={businessId}
          syncAction={syncAction}
          connectionsHref={connectionsHref}
          onSyncingChange={onSyncingChange}
        />
      ) : (
        <SectionProblem section={section} what="Sync status" />
      )}
    </section>
  );
}

type AccountSummary = PlatformSyncStatus & { key: string };

function accountsOf(status: SyncStatus): AccountSummary[] {
  const list = status.accounts ?? Object.entries(status.platforms).map(([platform, s]) => ({ ...s, platform: s.platform ?? platform }));
  return list.map((a, i) => ({ ...a, key: String(a.account_id ?? `${a.platform ?? 'platform'}-${i}`) }));
}

function SyncStatusBody({
  status,
  overall,
  now,
  businessId,
  syncAction,
  connectionsHref,
  onSyncingChange,
}: {
  status: SyncStatus;
  overall: ReturnType<typeof syncStatusLabel>;
  now: number;
  businessId: number;
  syncAction: string;
  connectionsHref: string;
  onSyncingChange?: (syncing: boolean) => void;
}) {
  const fetcher = useFetcher<SyncNowResult>({ key: `sync-now:${businessId}` });
  const revalidator = useRevalidator();
  const accounts = useMemo(() => accountsOf(status), [status]);
  const submitting = fetcher.state !== 'idle';
  const result = fetcher.state === 'idle' ? fetcher.data : undefined;

  // The jobs to show a progress bar for, one per account: from Sync now's answer and from the status
  // (a scheduled sync, or the first sync after connecting).
  const [jobs, setJobs] = useState<Record<string, TrackedJob>>({});
  const [finished, setFinished] = useState<Record<string, boolean>>({});
  const track = useCallback((found: TrackedJob[]) => {
    if (found.length === 0) return;
    setJobs((current) => {
      let next = current;
      for (const job of found) {
        if (current[job.accountId]?.jobId === job.jobId) continue;
        next = { ...next, [job.accountId]: job };
      }
      return next;
    });
  }, []);

  useEffect(() => {
    track(
      accounts
        .filter((a) => a.current_job_id)
        .map((a) => ({
          jobId: a.current_job_id!,
          accountId: a.key,
          platform: a.platform ?? 'unknown',
          username: a.username,
        })),
    );
    // Forget accounts that are gone (disconnected).
    setJobs((current) => {
      const keys = new Set(accounts.map((a) => a.key));
      const kept = Object.fromEntries(Object.entries(current).filter(([key]) => keys.has(key)));
      return Object.keys(kept).length === Object.keys(current).length ? current : kept;
    });
  }, [accounts, track]);

  // Only when a new answer arrives (an old answer must not replace a newer scheduled job).
  const accountsRef = useRef(accounts);
  // eslint-disable-next-line react-hooks/refs -- the latest-value ref as written; moving it into an effect awaits a browser-journey check
  accountsRef.current = accounts;
  useEffect(() => {
    if (!result?.ok) return;
    track(
      result.triggered.map((t) => ({
        jobId: t.job_id,
        accountId: String(t.account_id),
        platform: t.platform,
        username: accountsRef.current.find((a) => a.key === String(t.account_id))?.username,
      })),
    );
  }, [result, track]);

  const { revalidate } = revalidator;
  const onFinished = useCallback(
    (jobId: string) => {
      setFinished((current) => ({ ...current, [jobId]: true }));
      revalidate(); // history, charts and status now have the result
    },
    [revalidate],
  );

  const tracked = Object.values(jobs);
  const jobRunning = tracked.some((j) => !finished[j.jobId]);
  const syncing = status.overall_status === 'syncing' || jobRunning;
  useEffect(() => onSyncingChange?.(syncing || submitting), [syncing, submitting, onSyncingChange]);

  const nothingConnected = status.connected_platforms === 0 && accounts.length === 0;
  const blocked = syncing || submitting || nothingConnected;
  const reconnect = accounts.filter((a) => a.reconnect_required || needsReconnect(a.account_status ?? a.status, a.message));
  const soon = accounts.filter((a) => a.warning && !reconnect.includes(a));

  return (
    <>
      <div className={`overall-status overall-status--${overall.tone}`} data-status={status.overall_status}>
        <span className="overall-status__light" aria-hidden="true" />
        <p className="overall-status__text" role="status" aria-live="polite">
          <span className="visually-hidden">Overall sync status: </span>
          <strong>{overall.label}</strong>
          <span className="overall-status__detail">{overallDetail(status.overall_status, accounts.length)}</span>
        </p>
      </div>

      <dl className="stats">
        <div className="stat">
          <dt>Last synced</dt>
          <dd data-testid="last-synced">
            <RelativeTime iso={status.last_sync} now={now} />
          </dd>
        </div>
        <div className="stat">
          <dt>Connected platforms</dt>
          <dd data-testid="connected-platforms">{formatCount(status.connected_platforms)}</dd>
        </div>
        <div className="stat">
          <dt>Connected accounts</dt>
          <dd>{formatCount(status.connected_accounts ?? accounts.length)}</dd>
        </div>
      </dl>

      {status.stale && (
        <p className="notice notice--warning" role="note">
          <strong>Live status unavailable.</strong> Social Sync could not ask every account for its live state, so what is marked “stored”
          below may be out of date.
        </p>
      )}

      {nothingConnected && (
        <p className="notice">
          No platforms are connected yet. <Link to={connectionsHref}>Connect one under Connections</Link> to start syncing.
        </p>
      )}

      {reconnect.map((a) => (
        <div key={a.key} className="alert alert--error attention" role="alert" data-testid="reconnect-required">
          <div className="attention__body">
            <h3 className="attention__title">
              Reconnect required: {platformDisplayName(a.platform ?? '')}
              {a.username && <span className="attention__account"> {accountName(a.username)}</span>}
            </h3>
            <p>Social Sync can no longer reach this account, so it is not being synced. Reconnect to resume.</p>
            {reconnectReason(a.message) && <p className="attention__reason">Reason given: {reconnectReason(a.message)}</p>}
          </div>
          <ReconnectButton platform={a.platform ?? ''} username={a.username} action={connectionsHref} primary />
        </div>
      ))}
      {soon.map((a) => (
        <div key={a.key} className="alert alert--warning attention" data-testid="reconnect-soon">
          <div className="attention__body">
            <h3 className="attention__title">
              Reconnect soon: {platformDisplayName(a.platform ?? '')}
              {a.username && <span className="attention__account"> {accountName(a.username)}</span>}
            </h3>
            <p>
              Access {expiryPhrase(a.token_expires_at, now)} and {platformDisplayName(a.platform ?? '')} does not let Social Sync renew it.
              Reconnect before then to keep syncing.
            </p>
          </div>
          <ReconnectButton platform={a.platform ?? ''} username={a.username} action={connectionsHref} />
        </div>
      ))}

      <fetcher.Form method="post" action={syncAction} className="actions">
        <button
          type="submit"
          name="intent"
          value="sync"
          className="button button--primary"
          // aria-disabled rather than disabled, so a keyboard user's focus stays on the button.
          aria-disabled={blocked || undefined}
          aria-describedby="sync-now-help"
          onClick={(event) => blocked && event.preventDefault()}
        >
          {(syncing || submitting) && <span className="spinner" aria-hidden="true" />}
          {syncing || submitting ? 'Syncing…' : 'Sync now'}
        </button>
        <p id="sync-now-help" className="muted">
          {nothingConnected
            ? 'Connect an account to sync.'
            : syncing
              ? 'A sync is running; Sync now is available again when it finishes.'
              : 'Fetches the latest posts and metrics of every connected account.'}
        </p>
      </fetcher.Form>
      <div role="status" aria-live="polite" className="sync-now-result">
        {result && result.ok && <p className="muted">{syncNowMessage(result)}</p>}
      </div>
      {result && !result.ok && (
        <div className="alert alert--error" role="alert">
          <p>
            <strong>Sync did not start.</strong> {withPlatformNames(result.message)}
          </p>
          {result.requestId && (
            <p className="muted">
              Reference: <code>{result.requestId}</code>
            </p>
          )}
        </div>
      )}

      {tracked.length > 0 && (
        <ul className="sync-progress-list" aria-label="Sync progress">
          {tracked.map((job) => (
            <SyncProgressBar key={job.jobId} job={job} businessId={businessId} onFinished={onFinished} />
          ))}
        </ul>
      )}

      {accounts.length > 0 && (
        <div className="platform-details">
          <h3 className="platform-details__title">Platform details</h3>
          <ul className="platform-status-list">
            {accounts.map((a) => (
              <AccountDetails key={a.key} account={a} now={now} connectionsHref={connectionsHref} />
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

function overallDetail(overall: string, accounts: number): string {
  switch (overall) {
    case 'success':
      return accounts === 1 ? ' — the connected account is in sync.' : ' — every connected account is in sync.';
    case 'syncing':
      return ' — a sync is running now.';
    case 'error':
      return ' — an account needs your attention (see below).';
    case 'idle':
      return accounts === 0 ? ' — nothing is connected yet.' : ' — no recent sync activity.';
    default:
      return '';
  }
}

function syncNowMessage(result: Extract<SyncNowResult, { ok: true }>): string {
  const started = result.triggered.map((t) => platformDisplayName(t.platform));
  const parts = [started.length > 0 ? `Sync started for ${[...new Set(started)].join(', ')}.` : result.message];
  for (const s of result.skipped) parts.push(`${platformDisplayName(s.platform)} was not synced: ${s.reason}`);
  return parts.join(' ');
}

function ReconnectButton({
  platform,
  username,
  action,
  primary = false,
}: {
  platform: string;
  username?: string | null;
  action: string;
  primary?: boolean;
}) {
  // A full-page POST: the Connections action answers with a redirect to the provider's consent page.
  return (
    <Form method="post" action={action} reloadDocument className="attention__action">
      <input type="hidden" name="intent" value="connect" />
      <input type="hidden" name="platform" value={platform} />
      <button type="submit" className={`button ${primary ? 'button--primary' : ''}`}>
        Reconnect
        <span className="visually-hidden">
          {' '}
          {platformDisplayName(platform)}
          {username ? ` ${accountName(username)}` : ''}
        </span>
      </button>
    </Form>
  );
}

function AccountDetails({ account: a, now, connectionsHref }: { account: AccountSummary; now: number; connectionsHref: string }) {
  const platform = a.platform ?? '';
  const label = syncStatusLabel(a.reconnect_required ? 'reconnect_required' : a.status);
  const summary = a.last_sync_summary;
  return (
    <li className="platform-status" data-platform={platform}>
      <details>
        <summary className="platform-status__header">
          <PlatformBadge platform={platform} />
          <span className="platform-status__name">
            {platformDisplayName(platform)}
            {a.username && <span className="muted"> {accountName(a.username)}</span>}
          </span>
          <StatusBadge status={label} />
          {a.stale && <span className="tag">stored</span>}
        </summary>
        <div className="platform-status__body">
          {a.message && <p>{withPlatformNames(a.message)}</p>}
          <dl className="facts">
            <div>
              <dt>Last synced</dt>
              <dd>
                <RelativeTime iso={a.last_sync} now={now} />
              </dd>
            </div>
            {a.next_sync_at && !a.reconnect_required && (
              <div>
                <dt>Next sync</dt>
                <dd>
                  <RelativeTime iso={a.next_sync_at} now={now} fallback="—" />
                </dd>
              </div>
            )}
            <div>
              <dt>Access</dt>
              <dd>{expiryPhrase(a.token_expires_at, now)}</dd>
            </div>
            {summary && (
              <div>
                <dt>Last sync brought</dt>
                <dd>
                  {formatCount(summary.posts_synced)} posts, {formatCount(summary.impressions)} impressions,{' '}
                  {formatCount(summary.engagements)} engagements ({formatPercent(summary.engagement_rate)})
                </dd>
              </div>
            )}
          </dl>
          <p>
            <Link to={`${connectionsHref}#platform-${platform}`}>
              Manage this connection<span className="visually-hidden"> ({platformDisplayName(platform)})</span>
            </Link>
          </p>
        </div>
      </details>
    </li>
  );
}
