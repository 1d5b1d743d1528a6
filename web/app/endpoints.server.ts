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
  platforms: z.array(z.object({ name: z.string(), display_name: z.string().optional() })),
});

const connectedAccount = z.object({
  id: z.union([z.number(), z.string()]),
  username: z.string().nullish(),
  status: z.string().nullish(),
  expires_at: z.string().nullish(),
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
  status: z.string(),
  message: z.string().nullish(),
  last_sync: z.string().nullish(),
  token_expires_at: z.string().nullish(),
  username: z.string().nullish(),
});

const syncStatus = z.object({
  overall_status: z.string(),
  last_sync: z.string().nullish(),
  connected_platforms: z.number().int().nonnegative(),
  platforms: z.record(z.string(), platformSyncStatus),
  timestamp: z.string().nullish(),
});

const syncRun = z.object({
  id: z.union([z.number(), z.string()]),
  timestamp: z.string(),
  status: z.string(),
  platform: z.string(),
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

export type User = z.infer<typeof user>;
export type Business = z.infer<typeof business>;
export type Me = z.infer<typeof meResponse>;
export type PlatformInfo = z.infer<typeof platformsResponse>['platforms'][number];
export type ConnectionStatus = z.infer<typeof connectionStatus>;
export type SyncStatus = z.infer<typeof syncStatus>;
export type PlatformSyncStatus = z.infer<typeof platformSyncStatus>;
export type SyncRun = z.infer<typeof syncRun>;
export type SyncHistory = z.infer<typeof syncHistory>;

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

/** Asks for a sync of every connected account now; resolves to the API's message when it gives one. */
export async function triggerSync(request: Request, businessId: number): Promise<string | undefined> {
  const body = await apiFetch(request, `/api/v1/scheduler/trigger/${businessId}`, { method: 'POST' });
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}
