// The sync status widget (the seed's Task 7): overall status, last sync, connected platforms, Sync now,
// and per-platform details with a reconnect warning. Data comes from the page's loader; the page reloads
// it on a timer, so there is no client-side fetching here.
import { Link, useFetcher } from '@remix-run/react';
import type { Section } from '../api.server.js';
import type { SyncStatus } from '../endpoints.server.js';
import { formatCount } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import { needsReconnect, syncStatusLabel } from '../status.js';
import { PlatformBadge } from './PlatformBadge.js';
import { RelativeTime } from './RelativeTime.js';
import { SectionProblem } from './SectionProblem.js';
import { StatusBadge } from './StatusBadge.js';

export type SyncNowResult = { ok: true; message: string } | { ok: false; message: string; requestId: string | null };

export function SyncStatusPanel({
  section,
  now,
  syncAction,
  connectionsHref,
}: {
  section: Section<SyncStatus>;
  now: number;
  /** Where the Sync now form posts (the analytics route's action). */
  syncAction: string;
  connectionsHref: string;
}) {
  return (
    <section className="panel section" aria-labelledby="sync-status-title">
      <div className="panel__header">
        <h2 id="sync-status-title">Sync status</h2>
        {section.state === 'ready' && <StatusBadge status={syncStatusLabel(section.data.overall_status)} />}
      </div>
      {section.state === 'ready' ? (
        <SyncStatusBody status={section.data} now={now} syncAction={syncAction} connectionsHref={connectionsHref} />
      ) : (
        <SectionProblem section={section} what="Sync status" />
      )}
    </section>
  );
}

function SyncStatusBody({
  status,
  now,
  syncAction,
  connectionsHref,
}: {
  status: SyncStatus;
  now: number;
  syncAction: string;
  connectionsHref: string;
}) {
  const fetcher = useFetcher<SyncNowResult>();
  const submitting = fetcher.state !== 'idle';
  const syncing = status.overall_status === 'syncing';
  const nothingConnected = status.connected_platforms === 0;
  const platforms = Object.entries(status.platforms);
  const result = fetcher.state === 'idle' ? fetcher.data : undefined;
  const blocked = syncing || submitting || nothingConnected;

  return (
    <>
      <dl className="stats">
        <div className="stat">
          <dt>Last synced</dt>
          <dd>
            <RelativeTime iso={status.last_sync} now={now} />
          </dd>
        </div>
        <div className="stat">
          <dt>Connected platforms</dt>
          <dd>{formatCount(status.connected_platforms)}</dd>
        </div>
      </dl>

      {nothingConnected && (
        <p className="notice">
          No platforms are connected yet. <Link to={connectionsHref}>Connect one under Connections</Link> to start
          syncing.
        </p>
      )}

      <fetcher.Form method="post" action={syncAction} className="actions">
        <button
          type="submit"
          name="intent"
          value="sync"
          className="button button--primary"
          // aria-disabled rather than disabled, so a keyboard user's focus stays on the button.
          aria-disabled={blocked || undefined}
          onClick={(event) => blocked && event.preventDefault()}
        >
          {syncing || submitting ? 'Syncing…' : 'Sync now'}
        </button>
        <p className="muted" role="status" aria-live="polite">
          {result && result.ok ? result.message : ''}
        </p>
      </fetcher.Form>
      {result && !result.ok && (
        <div className="alert alert--error" role="alert">
          <p>{result.message}</p>
          {result.requestId && (
            <p className="muted">
              Reference: <code>{result.requestId}</code>
            </p>
          )}
        </div>
      )}

      {platforms.length > 0 && (
        <details className="disclosure">
          <summary>Platform details ({platforms.length})</summary>
          <ul className="platform-status-list">
            {platforms.map(([name, platform]) => (
              <li key={name} className="platform-status">
                <div className="platform-status__header">
                  <PlatformBadge platform={name} />
                  <h3>{platformDisplayName(name)}</h3>
                  <StatusBadge status={syncStatusLabel(platform.status)} />
                </div>
                {platform.message && <p>{platform.message}</p>}
                {needsReconnect(platform.status, platform.message) && (
                  <p className="alert alert--warning">
                    Reconnect required: Social Sync can no longer reach this account.{' '}
                    <Link to={`${connectionsHref}#platform-${name}`}>Reconnect under Connections</Link>.
                  </p>
                )}
                <dl className="facts">
                  {platform.username && (
                    <div>
                      <dt>Account</dt>
                      <dd>{platform.username}</dd>
                    </div>
                  )}
                  <div>
                    <dt>Last synced</dt>
                    <dd>
                      <RelativeTime iso={platform.last_sync} now={now} />
                    </dd>
                  </div>
                  {platform.token_expires_at && (
                    <div>
                      <dt>Access expires</dt>
                      <dd>
                        <RelativeTime iso={platform.token_expires_at} now={now} />
                      </dd>
                    </div>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
