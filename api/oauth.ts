// The seed's OAuth endpoints. The API builds authorization URLs and checks `state`; everything that
// talks to a provider (code exchange, refresh, revoke) runs in Temporal activities.
import { Router, type CookieOptions, type Request } from 'express';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client } from '@temporalio/client';
import * as oauth from 'oauth4webapi';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Config } from '../lib/config.js';
import type { Keyring } from '../lib/crypto/keyring.js';
import { PendingConnectionEntity } from '../lib/db/entities.js';
import type { Logger } from '../lib/logger.js';
import type { Platform } from '../lib/domain.js';
import { parsePlatform, platformMetadata, platformsOfApp, registeredPlatforms, type Providers } from '../providers/registry.js';
import { addToContext, currentContext } from '../lib/context.js';
import { recordOAuthOutcome } from '../lib/metrics.js';
import { oauthBreadcrumb } from '../lib/sentry.js';
import type { ConnectOutcome } from '../activities/connect.js';
import { connectWorkflowId, type ConnectInput } from '../workflows/contract.js';
import { AccountActionRefused, disconnectAccountNow, refreshAccountNow } from '../lib/account-workflows.js';
import { accountsFor, type AccountRow } from './accounts.js';
import { memberBusinessId, requireUser } from './auth.js';
import { badRequest, HttpError, idSchema, notFound, parse } from './errors.js';
import { consumeState, createState, STATE_TTL_MS } from './oauth-states.js';
import type { RateLimits } from './rate-limits.js';

/** The name people know a platform by (registered platforms only reach here: the route parameter is parsed first). */
const displayName = (platform: Platform) => platformMetadata(platform)?.displayName ?? platform;

export interface OAuthDeps {
  db: DataSource;
  temporal: Client;
  config: Config;
  keyring: Keyring;
  providers: Providers;
  rateLimits: RateLimits;
  logger?: Logger;
}

const CONNECT_TIMEOUT_MS = 30_000;

/** The cookie that binds a flow to the browser (or cookie-keeping client) that started it (decision 015). */
const BINDING_COOKIE = 'social_sync_oauth';

/** What a provider's redirect to the callback carries. */
const providerAnswer = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});
type ProviderAnswer = z.infer<typeof providerAnswer>;

const RELAY_KIND = 'oauth_callback_relay';

/** Opens a provider answer this API sealed for the dashboard's relay: same OAuth app, and no older than a state. */
function unsealRelay(keyring: Keyring, sealed: string, app: string): ProviderAnswer {
  let relay: { kind?: unknown; app?: unknown; at?: unknown; answer?: unknown } | undefined;
  try {
    relay = JSON.parse(keyring.decrypt(sealed));
  } catch {
    relay = undefined;
  }
  const fresh = typeof relay?.at === 'number' && Date.now() - relay.at < STATE_TTL_MS;
  const answer = providerAnswer.safeParse(relay?.answer);
  if (relay?.kind !== RELAY_KIND || relay.app !== app || !fresh || !answer.success) {
    throw new HttpError(400, 'invalid_state', 'The sign-in link is not valid. Start connecting again.');
  }
  return answer.data;
}

/** A cookie's value from the request's Cookie header (the first, i.e. the most specific path's, if several). */
function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name && value.length > 0) return value.join('=') || undefined;
  }
  return undefined;
}

export function oauthRoutes(deps: OAuthDeps): Router {
  const { db, config, keyring, providers } = deps;
  const router = Router();
  // Reads need a session; actions (new states, exchanges, refreshes, revocations) are also rate-limited.
  const authed = [requireUser(db)];
  const limited = [requireUser(db), deps.rateLimits.oauth];

  const platformParam = (req: Request): Platform => {
    const platform = parsePlatform(String(req.params.platform));
    if (!platform) {
      const known = registeredPlatforms().flatMap((p) => [p.id, ...p.aliases]);
      throw new HttpError(404, 'unknown_platform', `Unknown platform "${req.params.platform}". Use one of: ${known.join(', ')}.`);
    }
    return platform;
  };
  /** The callback is the OAuth app's (Instagram connects through Meta's). */
  const oauthAppOf = (platform: Platform) => platformMetadata(platform)?.oauthApp ?? platform;
  const redirectUri = (platform: Platform) => `${config.PUBLIC_API_URL}/api/v1/oauth/${oauthAppOf(platform)}/callback`;
  // Host-only, sent to the callback's path alone, never readable by scripts; Lax so the provider's redirect
  // (a top-level GET from another site) carries it. Secure wherever the API is served over https.
  const bindingCookieOptions = (platform: Platform): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: config.isProduction || new URL(config.PUBLIC_API_URL).protocol === 'https:',
    path: new URL(redirectUri(platform)).pathname,
  });

  router.get('/platforms', (_req, res) => {
    res.json({
      platforms: registeredPlatforms().map((p) => ({
        name: p.id,
        display_name: p.displayName,
        oauth_provider: p.oauthApp,
        configured: providers.get(p.id) !== null,
      })),
    });
  });

  // Meta's page picker; declared before the /:platform routes so "meta/pages" is not a platform action.
  // Without pending_id: the user's newest open selection, for a callback that answered `connect_pending`
  // (the selection was stored after the browser stopped waiting, so the browser never learnt its id).
  router.get('/meta/pages', ...authed, async (req, res) => {
    const businessId = await memberBusinessId(db, req, req.query.business_id);
    const pendingId = req.query.pending_id === undefined ? undefined : parse(idSchema, req.query.pending_id);
    const query = db
      .getRepository(PendingConnectionEntity)
      .createQueryBuilder('p')
      .select(['p.id', 'p.platform', 'p.choices', 'p.expiresAt'])
      .where('p.businessId = :businessId AND p.userId = :userId AND p.expiresAt > now() AND p.outcome IS NULL', {
        businessId,
        userId: req.user!.id,
      });
    const pending = await (
      pendingId === undefined ? query.orderBy('p.id', 'DESC') : query.andWhere('p.id = :pendingId', { pendingId })
    ).getOne();
    if (!pending) throw notFound('Page selection');
    res.json({ pending_id: pending.id, platform: pending.platform, expires_at: pending.expiresAt, pages: pending.choices });
  });

  router.post('/meta/pages', ...limited, async (req, res) => {
    const businessId = await memberBusinessId(db, req, req.query.business_id ?? req.body?.business_id);
    const body = parse(
      z
        .object({
          pending_id: idSchema,
          page_ids: z.array(z.string().min(1)).default([]),
          instagram_ids: z.array(z.string().min(1)).default([]),
        })
        .refine((b) => b.page_ids.length + b.instagram_ids.length > 0, 'pick at least one Page or Instagram account'),
      req.body ?? {},
    );
    // Single-use: a pick already made keeps its outcome only for the retries of its own workflow.
    const open = await db
      .getRepository(PendingConnectionEntity)
      .createQueryBuilder('p')
      .where('p.id = :id AND p.businessId = :businessId AND p.userId = :userId AND p.expiresAt > now() AND p.outcome IS NULL', {
        id: body.pending_id,
        businessId,
        userId: req.user!.id,
      })
      .getExists();
    if (!open) throw new HttpError(404, 'selection_expired', 'That Page selection has expired or was already used. Connect Meta again.');
    const outcome = await runConnect(deps, {
      kind: 'meta_selection',
      pendingId: body.pending_id,
      businessId,
      userId: req.user!.id,
      pageIds: body.page_ids,
      instagramIds: body.instagram_ids,
    });
    recordOAuthOutcome(outcome.platform, 'connected');
    req.log.info(
      {
        event_type: 'oauth_meta_selection',
        platform: outcome.platform,
        outcome: 'connected',
        account_ids: outcome.accounts.map((a) => a.id),
      },
      'Meta selection connected',
    );
    res.json(connectResponse(outcome));
  });

  router.get('/:platform/authorize', ...limited, async (req, res) => {
    const platform = platformParam(req);
    const businessId = await memberBusinessId(db, req, req.query.business_id);
    const provider = providers.get(platform);
    if (!provider) throw new HttpError(409, 'platform_not_configured', `${displayName(platform)} is not configured on this server.`);
    const codeVerifier = provider.metadata.capabilities.pkce ? oauth.generateRandomCodeVerifier() : null;
    const { state, browserBinding } = await createState(db, keyring, {
      userId: req.user!.id,
      businessId,
      platform,
      redirectUri: redirectUri(platform),
      codeVerifier,
    });
    const authorizationUrl = provider.authorizationUrl({
      state,
      redirectUri: redirectUri(platform),
      codeChallenge: codeVerifier ? await oauth.calculatePKCECodeChallenge(codeVerifier) : undefined,
    });
    req.log.info({ event_type: 'oauth_authorize', platform }, 'authorization URL issued');
    recordOAuthOutcome(platform, 'authorize');
    res.cookie(BINDING_COOKIE, browserBinding, { ...bindingCookieOptions(platform), maxAge: STATE_TTL_MS });
    res.json({ authorization_url: authorizationUrl.toString(), state, platform });
  });

  router.get('/:platform/callback', async (req, res) => {
    const platform = platformParam(req);
    const { relay, ...direct } = parse(providerAnswer.extend({ relay: z.string().max(16_384).optional() }), req.query);
    const query = relay === undefined ? direct : unsealRelay(keyring, relay, oauthAppOf(platform));
    const wantsHtml = req.accepts(['json', 'html']) === 'html';
    const browserBinding = cookieValue(req, BINDING_COOKIE);
    if (!browserBinding && wantsHtml && relay === undefined) {
      // A browser without this API's cookie: the dashboard started the flow and keeps the cookie for this
      // browser in its own, so the dashboard finishes it (decision 015). The provider's answer travels
      // sealed, so no code or state reaches the dashboard's URLs or access log, and no Referer carries it.
      oauthBreadcrumb('callback relayed to the dashboard', { platform });
      const sealed = keyring.encrypt(JSON.stringify({ kind: RELAY_KIND, app: oauthAppOf(platform), at: Date.now(), answer: query }));
      res.set('Referrer-Policy', 'no-referrer');
      res.redirect(303, `${config.PUBLIC_WEB_URL}/oauth/${oauthAppOf(platform)}/callback?${new URLSearchParams({ relay: sealed })}`);
      return;
    }
    // Used once the state is consumed: then the cookie has done its work, whatever the outcome.
    const clearBinding = () => res.clearCookie(BINDING_COOKIE, bindingCookieOptions(platform));
    let businessId: number | undefined;
    // Breadcrumbs say which step a failure happened at; they carry no code, state or token.
    oauthBreadcrumb('callback received', {
      platform,
      has_code: Boolean(query.code),
      has_state: Boolean(query.state),
      provider_error: query.error ?? null,
    });
    try {
      if (!query.state) throw new HttpError(400, 'missing_state', 'The callback has no state parameter.');
      const statePlatforms = platformsOfApp(oauthAppOf(platform));
      if (query.error) {
        const consumed = await consumeState(db, keyring, query.state, statePlatforms, null, browserBinding);
        clearBinding();
        businessId = consumed.businessId;
        addToContext({ user_id: consumed.userId, business_id: consumed.businessId });
        req.log.info({ event_type: 'oauth_callback', platform, outcome: 'denied', provider_error: query.error }, 'user declined');
        throw new HttpError(400, 'access_denied', `Access was not granted on ${displayName(consumed.platform)} (${query.error}).`);
      }
      if (!query.code) throw new HttpError(400, 'missing_code', 'The callback has no authorization code.');
      const consumed = await consumeState(db, keyring, query.state, statePlatforms, query.code, browserBinding);
      clearBinding();
      businessId = consumed.businessId;
      // The state names who started the flow: the callback's lines and errors carry them from here on.
      addToContext({ user_id: consumed.userId, business_id: consumed.businessId });
      oauthBreadcrumb('state validated', { platform: consumed.platform, business_id: consumed.businessId, oauth_state_id: consumed.id });
      const outcome = await runConnect(deps, { kind: 'oauth_callback', oauthStateId: consumed.id });
      oauthBreadcrumb('token exchange done', {
        platform: consumed.platform,
        account_ids: outcome.accounts.map((a) => a.id),
        pending_selection: Boolean(outcome.pending),
      });
      recordOAuthOutcome(consumed.platform, outcome.pending ? 'pending_selection' : 'connected');
      req.log.info(
        { event_type: 'oauth_callback', platform: consumed.platform, outcome: 'connected', account_ids: outcome.accounts.map((a) => a.id) },
        'OAuth callback completed',
      );
      if (wantsHtml) {
        const next = outcome.pending ? `meta_pending=${outcome.pending.id}` : `connected=${consumed.platform}`;
        res.redirect(303, `${config.PUBLIC_WEB_URL}/b/${consumed.businessId}/connections?${next}`);
        return;
      }
      res.json(connectResponse(outcome));
    } catch (error) {
      const errorCode = error instanceof HttpError ? error.code : 'internal_error';
      recordOAuthOutcome(platform, errorCode === 'access_denied' ? 'denied' : 'failed');
      oauthBreadcrumb('callback failed', { platform, error_code: errorCode }, 'warning');
      if (errorCode !== 'access_denied')
        req.log.info({ event_type: 'oauth_callback', platform, outcome: 'failed', error_code: errorCode }, 'OAuth callback failed');
      if (!(error instanceof HttpError) || !wantsHtml) throw error;
      const target = businessId ? `/b/${businessId}/connections` : '/';
      res.redirect(303, `${config.PUBLIC_WEB_URL}${target}?error=${encodeURIComponent(error.code)}&platform=${platform}`);
    }
  });

  router.get('/:platform/status', ...authed, async (req, res) => {
    const platform = platformParam(req);
    const businessId = await memberBusinessId(db, req, req.query.business_id);
    const accounts = await accountsFor(db, businessId, platform, optionalAccountId(req));
    const connected = accounts.filter((a) => a.status !== 'disconnected');
    const primary = connected[0];
    res.json({
      platform,
      business_id: businessId,
      is_connected: connected.length > 0,
      username: primary?.username ?? null,
      expires_at: primary?.tokenExpiresAt?.toISOString() ?? null,
      requires_refresh: primary ? requiresAttention(primary) : false,
      status: primary?.status ?? 'not_connected',
      accounts: accounts.map(accountJson),
    });
  });

  router.post('/:platform/refresh', ...limited, async (req, res) => {
    const platform = platformParam(req);
    const businessId = await memberBusinessId(db, req, req.query.business_id);
    const account = await oneAccount(db, businessId, platform, optionalAccountId(req));
    const result = await refusedAs409(() => refreshAccountNow(deps.temporal, account.id));
    res.json({ success: true, platform, business_id: businessId, account_id: account.id, expires_at: result.tokenExpiresAt });
  });

  router.delete('/:platform/disconnect', ...limited, async (req, res) => {
    const platform = platformParam(req);
    const businessId = await memberBusinessId(db, req, req.query.business_id);
    const account = await oneAccount(db, businessId, platform, optionalAccountId(req));
    const result = await refusedAs409(() => disconnectAccountNow(deps.temporal, config.TEMPORAL_TASK_QUEUE, account));
    req.log.info({ event_type: 'account_disconnected', platform, account_id: account.id, revoked: result.revoked }, 'account disconnected');
    res.json({
      success: true,
      message: `${displayName(platform)} account disconnected.`,
      platform,
      business_id: businessId,
      account_id: account.id,
      revoked_at_provider: result.revoked,
      revoke_error: result.revokeError,
    });
  });

  return router;
}

/** A workflow that refuses an action (validator) answers 409 with its reason. */
async function refusedAs409<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AccountActionRefused) throw new HttpError(409, 'action_refused', error.message);
    throw error;
  }
}

function optionalAccountId(req: Request): number | undefined {
  return req.query.account_id === undefined ? undefined : parse(idSchema, req.query.account_id);
}

/** The one connected account an action applies to: the named one, or the only one there is. */
async function oneAccount(db: DataSource, businessId: number, platform: Platform, accountId: number | undefined): Promise<AccountRow> {
  const accounts = (await accountsFor(db, businessId, platform, accountId)).filter((a) => a.status !== 'disconnected');
  if (accounts.length === 0) throw notFound(`Connected ${displayName(platform)} account`);
  if (accounts.length > 1) throw badRequest(`This business has several ${displayName(platform)} accounts: say which with account_id.`);
  return accounts[0]!;
}

/** A token that is dead, or will die within a week with no way to refresh it, needs the user. */
export function requiresAttention(account: AccountRow, now = Date.now()): boolean {
  if (account.status === 'reconnect_required') return true;
  if (!account.tokenExpiresAt || account.status === 'disconnected') return false;
  const left = account.tokenExpiresAt.getTime() - now;
  return left <= 0 || (!account.hasRefreshToken && left < 7 * 86_400_000);
}

function accountJson(account: AccountRow) {
  return {
    id: account.id,
    platform: account.platform,
    username: account.username,
    display_name: account.displayName,
    avatar_url: account.avatarUrl,
    status: account.status,
    status_message: account.statusMessage,
    expires_at: account.tokenExpiresAt?.toISOString() ?? null,
    requires_refresh: requiresAttention(account),
    // The worker's rule: the platform refreshes and this account has a refresh token.
    can_refresh: (platformMetadata(account.platform)?.capabilities.refresh ?? 'none') !== 'none' && account.hasRefreshToken,
    connected_at: account.connectedAt.toISOString(),
    last_sync_at: account.lastSyncAt?.toISOString() ?? null,
    parent_account_id: account.parentAccountId,
  };
}

function connectResponse(outcome: ConnectOutcome) {
  return {
    success: true,
    platform: outcome.platform,
    business_id: outcome.businessId,
    message: outcome.pending
      ? 'Meta connected: choose the Pages and Instagram accounts to sync.'
      : `Connected ${outcome.accounts.map((a) => a.username ?? a.id).join(', ')}.`,
    accounts: outcome.accounts.map((a) => ({ id: a.id, platform: a.platform, username: a.username, reconnected: a.reconnected })),
    pending_selection: outcome.pending ? { id: outcome.pending.id, pages: outcome.pending.choices } : null,
  };
}

/** Starts the connect workflow; one already running for the same callback or selection answers 409. */
async function startConnect(deps: OAuthDeps, input: ConnectInput) {
  try {
    return await deps.temporal.workflow.start('connectWorkflow', {
      workflowId: connectWorkflowId(input),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [input],
      workflowExecutionTimeout: '5 minutes',
      staticSummary:
        input.kind === 'oauth_callback' ? `OAuth code exchange (state ${input.oauthStateId})` : `Meta page selection ${input.pendingId}`,
      memo: { request_id: currentContext()?.request_id ?? null },
    });
  } catch (error) {
    // Two submissions of one Meta Page pick race here: the second is told so. An OAuth callback cannot
    // (its state is consumed once, atomically), so a clash there is a fault and stays a 500.
    if (error instanceof WorkflowExecutionAlreadyStartedError && input.kind === 'meta_selection') {
      throw new HttpError(409, 'connect_in_progress', 'This connection is already being completed. Check its status in a moment.');
    }
    throw error;
  }
}

/** Runs the connect workflow and waits for it; failures become clear JSON errors. */
async function runConnect(deps: OAuthDeps, input: ConnectInput): Promise<ConnectOutcome> {
  const handle = await startConnect(deps, input);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HttpError(504, 'connect_pending', 'The connection is still being completed. Check its status in a moment.')),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([handle.result() as Promise<ConnectOutcome>, timeout]);
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause?.cause ?? error.cause;
    const type = cause instanceof ApplicationFailure ? cause.type : undefined;
    const message = cause instanceof Error ? cause.message : 'The provider refused the connection.';
    deps.logger?.warn({ event_type: 'oauth_connect_failed', failure_type: type ?? null, failure: message }, 'connect workflow failed');
    oauthBreadcrumb('token exchange failed', { failure_type: type ?? null }, 'warning');
    if (type === 'PendingGone') throw new HttpError(404, 'selection_expired', message);
    if (type === 'AppCredentialsRejected') {
      throw new HttpError(
        502,
        'app_credentials_rejected',
        `The provider rejected this server's app credentials; an operator must fix them. (${message})`,
      );
    }
    if (type === 'ProviderRejected' || type === 'GrantRevoked' || type === 'NotConfigured') {
      throw new HttpError(400, 'token_exchange_failed', `The provider did not accept the authorization: ${message}`);
    }
    throw new HttpError(502, 'provider_unavailable', 'The provider could not be reached. Try connecting again.');
  } finally {
    clearTimeout(timer);
  }
}
