// The API endpoints the dashboard uses, each with the shape of its answer checked at the boundary.
// Shapes follow DESIGN.md (the seed's Task 4 and Task 6 responses); fields the dashboard does not use are
// dropped, and fields the API may add later are optional.
import { z } from 'zod';
import { apiFetch } from './api.server.js';

const id = z.number().int().positive();

const user = z.object({ id, email: z.string(), name: z.string() });
const business = z.object({
  id,
  name: z.string(),
  role: z.string(),
  /** The IANA zone posts are scheduled and shown in (issue 11); UTC where the API does not say. */
  time_zone: z.string().nullish(),
});

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

const platformSyncStatus = z.object({
  account_id: z.union([z.number(), z.string()]).nullish(),
  platform: z.string().nullish(),
  status: z.string(),
  /** The account workflow's own status (active, syncing, reconnect_required, ...). */
  account_status: z.string().nullish(),
  message: z.string().nullish(),
  status_message: z.string().nullish(),
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
  /** false: an incremental run (new and recent posts only); its numbers are for those posts. */
  full_rescan: z.boolean().nullish(),
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
export type SyncStatus = z.infer<typeof syncStatus>;
export type PlatformSyncStatus = z.infer<typeof platformSyncStatus>;

/** One account as a platform card shows it (the Connections page builds it from sync-status). */
export interface ConnectedAccount {
  id: number | string;
  platform?: string | null;
  username?: string | null;
  display_name?: string | null;
  avatar_url?: string | null;
  status?: string | null;
  status_message?: string | null;
  expires_at?: string | null;
  requires_refresh?: boolean | null;
  /** The platform refreshes and a refresh token is stored: the rule the worker follows. */
  can_refresh?: boolean | null;
  last_sync_at?: string | null;
}

/** A platform card's connection: its connected accounts. */
export interface ConnectionStatus {
  is_connected: boolean;
  accounts: ConnectedAccount[];
}
export type SyncHistory = z.infer<typeof syncHistory>;
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
/** One open Meta Page selection of the signed-in user; without an id, the newest. */
export function getMetaPages(request: Request, businessId: number, pendingId?: number): Promise<MetaPages> {
  return apiFetch(request, '/api/v1/oauth/meta/pages', {
    query: pendingId === undefined ? { business_id: businessId } : { business_id: businessId, pending_id: pendingId },
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

// --- Publishing (issue 11) ------------------------------------------------------------------------------

const idLike = z.union([z.number(), z.string()]).transform(String);

const postTarget = z.object({
  account_id: idLike,
  platform: z.string(),
  username: z.string().nullish(),
  display_name: z.string().nullish(),
  status: z.string(),
  /** The account's own text, when the user wrote one for it. */
  text: z.string().nullish(),
  /** X: the tweets after the first, as replies. */
  thread: z.array(z.string()).nullish(),
  provider_post_id: z.string().nullish(),
  permalink: z.string().nullish(),
  error: z.string().nullish(),
  published_at: z.string().nullish(),
});

const mediaInfo = z.object({
  id: idLike,
  url: z.string(),
  width: z.number().nullish(),
  height: z.number().nullish(),
  bytes: z.number().nullish(),
  mime_type: z.string().nullish(),
});

const post = z.object({
  id: idLike,
  status: z.string(),
  text: z
    .string()
    .nullish()
    .transform((t) => t ?? ''),
  scheduled_at: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  media_ids: z.array(idLike).nullish(),
  media: z.array(mediaInfo).nullish(),
  targets: z.array(postTarget).default([]),
});

/** A list of posts: a bare array, or `{ posts: [...] }`. */
const postList = z.union([z.array(post), z.object({ posts: z.array(post) }).transform((body) => body.posts)]);

const createdPost = z.object({
  id: idLike,
  status: z.string(),
  scheduled_at: z.string().nullish(),
  targets: z.array(z.object({ account_id: idLike, platform: z.string(), status: z.string() })).default([]),
});

const businessResponse = z.object({ id, time_zone: z.string().nullish() }).passthrough();

export type Post = z.infer<typeof post>;
export type PostTarget = z.infer<typeof postTarget>;
export type Media = z.infer<typeof mediaInfo>;

/** What the composer sends: one text, the accounts (each with its own text if overridden), when. */
export interface PostInput {
  text: string;
  targets: { account_id: number; text?: string; thread?: string[] }[];
  /** ISO 8601; absent means now. */
  scheduled_at?: string;
  media_ids: number[];
  draft: boolean;
}

export function listPosts(
  request: Request,
  businessId: number,
  filter: { status?: string; from?: string; to?: string } = {},
): Promise<Post[]> {
  return apiFetch(request, '/api/v1/posts', { query: { business_id: businessId, ...filter }, schema: postList });
}

export function getPost(request: Request, postId: string): Promise<Post> {
  return apiFetch(request, `/api/v1/posts/${encodeURIComponent(postId)}`, { schema: post });
}

export function createPost(request: Request, businessId: number, input: PostInput) {
  return apiFetch(request, '/api/v1/posts', { method: 'POST', json: { business_id: businessId, ...input }, schema: createdPost });
}

export async function updatePost(request: Request, postId: string, input: PostInput): Promise<void> {
  await apiFetch(request, `/api/v1/posts/${encodeURIComponent(postId)}`, { method: 'PATCH', json: input });
}

export async function cancelPost(request: Request, postId: string): Promise<void> {
  await apiFetch(request, `/api/v1/posts/${encodeURIComponent(postId)}`, { method: 'DELETE' });
}

export async function retryTarget(request: Request, postId: string, accountId: string): Promise<void> {
  await apiFetch(request, `/api/v1/posts/${encodeURIComponent(postId)}/targets/${encodeURIComponent(accountId)}/retry`, { method: 'POST' });
}

/** Uploads one image (its bytes as the body) for the business; the answer names it for `media_ids`. */
export function uploadMedia(request: Request, businessId: number, file: Blob): Promise<Media> {
  return apiFetch(request, '/api/v1/media', { method: 'POST', query: { business_id: businessId }, upload: file, schema: mediaInfo });
}

export function setBusinessTimeZone(request: Request, businessId: number, timeZone: string) {
  return apiFetch(request, `/api/v1/businesses/${businessId}`, {
    method: 'PATCH',
    json: { time_zone: timeZone },
    schema: businessResponse,
  });
}
