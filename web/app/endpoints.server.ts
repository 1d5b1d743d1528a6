// The API endpoints the dashboard uses, each with the shape of its answer checked at the boundary.
// Shapes follow DESIGN.md (the seed's Task 4 and Task 6 responses); fields the dashboard does not use are
// dropped, and fields the API may add later are optional.
import { z } from 'zod';
import { apiFetch } from './api.server.js';

const id = z.number().int().positive();

const user = z.object({ id, email: z.string(), name: z.string() });
const business = z.object({ id, name: z.string(), role: z.string() });

const loginResponse = z.object({
  token: z.string().min(1),
  expires_at: z.string(),
  user,
  businesses: z.array(business),
});

const meResponse = z.object({ user, businesses: z.array(business) });

const platformsResponse = z.object({
  platforms: z.array(
    z.object({
      name: z.string(),
      display_name: z.string().optional(),
      /** Which OAuth app connects it (instagram connects through meta). */
      oauth_provider: z.string().optional(),
      /** False when this server has no credentials for the platform. */
      configured: z.boolean().optional(),
    }),
  ),
});

const connectedAccount = z.object({
  id: z.union([z.number(), z.string()]),
  platform: z.string().nullish(),
  username: z.string().nullish(),
  display_name: z.string().nullish(),
  avatar_url: z.string().nullish(),
  status: z.string().nullish(),
  status_message: z.string().nullish(),
  expires_at: z.string().nullish(),
  requires_refresh: z.boolean().nullish(),
  /** The platform refreshes and a refresh token is stored: the rule the worker follows. */
  can_refresh: z.boolean().nullish(),
  connected_at: z.string().nullish(),
  last_sync_at: z.string().nullish(),
});

const connectionStatus = z.object({
  is_connected: z.boolean(),
  username: z.string().nullish(),
  expires_at: z.string().nullish(),
  requires_refresh: z.boolean().nullish(),
  /** The account workflow's status (active, reconnect_required, ...), where the API reports it. */
  status: z.string().nullish(),
  accounts: z.array(connectedAccount).optional(),
});

const platformSyncStatus = z.object({
  account_id: z.union([z.number(), z.string()]).nullish(),
  platform: z.string().nullish(),
  status: z.string(),
  /** The account workflow's own status (active, syncing, reconnect_required, ...). */
  account_status: z.string().nullish(),
  message: z.string().nullish(),
  /** "Reconnect soon": set when the token will expire and cannot be refreshed. */
  warning: z.string().nullish(),
  reconnect_required: z.boolean().nullish(),
  requires_refresh: z.boolean().nullish(),
  last_sync: z.string().nullish(),
  token_expires_at: z.string().nullish(),
  username: z.string().nullish(),
  display_name: z.string().nullish(),
  avatar_url: z.string().nullish(),
  next_sync_at: z.string().nullish(),
  current_job_id: z.string().nullish(),
  /** The account's token can be refreshed now (a refresh token stored, the platform refreshes). */
  can_refresh: z.boolean().nullish(),
  last_sync_summary: z
    .object({
      posts_synced: z.number().nullish(),
      impressions: z.number().nullish(),
      engagements: z.number().nullish(),
      engagement_rate: z.number().nullish(),
    })
    .nullish(),
  /** True when no account workflow has reported this account's state yet, so this is the stored row. */
  stale: z.boolean().nullish(),
});

const syncStatus = z.object({
  overall_status: z.string(),
  last_sync: z.string().nullish(),
  connected_platforms: z.number().int().nonnegative(),
  connected_accounts: z.number().int().nonnegative().nullish(),
  platforms: z.record(z.string(), platformSyncStatus),
  accounts: z.array(platformSyncStatus).optional(),
  stale: z.boolean().nullish(),
  timestamp: z.string().nullish(),
});

const syncRun = z.object({
  id: z.union([z.number(), z.string()]),
  job_id: z.string().nullish(),
  timestamp: z.string(),
  finished_at: z.string().nullish(),
  status: z.string(),
  platform: z.string(),
  account_id: z.union([z.number(), z.string()]).nullish(),
  username: z.string().nullish(),
  trigger: z.string().nullish(),
  posts_synced: z.number().nullish(),
  metrics: z
    .object({
      impressions: z.number().nullish(),
      engagements: z.number().nullish(),
      engagement_rate: z.number().nullish(),
    })
    .nullish(),
  error_message: z.string().nullish(),
});

const syncHistory = z.object({ total_syncs: z.number().int().nonnegative(), history: z.array(syncRun) });

const authorizeResponse = z.object({ authorization_url: z.string().min(1), state: z.string().optional(), platform: z.string().optional() });

const refreshResponse = z.object({ success: z.boolean().optional(), expires_at: z.string().nullish() });

const disconnectResponse = z.object({
  success: z.boolean().optional(),
  message: z.string().nullish(),
  account_id: z.union([z.number(), z.string()]).nullish(),
  revoked_at_provider: z.boolean().nullish(),
  revoke_error: z.string().nullish(),
});

const metaChoice = z.object({
  pageId: z.string(),
  pageName: z.string(),
  category: z.string().nullish(),
  instagram: z.object({ id: z.string(), username: z.string().nullish() }).nullish(),
});

const metaPagesResponse = z.object({
  pending_id: z.number(),
  platform: z.string().nullish(),
  expires_at: z.string().nullish(),
  pages: z.array(metaChoice),
});

const connectResponse = z.object({
  success: z.boolean().optional(),
  message: z.string().nullish(),
  accounts: z.array(z.object({ id: z.union([z.number(), z.string()]), platform: z.string(), username: z.string().nullish() })).default([]),
});

const triggerResponse = z.object({
  message: z.string().nullish(),
  triggered: z.array(z.object({ account_id: z.union([z.number(), z.string()]), platform: z.string(), job_id: z.string() })).default([]),
  skipped: z.array(z.object({ account_id: z.union([z.number(), z.string()]), platform: z.string(), reason: z.string() })).default([]),
});

const syncProgress = z.object({
  job_id: z.string(),
  status: z.string(),
  progress: z.number(),
  current_step: z.string().nullish(),
  total_steps: z.number().nullish(),
  completed_steps: z.number().nullish(),
  posts_done: z.number().nullish(),
  posts_total: z.number().nullish(),
  estimated_time_remaining: z.number().nullish(),
  started_at: z.string().nullish(),
  finished_at: z.string().nullish(),
  next_run_time: z.string().nullish(),
  account_id: z.union([z.number(), z.string()]).nullish(),
  platform: z.string().nullish(),
  error_message: z.string().nullish(),
});

const timeseries = z.object({
  days: z.number().optional(),
  points: z.array(
    z.object({ platform: z.string(), date: z.string(), posts: z.number(), impressions: z.number(), engagements: z.number() }),
  ),
});

export type Me = z.infer<typeof meResponse>;
export type PlatformInfo = z.infer<typeof platformsResponse>['platforms'][number];
export type ConnectionStatus = z.infer<typeof connectionStatus>;
export type SyncStatus = z.infer<typeof syncStatus>;
export type PlatformSyncStatus = z.infer<typeof platformSyncStatus>;
export type SyncHistory = z.infer<typeof syncHistory>;
export type ConnectedAccount = z.infer<typeof connectedAccount>;
export type MetaPages = z.infer<typeof metaPagesResponse>;
export type TriggerResult = z.infer<typeof triggerResponse>;
export type SyncProgress = z.infer<typeof syncProgress>;
export type Timeseries = z.infer<typeof timeseries>;
export type DisconnectResult = z.infer<typeof disconnectResponse>;

export function logIn(request: Request, credentials: { email: string; password: string }) {
  return apiFetch(request, '/api/v1/auth/login', { method: 'POST', json: credentials, auth: false, schema: loginResponse });
}

export async function logOut(request: Request): Promise<void> {
  await apiFetch(request, '/api/v1/auth/logout', { method: 'POST' });
}

export function getMe(request: Request): Promise<Me> {
  return apiFetch(request, '/api/v1/auth/me', { schema: meResponse });
}

export async function listPlatforms(request: Request): Promise<PlatformInfo[]> {
  return (await apiFetch(request, '/api/v1/oauth/platforms', { schema: platformsResponse })).platforms;
}

export function getConnectionStatus(request: Request, platform: string, businessId: number): Promise<ConnectionStatus> {
  return apiFetch(request, `/api/v1/oauth/${encodeURIComponent(platform)}/status`, {
    query: { business_id: businessId },
    schema: connectionStatus,
  });
}

export function getSyncStatus(request: Request, businessId: number): Promise<SyncStatus> {
  return apiFetch(request, `/api/v1/analytics/sync-status/${businessId}`, { schema: syncStatus });
}

export function getSyncHistory(request: Request, businessId: number, limit = 10): Promise<SyncHistory> {
  return apiFetch(request, `/api/v1/analytics/sync-history/${businessId}`, { query: { limit }, schema: syncHistory });
}

/** Asks for a sync of every connected account now (202 with the jobs started; 409 when nothing can sync). */
export function triggerSync(request: Request, businessId: number): Promise<TriggerResult> {
  return apiFetch(request, `/api/v1/scheduler/trigger/${businessId}`, { method: 'POST', schema: triggerResponse });
}

export function getSyncProgress(request: Request, jobId: string): Promise<SyncProgress> {
  return apiFetch(request, `/api/v1/analytics/sync-progress/${encodeURIComponent(jobId)}`, { schema: syncProgress });
}

export function getTimeseries(request: Request, businessId: number, days = 30): Promise<Timeseries> {
  return apiFetch(request, `/api/v1/analytics/timeseries/${businessId}`, { query: { days }, schema: timeseries });
}

const platformPath = (platform: string, action: string) => `/api/v1/oauth/${encodeURIComponent(platform)}/${action}`;

/**
 * Where to send the browser to connect (or reconnect) a platform, and the Set-Cookie headers with which
 * the API binds the flow to the browser (the dashboard keeps them for it: decision 015).
 */
export async function authorizePlatform(request: Request, platform: string, businessId: number) {
  let setCookies: string[] = [];
  const body = await apiFetch(request, platformPath(platform, 'authorize'), {
    query: { business_id: businessId },
    schema: authorizeResponse,
    onSetCookie: (values) => (setCookies = values),
  });
  return { ...body, setCookies };
}

const callbackResponse = z.object({
  platform: z.string(),
  business_id: id,
  pending_selection: z.object({ id }).nullish(),
});

/**
 * Hands the provider's answer (sealed by the API) back to the API's callback with the cookies the dashboard
 * kept for this browser, as the browser itself would have. No session needed: the state names the user.
 */
export function finishOAuthCallback(
  request: Request,
  oauthApp: string,
  relay: string,
  cookie: string,
  onSetCookie: (setCookies: string[]) => void,
) {
  return apiFetch(request, platformPath(oauthApp, 'callback'), {
    query: { relay },
    auth: false,
    cookie,
    onSetCookie,
    timeoutMs: 45_000, // the API waits up to 30 s for the code exchange
    schema: callbackResponse,
  });
}

export function refreshPlatformToken(request: Request, platform: string, businessId: number, accountId: string | number) {
  return apiFetch(request, platformPath(platform, 'refresh'), {
    method: 'POST',
    query: { business_id: businessId, account_id: accountId },
    schema: refreshResponse,
  });
}

export function disconnectPlatform(
  request: Request,
  platform: string,
  businessId: number,
  accountId: string | number,
): Promise<DisconnectResult> {
  return apiFetch(request, platformPath(platform, 'disconnect'), {
    method: 'DELETE',
    query: { business_id: businessId, account_id: accountId },
    schema: disconnectResponse,
  });
}

/** The Pages (and linked Instagram accounts) offered after Meta consent. */
export function getMetaPages(request: Request, businessId: number, pendingId: number): Promise<MetaPages> {
  return apiFetch(request, '/api/v1/oauth/meta/pages', {
    query: { business_id: businessId, pending_id: pendingId },
    schema: metaPagesResponse,
  });
}

export function selectMetaPages(
  request: Request,
  businessId: number,
  selection: { pending_id: number; page_ids: string[]; instagram_ids: string[] },
) {
  return apiFetch(request, '/api/v1/oauth/meta/pages', {
    method: 'POST',
    query: { business_id: businessId },
    json: selection,
    schema: connectResponse,
  });
}
