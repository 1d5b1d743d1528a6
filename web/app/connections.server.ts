// The Connections page's server side: what the loader reads (the platforms, the business's accounts with
// their sync state in one read, and Meta's pending Page selection after ?meta_pending=) and what the action does with each form intent
// (connect, refresh, disconnect, meta_select), turning API refusals into words for the page's banner; and
// where the API hands a provider's answer back to finish connecting in the browser that started it.
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { ApiError, loadSection, requireBusinessId, throwRouteError } from './api.server.js';
import { builtInPlatform } from '../../providers/metadata.js';
import { connectErrorMessage, withPlatformNames, type BannerTone } from './connect-messages.js';
import {
  authorizePlatform,
  disconnectPlatform,
  finishOAuthCallback,
  getMetaPages,
  getSyncStatus,
  listPlatforms,
  refreshPlatformToken,
  selectMetaPages,
  type ConnectionStatus,
  type PlatformSyncStatus,
} from './endpoints.server.js';
import { expiryPhrase } from './format.js';
import { applySetCookies, forgetBinding, keepBinding, keptBinding } from './oauth-binding.server.js';
import { knownPlatform, platformDisplayName } from './platforms.js';

function pendingIdOf(raw: string | null): number | undefined {
  return raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}

export async function connectionsLoader({ request, params }: LoaderFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const search = new URL(request.url).searchParams;
  let pendingId = pendingIdOf(search.get('meta_pending'));
  // A Meta sign-in the API stopped waiting for (`connect_pending`) leaves its Page selection unnamed in
  // the URL: the newest open one is shown once it exists, so the picker is not lost.
  const lateMetaPick = pendingId === undefined && search.get('error') === 'connect_pending' && search.get('platform') === 'meta';
  const [platforms, syncStatus, metaPages] = await Promise.all([
    listPlatforms(request).catch(throwRouteError),
    // The cards and the table both come from sync-status: one read of the projection (issue 12), not one
    // call per platform.
    loadSection(getSyncStatus(request, businessId)),
    pendingId !== undefined
      ? loadSection(getMetaPages(request, businessId, pendingId))
      : lateMetaPick
        ? getMetaPages(request, businessId).then(
            (data) => ({ state: 'ready' as const, data }),
            (error: unknown) => {
              if (error instanceof ApiError && error.status === 404) return null; // not stored yet
              throw error;
            },
          )
        : null,
  ]);
  if (metaPages?.state === 'ready') pendingId = metaPages.data.pending_id;
  const accounts = syncStatus.state === 'ready' ? (syncStatus.data.accounts ?? []) : [];
  return {
    now: Date.now(),
    pendingId: pendingId ?? null,
    metaPages,
    syncStatus,
    platforms: platforms.map((p) => ({
      name: p.name,
      displayName: platformDisplayName(p.name, p.display_name),
      configured: p.configured !== false,
      connection: syncStatus.state === 'ready' ? { state: 'ready' as const, data: platformConnection(p.name, accounts) } : syncStatus,
    })),
  };
}

/** A platform card's accounts, from the business's accounts as sync-status lists them. */
function platformConnection(platform: string, accounts: PlatformSyncStatus[]): ConnectionStatus {
  const mine = accounts.filter((a) => a.platform === platform && a.account_id != null);
  return {
    is_connected: mine.length > 0,
    accounts: mine.map((a) => ({
      id: a.account_id!,
      platform: a.platform,
      username: a.username,
      display_name: a.display_name,
      avatar_url: a.avatar_url,
      status: a.account_status,
      status_message: a.status_message,
      expires_at: a.token_expires_at,
      requires_refresh: a.requires_refresh,
      can_refresh: a.can_refresh,
      last_sync_at: a.last_sync,
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
  return result({ ok: false, tone: 'danger', title, message: withPlatformNames(error.message), requestId: error.requestId }, error.status);
}

export async function connectionsAction({ request, params }: ActionFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const form = await request.formData().catch(() => new FormData()); // a body that is not a form is an empty one
  const intent = String(form.get('intent') ?? '');
  const platform = knownPlatform(String(form.get('platform') ?? ''));
  const accountId = String(form.get('account_id') ?? '');
  const accountName = String(form.get('account_name') ?? '').trim();
  const name = platform ? platformDisplayName(platform) : 'The platform';
  const here = `/b/${businessId}/connections`;

  try {
    switch (intent) {
      case 'connect': {
        if (!platform)
          return result({ ok: false, tone: 'danger', title: 'Unknown platform', message: 'Choose a platform to connect.' }, 400);
        const { authorization_url, setCookies } = await authorizePlatform(request, platform, businessId);
        const binding = applySetCookies('', setCookies);
        if (!/^https?:\/\//i.test(authorization_url) || !binding) {
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
        // The browser goes to the provider's consent page; the provider sends it back to the API's callback,
        // which hands the answer to oauthCallbackLoader here, where this browser's kept binding finishes it.
        const oauthApp = builtInPlatform(platform)?.oauthApp ?? platform;
        return redirect(authorization_url, {
          status: 302,
          headers: { 'Set-Cookie': await keepBinding(oauthApp, { cookies: binding, businessId }) },
        });
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
          return result({ ok: false, tone: 'danger', title: 'Nothing to disconnect', message: 'Choose an account.' }, 400);
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
        return result({ ok: false, tone: 'danger', title: 'Unknown action', message: 'That action is not available here.' }, 400);
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
        return failure(error, error.code === 'selection_expired' ? connectErrorMessage('selection_expired').title : 'Connecting failed');
    }
  }
}

/**
 * GET /oauth/:app/callback: the API's callback sends a browser here when it lacks the API's binding cookie
 * (decision 015). This presents the binding kept for this browser (if any) with the provider's sealed
 * answer to the API, then sends the browser to Connections with the outcome, as the API would have.
 */
export async function oauthCallbackLoader({ request, params }: LoaderFunctionArgs) {
  const oauthApp = knownPlatform(params.app ?? '');
  const relay = new URL(request.url).searchParams.get('relay');
  if (!oauthApp || oauthApp !== params.app || !relay) throw data({ code: 'not_found' }, { status: 404 });
  const binding = await keptBinding(request);
  let jar = binding?.cookies ?? '';
  let target: string;
  try {
    const outcome = await finishOAuthCallback(request, oauthApp, relay, jar, (setCookies) => (jar = applySetCookies(jar, setCookies)));
    const next = outcome.pending_selection ? `meta_pending=${outcome.pending_selection.id}` : `connected=${outcome.platform}`;
    target = `/b/${outcome.business_id}/connections?${next}`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const page = binding ? `/b/${binding.businessId}/connections` : '/';
    target = `${page}?${new URLSearchParams({ error: error.code, platform: oauthApp })}`;
  }
  const headers = new Headers({ 'Referrer-Policy': 'no-referrer' });
  // The API cleared its cookie once the state was used: so does the browser's copy here.
  if (binding && jar !== binding.cookies) {
    headers.set('Set-Cookie', jar ? await keepBinding(oauthApp, { ...binding, cookies: jar }) : await forgetBinding(oauthApp));
  }
  return redirect(target, { status: 303, headers });
}
