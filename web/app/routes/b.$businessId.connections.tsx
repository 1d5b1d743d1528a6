// Connections: one card per platform, each connected account with its avatar, name, status and token
// expiry, and the actions a business user needs: Connect / Reconnect (OAuth through the provider's
// consent page), Refresh token (X), Disconnect (after an explicit confirmation). Also where the
// provider sends the browser back to (?connected= / ?error= / ?meta_pending=), and Meta's Page picker.
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useEffect, useId, useRef, useState } from 'react';
import { parsePlatform } from '../../../lib/domain.js';
import { ApiError, loadSection, throwRouteError, type Section } from '../api.server.js';
import { businessPageTitle, parseBusinessId, useBusiness } from '../business-context.js';
import { Banner } from '../components/Banner.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PlatformBadge } from '../components/PlatformBadge.js';
import { RelativeTime } from '../components/RelativeTime.js';
import { SectionProblem } from '../components/SectionProblem.js';
import { StatusBadge } from '../components/StatusBadge.js';
import {
  connectBanner,
  connectErrorMessage,
  reconnectReason,
  withPlatformNames,
  type BannerTone,
} from '../connect-messages.js';
import {
  authorizePlatform,
  disconnectPlatform,
  getConnectionStatus,
  getMetaPages,
  listPlatforms,
  refreshPlatformToken,
  selectMetaPages,
  type ConnectedAccount,
  type ConnectionStatus,
  type MetaPages,
} from '../endpoints.server.js';
import { accountName, expiryPhrase, formatDateTime } from '../format.js';
import { useAutoRevalidate } from '../hooks/use-auto-revalidate.js';
import { canRefreshToken, platformDisplayName } from '../platforms.js';
import { connectionLabel } from '../status.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Connections') }];

function businessIdOf(raw: string | undefined): number {
  const businessId = parseBusinessId(raw);
  if (businessId === undefined) throw data({ code: 'business_not_found' }, { status: 404 });
  return businessId;
}

function pendingIdOf(raw: string | null): number | undefined {
  return raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const businessId = businessIdOf(params.businessId);
  const pendingId = pendingIdOf(new URL(request.url).searchParams.get('meta_pending'));
  const [platforms, metaPages] = await Promise.all([
    listPlatforms(request).catch(throwRouteError),
    pendingId === undefined ? null : loadSection(getMetaPages(request, businessId, pendingId)),
  ]);
  const statuses = await Promise.all(
    platforms.map((p) => loadSection(getConnectionStatus(request, p.name, businessId))),
  );
  return {
    now: Date.now(),
    pendingId: pendingId ?? null,
    metaPages,
    platforms: platforms.map((p, i) => ({
      name: p.name,
      displayName: platformDisplayName(p.name, p.display_name),
      configured: p.configured !== false,
      connection: statuses[i]!,
    })),
  };
}

export interface ConnectionsActionResult {
  ok: boolean;
  tone: BannerTone;
  title: string;
  message: string;
  /** Something the user may want to do by hand (e.g. revoke at the provider). */
  notice?: string;
  requestId?: string | null;
}

const result = (body: ConnectionsActionResult, status = 200) => data(body, { status });

function failure(error: ApiError, title: string): ReturnType<typeof result> {
  return result(
    { ok: false, tone: 'danger', title, message: withPlatformNames(error.message), requestId: error.requestId },
    error.status,
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const businessId = businessIdOf(params.businessId);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const platform = parsePlatform(String(form.get('platform') ?? ''));
  const accountId = String(form.get('account_id') ?? '');
  const accountName = String(form.get('account_name') ?? '').trim();
  const name = platform ? platformDisplayName(platform) : 'The platform';
  const here = `/b/${businessId}/connections`;

  try {
    switch (intent) {
      case 'connect': {
        if (!platform)
          return result(
            { ok: false, tone: 'danger', title: 'Unknown platform', message: 'Choose a platform to connect.' },
            400,
          );
        const { authorization_url } = await authorizePlatform(request, platform, businessId);
        if (!/^https?:\/\//i.test(authorization_url)) {
          return result(
            {
              ok: false,
              tone: 'danger',
              title: `${name} was not connected`,
              message: 'Social Sync answered with an address this page will not open.',
            },
            502,
          );
        }
        // The browser goes to the provider's consent page; the provider sends it back to the API's callback.
        return redirect(authorization_url, 302);
      }
      case 'refresh': {
        if (!platform || !/^\d+$/.test(accountId))
          return result({ ok: false, tone: 'danger', title: 'Nothing to refresh', message: 'Choose an account.' }, 400);
        const refreshed = await refreshPlatformToken(request, platform, businessId, accountId);
        const expires = refreshed.expires_at ? ` It now ${expiryPhrase(refreshed.expires_at, Date.now())}.` : '';
        return result({
          ok: true,
          tone: 'success',
          title: 'Token refreshed',
          message: `${name} access for ${accountName || 'the account'} was renewed.${expires}`,
        });
      }
      case 'disconnect': {
        if (!platform || !/^\d+$/.test(accountId))
          return result(
            { ok: false, tone: 'danger', title: 'Nothing to disconnect', message: 'Choose an account.' },
            400,
          );
        if (form.get('confirm') !== 'yes') {
          return result(
            {
              ok: false,
              tone: 'warning',
              title: 'Not disconnected',
              message: 'Confirm with “Yes, disconnect” to disconnect the account.',
            },
            400,
          );
        }
        const done = await disconnectPlatform(request, platform, businessId, accountId);
        const notice =
          done.revoked_at_provider === false
            ? `${name} did not confirm that Social Sync's access was revoked${
                done.revoke_error ? ` (${done.revoke_error})` : ''
              }. To be sure, remove Social Sync from the connected apps in your ${name} settings.`
            : undefined;
        return result({
          ok: true,
          tone: 'success',
          title: `${name} disconnected`,
          message: `${accountName || 'The account'} is disconnected: Social Sync no longer syncs it${
            done.revoked_at_provider ? ` and its access at ${name} was revoked` : ''
          }.`,
          notice,
        });
      }
      case 'meta_select': {
        const pendingId = pendingIdOf(String(form.get('pending_id') ?? ''));
        if (pendingId === undefined)
          return result(
            {
              ok: false,
              tone: 'danger',
              title: 'Nothing to connect',
              message: 'The Page selection is missing. Connect again.',
            },
            400,
          );
        const pageIds = form.getAll('page_ids').map(String).filter(Boolean);
        const instagramIds = form.getAll('instagram_ids').map(String).filter(Boolean);
        if (pageIds.length + instagramIds.length === 0) {
          return result(
            {
              ok: false,
              tone: 'danger',
              title: 'Nothing selected',
              message: 'Pick at least one Page or Instagram account to connect.',
            },
            400,
          );
        }
        await selectMetaPages(request, businessId, {
          pending_id: pendingId,
          page_ids: pageIds,
          instagram_ids: instagramIds,
        });
        return redirect(`${here}?connected=${pageIds.length > 0 ? 'meta' : 'instagram'}`, 303);
      }
      default:
        return result(
          { ok: false, tone: 'danger', title: 'Unknown action', message: 'That action is not available here.' },
          400,
        );
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    switch (intent) {
      case 'connect':
        return failure(error, connectErrorMessage(error.code, platform).title);
      case 'refresh':
        return failure(error, error.status === 409 ? 'The token was not refreshed' : 'Refreshing failed');
      case 'disconnect':
        return failure(error, 'Disconnecting failed');
      default:
        return failure(
          error,
          error.code === 'selection_expired' ? connectErrorMessage('selection_expired').title : 'Connecting failed',
        );
    }
  }
}

const BUSY_STATUSES = new Set(['connecting', 'syncing', 'refreshing']);

export default function Connections() {
  const { business } = useBusiness();
  const { platforms, now, pendingId, metaPages } = useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const here = `/b/${business.id}/connections`;
  const banner = connectBanner(searchParams);
  const nothingAvailable = platforms.length > 0 && platforms.every((p) => p.connection.state === 'unavailable');
  const busy = platforms.some(
    (p) =>
      p.connection.state === 'ready' &&
      (p.connection.data.accounts ?? []).some((a) => BUSY_STATUSES.has(a.status ?? '')),
  );
  // Each reload asks the API once per platform, and the API limits OAuth calls per user (60 a minute),
  // so this page refreshes gently: every 30 s, every 10 s while an account is still connecting.
  useAutoRevalidate(busy ? 10_000 : 30_000);

  return (
    <>
      <div className="page-heading">
        <h1>Connections</h1>
        <p className="muted">The social accounts {business.name} has connected, and the state of each.</p>
      </div>

      {banner && !(pendingId && banner.tone === 'info') && (
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
        <Banner
          tone={actionResult.tone}
          title={actionResult.title}
          focus
          focusKey={actionResult}
          testId="action-result"
        >
          <p>{actionResult.message}</p>
          {actionResult.notice && <p className="banner__notice">{actionResult.notice}</p>}
          {actionResult.requestId && (
            <p className="muted">
              Reference: <code>{actionResult.requestId}</code>
            </p>
          )}
        </Banner>
      )}

      {pendingId !== null && metaPages && <MetaPagePicker section={metaPages} pendingId={pendingId} here={here} />}

      {nothingAvailable && (
        <p className="notice" role="note">
          Connection status is not available yet. The platforms are listed below; their status will appear here as soon
          as Social Sync reports it.
        </p>
      )}

      {platforms.length === 0 ? (
        <p className="panel empty-state">No platforms are available.</p>
      ) : (
        <ul className="card-grid card-grid--wide" aria-label="Platforms">
          {platforms.map((p) => (
            <li key={p.name} id={`platform-${p.name}`} className="card" data-platform={p.name}>
              <div className="card__header">
                <PlatformBadge platform={p.name} />
                <h2 className="card__title">{p.displayName}</h2>
              </div>
              <PlatformConnection
                platform={p.name}
                displayName={p.displayName}
                configured={p.configured}
                connection={p.connection}
                now={now}
                here={here}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function PlatformConnection({
  platform,
  displayName,
  configured,
  connection,
  now,
  here,
}: {
  platform: string;
  displayName: string;
  configured: boolean;
  connection: Section<ConnectionStatus>;
  now: number;
  here: string;
}) {
  if (connection.state !== 'ready') {
    return (
      <>
        <SectionProblem section={connection} what="Status" compact />
        {configured && <ConnectButton platform={platform} label={`Connect ${displayName}`} here={here} primary />}
      </>
    );
  }
  const status = connection.data;
  // Disconnected accounts are history, not connections.
  const accounts = (status.accounts ?? []).filter((a) => a.status !== 'disconnected');
  if (accounts.length === 0 && status.is_connected && status.username) {
    // An API without the accounts list: show the seed's single-account fields.
    accounts.push({
      id: '',
      username: status.username,
      expires_at: status.expires_at,
      status: status.status,
      requires_refresh: status.requires_refresh,
    });
  }

  if (accounts.length === 0) {
    return (
      <>
        <StatusBadge status={{ tone: 'neutral', label: 'Not connected' }} />
        {configured ? (
          <>
            <p className="muted card__text">Connect to keep this account’s posts and metrics in sync.</p>
            <ConnectButton platform={platform} label={`Connect ${displayName}`} here={here} primary />
          </>
        ) : (
          <p className="muted card__text">{displayName} is not set up on this server yet.</p>
        )}
      </>
    );
  }

  return (
    <ul className="account-cards" aria-label={`Connected ${displayName} accounts`}>
      {accounts.map((account) => (
        <AccountCard
          key={String(account.id)}
          platform={platform}
          displayName={displayName}
          account={account}
          now={now}
          here={here}
        />
      ))}
    </ul>
  );
}

function AccountCard({
  platform,
  displayName,
  account,
  now,
  here,
}: {
  platform: string;
  displayName: string;
  account: ConnectedAccount;
  now: number;
  here: string;
}) {
  const label = connectionLabel({
    is_connected: account.status !== 'connecting',
    status: account.status,
    requires_refresh: account.requires_refresh,
  });
  const name = account.display_name ?? account.username ?? `Account ${account.id}`;
  const handle = account.username && account.username !== name ? accountName(account.username) : undefined;
  const who = accountName(account.username) ?? name;
  const reconnectRequired = account.status === 'reconnect_required';
  const hasId = account.id !== '';

  return (
    <li className="account-card" data-account-id={String(account.id)} data-status={account.status ?? undefined}>
      <div className="account-card__identity">
        <Avatar url={account.avatar_url} name={name} />
        <div className="account-card__names">
          <p className="account-card__name">{name}</p>
          {handle && <p className="muted account-card__handle">{handle}</p>}
        </div>
        <StatusBadge status={label} />
      </div>

      {reconnectRequired && (
        <p className="alert alert--error account-card__alert">
          <strong>Reconnect required.</strong>{' '}
          {reconnectReason(account.status_message) ?? `${displayName} no longer accepts Social Sync’s access.`} Syncing
          is paused until you reconnect.
        </p>
      )}
      {!reconnectRequired && account.requires_refresh && (
        <p className="alert alert--warning account-card__alert">
          <strong>Reconnect soon.</strong> Access {expiryPhrase(account.expires_at, now)} and cannot be renewed
          automatically.
        </p>
      )}
      {!reconnectRequired && account.status_message && (
        <p className="muted">{withPlatformNames(account.status_message)}</p>
      )}

      <dl className="facts">
        <div>
          <dt>Access token</dt>
          <dd data-testid="token-expiry">
            {account.expires_at ? (
              <time dateTime={account.expires_at} title={formatDateTime(account.expires_at)}>
                {expiryPhrase(account.expires_at, now)}
              </time>
            ) : (
              expiryPhrase(null, now)
            )}
          </dd>
        </div>
        <div>
          <dt>Last synced</dt>
          <dd>
            <RelativeTime iso={account.last_sync_at} now={now} />
          </dd>
        </div>
      </dl>

      <div className="account-card__actions">
        <ConnectButton
          platform={platform}
          label="Reconnect"
          hiddenLabel={` ${displayName} ${who}`}
          here={here}
          primary={reconnectRequired}
        />
        {hasId && canRefreshToken(platform) && !reconnectRequired && (
          <Form method="post" action={here} className="inline-form">
            <input type="hidden" name="intent" value="refresh" />
            <input type="hidden" name="platform" value={platform} />
            <input type="hidden" name="account_id" value={String(account.id)} />
            <input type="hidden" name="account_name" value={who} />
            <SubmitButton
              label="Refresh token"
              hiddenLabel={` for ${who}`}
              intent="refresh"
              accountId={String(account.id)}
            />
          </Form>
        )}
        {hasId && (
          <DisconnectControl
            platform={platform}
            displayName={displayName}
            accountId={String(account.id)}
            who={who}
            here={here}
          />
        )}
      </div>
    </li>
  );
}

function Avatar({ url, name }: { url?: string | null; name: string }) {
  const [failed, setFailed] = useState(false);
  if (!url || failed || !/^https?:\/\//i.test(url)) {
    return (
      <span className="avatar avatar--initials" aria-hidden="true">
        {name.replace(/^@/, '').slice(0, 1).toUpperCase()}
      </span>
    );
  }
  // The name is written beside it, so the picture is decorative.
  return (
    <img
      className="avatar"
      src={url}
      alt=""
      width={44}
      height={44}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}

/** Connect and Reconnect: a full-page POST, answered with a 302 to the provider's consent page. */
function ConnectButton({
  platform,
  label,
  hiddenLabel,
  here,
  primary = false,
}: {
  platform: string;
  label: string;
  hiddenLabel?: string;
  here: string;
  primary?: boolean;
}) {
  const [leaving, setLeaving] = useState(false);
  return (
    <Form method="post" action={here} reloadDocument className="inline-form" onSubmit={() => setLeaving(true)}>
      <input type="hidden" name="intent" value="connect" />
      <input type="hidden" name="platform" value={platform} />
      <button type="submit" className={`button ${primary ? 'button--primary' : ''}`} aria-busy={leaving || undefined}>
        {label}
        {hiddenLabel && <span className="visually-hidden">{hiddenLabel}</span>}
      </button>
    </Form>
  );
}

function SubmitButton({
  label,
  hiddenLabel,
  intent,
  accountId,
  danger = false,
  primary = false,
}: {
  label: string;
  hiddenLabel?: string;
  intent: string;
  accountId?: string;
  danger?: boolean;
  primary?: boolean;
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === 'submitting' &&
    navigation.formData?.get('intent') === intent &&
    (accountId === undefined || navigation.formData?.get('account_id') === accountId);
  return (
    <button
      type="submit"
      className={`button ${danger ? 'button--danger' : primary ? 'button--primary' : ''}`}
      aria-busy={pending || undefined}
      onClick={(event) => pending && event.preventDefault()}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {label}
      {hiddenLabel && <span className="visually-hidden">{hiddenLabel}</span>}
    </button>
  );
}

/** Disconnect takes two steps: "Disconnect", then an explicit "Yes, disconnect" (Escape or Cancel backs out). */
function DisconnectControl({
  platform,
  displayName,
  accountId,
  who,
  here,
}: {
  platform: string;
  displayName: string;
  accountId: string;
  who: string;
  here: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const panelId = useId();
  const titleId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);

  useEffect(() => {
    if (confirming) {
      opened.current = true;
      panelRef.current?.focus();
    } else if (opened.current) {
      openerRef.current?.focus();
    }
  }, [confirming]);

  return (
    <>
      {!confirming && (
        <button
          ref={openerRef}
          type="button"
          className="button button--quiet-danger"
          aria-expanded={false}
          aria-controls={panelId}
          onClick={() => setConfirming(true)}
        >
          Disconnect
          <span className="visually-hidden">
            {' '}
            {displayName} {who}
          </span>
        </button>
      )}
      <div
        id={panelId}
        ref={panelRef}
        className="confirm"
        role="group"
        aria-labelledby={titleId}
        tabIndex={-1}
        hidden={!confirming}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setConfirming(false);
        }}
      >
        <p id={titleId} className="confirm__title">
          Disconnect {who} from {displayName}?
        </p>
        <p className="muted">
          Social Sync stops syncing it and revokes its access at {displayName}. Posts and metrics already synced are
          kept. You can connect it again at any time.
        </p>
        <Form method="post" action={here} className="confirm__actions">
          <input type="hidden" name="intent" value="disconnect" />
          <input type="hidden" name="platform" value={platform} />
          <input type="hidden" name="account_id" value={accountId} />
          <input type="hidden" name="account_name" value={who} />
          <input type="hidden" name="confirm" value="yes" />
          <SubmitButton label="Yes, disconnect" intent="disconnect" accountId={accountId} danger />
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </Form>
      </div>
    </>
  );
}

function MetaPagePicker({
  section,
  pendingId,
  here,
}: {
  section: Section<MetaPages>;
  pendingId: number;
  here: string;
}) {
  return (
    <section className="panel section meta-picker" aria-labelledby="meta-picker-title">
      <h2 id="meta-picker-title">Choose Facebook Pages and Instagram accounts</h2>
      {section.state === 'unavailable' ? (
        <Banner tone="danger" title={connectErrorMessage('selection_expired').title}>
          <p>
            This Page selection has expired or was already used. Choose Connect on Facebook Pages or Instagram Business
            to sign in again.
          </p>
        </Banner>
      ) : section.state === 'error' ? (
        <SectionProblem section={section} what="The Pages to choose from" />
      ) : section.data.pages.length === 0 ? (
        <p className="empty-state">
          Facebook did not list any Pages you manage, so there is nothing to connect. <Link to={here}>Back</Link>
        </p>
      ) : (
        <Form method="post" action={`${here}?meta_pending=${pendingId}`} className="form">
          <p className="muted">
            Facebook granted Social Sync access. Choose what it should keep in sync; an Instagram Business account is
            synced through its linked Page.
          </p>
          <input type="hidden" name="intent" value="meta_select" />
          <input type="hidden" name="pending_id" value={pendingId} />
          <fieldset className="checklist">
            <legend>Pages and their Instagram accounts</legend>
            {section.data.pages.map((page) => (
              <div key={page.pageId} className="checklist__group">
                <div className="checkbox">
                  <input
                    type="checkbox"
                    id={`page-${page.pageId}`}
                    name="page_ids"
                    value={page.pageId}
                    defaultChecked
                  />
                  <label htmlFor={`page-${page.pageId}`}>
                    {page.pageName}
                    {page.category && <span className="muted"> · {page.category}</span>}
                  </label>
                </div>
                {page.instagram && (
                  <div className="checkbox checkbox--nested">
                    <input
                      type="checkbox"
                      id={`instagram-${page.instagram.id}`}
                      name="instagram_ids"
                      value={page.instagram.id}
                      defaultChecked
                    />
                    <label htmlFor={`instagram-${page.instagram.id}`}>
                      Instagram {page.instagram.username ? `@${page.instagram.username}` : page.instagram.id}
                      <span className="muted"> · linked to {page.pageName}</span>
                    </label>
                  </div>
                )}
              </div>
            ))}
          </fieldset>
          <div className="actions">
            <SubmitButton label="Connect selected" intent="meta_select" primary />
            <Link to={here} className="button">
              Cancel
            </Link>
          </div>
        </Form>
      )}
    </section>
  );
}

export const ErrorBoundary = PageErrorBoundary;
