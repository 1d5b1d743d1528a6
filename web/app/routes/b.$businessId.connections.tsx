// Connections: one card per platform, each connected account with its avatar, name, status and token
// expiry, and the actions a business user needs: Connect / Reconnect (OAuth through the provider's
// consent page), Refresh token (X), Disconnect (after an explicit confirmation). Also where the
// provider sends the browser back to (?connected= / ?error= / ?meta_pending=), and Meta's Page picker.
// The loader and the action live in connections.server.ts; the cards and the picker in components/.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { AccountsTable } from '../components/AccountsTable.js';
import { Banner } from '../components/Banner.js';
import { MetaPagePicker } from '../components/MetaPagePicker.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PlatformConnectionCard } from '../components/PlatformConnectionCard.js';
import { connectBanner } from '../connect-messages.js';
import { connectionsAction, connectionsLoader } from '../connections.server.js';
import { useAutoRevalidate } from '../hooks/use-auto-revalidate.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Connections') }];

/** The platforms and the business's accounts with their sync state (one read in the API). */
export const loader = (args: LoaderFunctionArgs) => connectionsLoader(args);

/** Past this many accounts, the platform cards stop listing each account: the table does. */
const CARDS_LIST_ACCOUNTS_UP_TO = 6;

export const action = connectionsAction;

const BUSY_STATUSES = new Set(['connecting', 'syncing', 'refreshing']);

export default function Connections() {
  const { business } = useBusiness();
  const { platforms, now, pendingId, metaPages, syncStatus } = useLoaderData<typeof loader>();
  const accounts = syncStatus.state === 'ready' ? (syncStatus.data.accounts ?? []) : [];
  const compact = accounts.length > CARDS_LIST_ACCOUNTS_UP_TO;
  const actionResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const here = `/b/${business.id}/connections`;
  const banner = connectBanner(searchParams);
  const pickerShown = pendingId !== null && metaPages !== null;
  const nothingAvailable = platforms.length > 0 && platforms.every((p) => p.connection.state === 'unavailable');
  const busy = accounts.some((a) => BUSY_STATUSES.has(a.account_status ?? '') || a.current_job_id);
  // Each reload is one sync-status read (and the platforms list): every 30 s, every 10 s while an account
  // is connecting or syncing, so the table's progress moves.
  useAutoRevalidate(busy ? 10_000 : 30_000);

  return (
    <>
      <div className="page-heading">
        <h1>Connections</h1>
        <p className="muted">The social accounts {business.name} has connected, and the state of each.</p>
      </div>

      {banner && !(pickerShown && (banner.tone === 'info' || searchParams.get('error') === 'connect_pending')) && (
        <Banner tone={banner.tone} title={banner.title} testId="connect-banner">
          <p>{banner.message}</p>
          <p>
            <Link to={here} replace className="banner__dismiss">
              Dismiss
            </Link>
          </p>
        </Banner>
      )}

      {actionResult && (
        <Banner tone={actionResult.tone} title={actionResult.title} focus focusKey={actionResult} testId="action-result">
          <p>{actionResult.message}</p>
          {actionResult.notice && <p className="banner__notice">{actionResult.notice}</p>}
          {actionResult.requestId && (
            <p className="muted">
              Reference: <code>{actionResult.requestId}</code>
            </p>
          )}
        </Banner>
      )}

      {pickerShown && <MetaPagePicker section={metaPages} pendingId={pendingId} here={here} />}

      {nothingAvailable && (
        <p className="notice" role="note">
          Connection status is not available yet. The platforms are listed below; their status will appear here as soon as Social Sync
          reports it.
        </p>
      )}

      {platforms.length === 0 ? (
        <p className="panel empty-state">No platforms are available.</p>
      ) : (
        <ul className="card-grid card-grid--wide" aria-label="Platforms">
          {platforms.map((p) => (
            <PlatformConnectionCard
              key={p.name}
              platform={p.name}
              displayName={p.displayName}
              configured={p.configured}
              connection={p.connection}
              now={now}
              here={here}
              compact={compact}
            />
          ))}
        </ul>
      )}

      {accounts.length > 0 && <AccountsTable accounts={accounts} businessId={business.id} now={now} here={here} />}
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
