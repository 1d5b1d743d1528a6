// The sandbox's whole state, in memory: configured apps, identities, grants, codes, tokens, the log of
// every secret it issued or received (for leak scans), injected faults and rate-limit windows.
// `resetState` puts everything back to the seeded state. persistence.ts keeps it across restarts when
// the sandbox is given a data directory.
import { seedIdentities, type Identities } from './identities.js';
import { emptyPublishing, type ContentKind, type PublishingState } from './published.js';
import { secret } from './random.js';

export type Platform = 'linkedin' | 'twitter' | 'meta';
const PLATFORMS: readonly Platform[] = ['linkedin', 'twitter', 'meta'];

/** Accepts the platform names the rest of the project uses (x, facebook, instagram are aliases). */
export function parsePlatform(value: unknown): Platform | undefined {
  switch (value) {
    case 'linkedin':
      return 'linkedin';
    case 'twitter':
    case 'x':
      return 'twitter';
    case 'meta':
    case 'facebook':
    case 'instagram':
      return 'meta';
    default:
      return undefined;
  }
}

export interface ClientApp {
  clientId: string;
  clientSecret: string;
  /**
   * Registered redirect URIs, compared exactly. When unset, any http(s) URL on a loopback host
   * (localhost, 127.0.0.1, [::1]) is accepted, like a development app that registered its local
   * callbacks; an exact list makes the sandbox as strict as the provider's app settings.
   */
  redirectUris?: string[];
}

export type Clients = Record<Platform, ClientApp>;

const defaultClients: Clients = {
  linkedin: { clientId: 'sandbox-linkedin-client', clientSecret: 'sandbox-linkedin-secret' },
  twitter: { clientId: 'sandbox-twitter-client', clientSecret: 'sandbox-twitter-secret' },
  meta: { clientId: 'sandbox-meta-client', clientSecret: 'sandbox-meta-secret' },
};

export interface SandboxConfig {
  linkedin: {
    accessTokenSeconds: number;
    /** Fixed from first consent, not reset by use (documented). */
    refreshTokenSeconds: number;
    codeSeconds: number;
    /** Programmatic refresh is for approved partners only; off like most real apps. */
    refreshEnabled: boolean;
    /**
     * LinkedIn's documented token response has no `token_type` (RFC 6749 requires it); an
     * openid-client issue from 2025 observed it missing even with OpenID Connect, others saw it
     * present. Off by default: clients must cope with its absence, as with the real LinkedIn.
     */
    tokenTypeInResponse: boolean;
    /** How old a LinkedIn-Version (YYYYMM) may be before /rest answers 426; LinkedIn keeps about a year. */
    versionMaxAgeMonths: number;
  };
  twitter: {
    accessTokenSeconds: number;
    /** 0 = no expiry. X documents none for refresh tokens (unconfirmed). */
    refreshTokenSeconds: number;
    codeSeconds: number;
    rateLimitWindowSeconds: number;
    /** Requests per window per user, keyed by route (X's documented per-user limits). */
    rateLimits: Record<string, number>;
    enforceRateLimits: boolean;
    /** Seconds a finalized video or GIF upload stays in_progress before succeeded. */
    mediaProcessingSeconds: number;
  };
  meta: {
    /** Short-lived user token from the code exchange. */
    accessTokenSeconds: number;
    longLivedSeconds: number;
    codeSeconds: number;
    /** Data access expires 90 days after the user was last active. */
    dataAccessSeconds: number;
    /** Instagram media younger than this answers insights with an empty data set (documented delay). */
    igInsightsDelayHours: number;
    /** Seconds an Instagram container stays IN_PROGRESS before FINISHED (Meta's processing time). */
    igContainerSeconds: number;
    /**
     * Instagram posts per moving 24 h through the API. The media_publish reference says 50; older pages
     * say 25 and others 100 (PUBLISHING.md section 4), so it is a setting.
     */
    igDailyQuota: number;
  };
  content: {
    /** Seeded posts per content account (fewer keep thousands of first syncs affordable in a benchmark). */
    seededPosts: Record<ContentKind, number>;
  };
}

export function defaultConfig(): SandboxConfig {
  return {
    linkedin: {
      accessTokenSeconds: 60 * 24 * 3600,
      refreshTokenSeconds: 365 * 24 * 3600,
      codeSeconds: 30 * 60,
      refreshEnabled: false,
      tokenTypeInResponse: false,
      versionMaxAgeMonths: 12,
    },
    twitter: {
      accessTokenSeconds: 7200,
      refreshTokenSeconds: 0,
      codeSeconds: 30,
      rateLimitWindowSeconds: 900,
      // POST /2/tweets: 100 per 15 min per user in the current table (older pages say 200; PUBLISHING.md 4).
      rateLimits: { '/2/users/me': 75, '/2/users/:id/tweets': 900, '/2/tweets': 100 },
      enforceRateLimits: true,
      mediaProcessingSeconds: 5,
    },
    meta: {
      accessTokenSeconds: 3600,
      longLivedSeconds: 60 * 24 * 3600,
      codeSeconds: 600,
      dataAccessSeconds: 90 * 24 * 3600,
      igInsightsDelayHours: 24,
      igContainerSeconds: 3,
      igDailyQuota: 50,
    },
    content: { seededPosts: { x: 250, linkedin: 230, facebook: 240, instagram: 210 } },
  };
}

/** Why a grant ended; Meta reports them with different 190 subcodes. */
export type RevokeReason = 'user_revoked' | 'app_removed' | 'password_changed';

export interface Grant {
  id: string;
  platform: Platform;
  clientId: string;
  identityId: string;
  scopes: string[];
  createdAt: number;
  revokedAt?: number;
  revokeReason?: RevokeReason;
  /** LinkedIn: the refresh token's fixed end, set at first consent. */
  refreshExpiresAt?: number;
  /** Meta: when data access lapses unless the user comes back. */
  dataAccessExpiresAt?: number;
}

export interface CodeRecord {
  value: string;
  platform: Platform;
  clientId: string;
  redirectUri: string;
  grantId: string;
  identityId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  usedAt?: number;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  /** Minted by the admin API for seeding: the first access token's lifetime, instead of the configured one. */
  accessTokenSeconds?: number;
}

export interface TokenRecord {
  value: string;
  platform: Platform;
  kind: 'access' | 'refresh';
  grantId: string;
  identityId: string;
  clientId: string;
  scopes: string[];
  issuedAt: number;
  /** null: does not expire (Meta Page tokens from a long-lived user token). */
  expiresAt: number | null;
  revokedAt?: number;
  /** X: a rotated refresh token, dead once used. */
  usedAt?: number;
  meta?: { type: 'USER' | 'PAGE'; longLived: boolean; pageId?: string };
}

export type IssuedKind = 'access_token' | 'refresh_token' | 'id_token' | 'code' | 'code_verifier' | 'code_challenge' | 'client_secret';

export interface IssuedEntry {
  platform: Platform;
  kind: IssuedKind;
  value: string;
  at: string;
  /** Whether the sandbox made it (issued) or was sent it (received, e.g. a PKCE verifier). */
  direction: 'issued' | 'received';
}

export type FaultKind = 'rate_limit' | 'server_error' | 'latency' | 'commit_then_error' | 'commit_then_hang' | 'invalid_client';

export interface Fault {
  id: string;
  platform: Platform;
  kind: FaultKind;
  pathPrefix?: string;
  /** Calls still to be hit. */
  remaining: number;
  /** rate_limit: seconds until the provider says the limit resets. */
  resetSeconds: number;
  /** latency: added delay. */
  delayMs: number;
  /** Overrides the HTTP status (rate_limit and server_error). */
  status?: number;
  /** Meta: the throttling error code (4 app, 17 user, 32 Page, 613 endpoint). */
  code?: number;
}

export interface SandboxState {
  now: () => number;
  publicUrl: string;
  seed: string;
  /** Newest seeded content is published just before this instant (UTC midnight of creation day). */
  contentAnchor: number;
  clients: Clients;
  identities: Identities;
  config: SandboxConfig;
  grants: Map<string, Grant>;
  codes: Map<string, CodeRecord>;
  tokens: Map<string, TokenRecord>;
  issued: IssuedEntry[];
  faults: Fault[];
  rateWindows: Map<string, { start: number; count: number }>;
  /** Per content account: how many syncs (first-page reads) have happened; metrics grow with it. */
  contentEpochs: Map<string, number>;
  /** Per content account: publish times of posts added after the seed (admin API). */
  extraPosts: Map<string, number[]>;
  /** Meta: the Page token handed out for (user token, page), so /me/accounts is stable. */
  pageTokens: Map<string, string>;
  /** Posts, media and Instagram containers made through the publishing endpoints. */
  publishing: PublishingState;
  /**
   * Calls to the providers' endpoints by `METHOD /platform/path` (no query: queries carry codes and
   * tokens), so tests and the benchmark can count what a sync costs (admin `/requests`). Not persisted.
   */
  requests: Map<string, number>;
}

export interface StateOptions {
  publicUrl: string;
  clients?: Partial<Clients>;
  now?: () => number;
  seed?: string;
}

export function createState(options: StateOptions): SandboxState {
  const now = options.now ?? Date.now;
  const state: SandboxState = {
    now,
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    seed: options.seed ?? 'social-sync-sandbox',
    contentAnchor: Math.floor(now() / 86_400_000) * 86_400_000,
    clients: { ...defaultClients, ...options.clients },
    identities: seedIdentities(),
    config: defaultConfig(),
    grants: new Map(),
    codes: new Map(),
    tokens: new Map(),
    issued: [],
    faults: [],
    rateWindows: new Map(),
    contentEpochs: new Map(),
    extraPosts: new Map(),
    pageTokens: new Map(),
    publishing: emptyPublishing(),
    requests: new Map(),
  };
  recordClientSecrets(state);
  return state;
}

/**
 * Back to the seeded state. The issued log survives (it is an audit of every secret this process
 * handed out, for leak scans that run after tests reset the sandbox); `clearIssued` empties it.
 */
export function resetState(state: SandboxState): void {
  state.identities = seedIdentities();
  state.config = defaultConfig();
  for (const map of [
    state.grants,
    state.codes,
    state.tokens,
    state.rateWindows,
    state.contentEpochs,
    state.extraPosts,
    state.pageTokens,
    state.requests,
  ]) {
    map.clear();
  }
  state.faults.length = 0;
  state.publishing = emptyPublishing();
}

export function clearIssued(state: SandboxState): void {
  state.issued.length = 0;
  recordClientSecrets(state);
}

function recordClientSecrets(state: SandboxState): void {
  for (const platform of PLATFORMS) record(state, platform, 'client_secret', state.clients[platform].clientSecret, 'received');
}

export function record(
  state: SandboxState,
  platform: Platform,
  kind: IssuedKind,
  value: string,
  direction: IssuedEntry['direction'] = 'issued',
): void {
  if (!value) return;
  state.issued.push({ platform, kind, value, direction, at: new Date(state.now()).toISOString() });
}

// ---- grants ---------------------------------------------------------------------------------------

/** The live grant of this identity to this app, made on first consent and extended by later ones. */
export function consentGrant(state: SandboxState, platform: Platform, identityId: string, scopes: string[]): Grant {
  const clientId = state.clients[platform].clientId;
  const now = state.now();
  const existing = [...state.grants.values()].find(
    (g) => g.platform === platform && g.clientId === clientId && g.identityId === identityId && g.revokedAt === undefined,
  );
  if (existing) {
    existing.scopes = [...new Set([...existing.scopes, ...scopes])];
    if (platform === 'meta') existing.dataAccessExpiresAt = now + state.config.meta.dataAccessSeconds * 1000;
    return existing;
  }
  const grant: Grant = { id: secret('grant_', 9), platform, clientId, identityId, scopes: [...scopes], createdAt: now };
  if (platform === 'linkedin') grant.refreshExpiresAt = now + state.config.linkedin.refreshTokenSeconds * 1000;
  if (platform === 'meta') grant.dataAccessExpiresAt = now + state.config.meta.dataAccessSeconds * 1000;
  state.grants.set(grant.id, grant);
  return grant;
}

export function revokeGrant(state: SandboxState, grant: Grant, reason: RevokeReason): void {
  if (grant.revokedAt !== undefined) return;
  grant.revokedAt = state.now();
  grant.revokeReason = reason;
}

/** Revokes every live grant of a platform (optionally one identity's); returns how many. */
export function revokeGrants(state: SandboxState, platform: Platform, identityId: string | undefined, reason: RevokeReason): number {
  let count = 0;
  for (const grant of state.grants.values()) {
    if (grant.platform !== platform || grant.revokedAt !== undefined) continue;
    if (identityId !== undefined && grant.identityId !== identityId) continue;
    revokeGrant(state, grant, reason);
    count++;
  }
  return count;
}

// ---- codes ----------------------------------------------------------------------------------------

export function issueCode(
  state: SandboxState,
  input: Omit<CodeRecord, 'value' | 'issuedAt' | 'expiresAt' | 'platform' | 'clientId'> & { platform: Platform },
): CodeRecord {
  const now = state.now();
  const seconds = state.config[input.platform].codeSeconds;
  const prefix = input.platform === 'twitter' ? '' : 'AQ';
  const code: CodeRecord = {
    ...input,
    clientId: state.clients[input.platform].clientId,
    value: secret(prefix, 48),
    issuedAt: now,
    expiresAt: now + seconds * 1000,
  };
  state.codes.set(code.value, code);
  record(state, input.platform, 'code', code.value);
  if (code.codeChallenge) record(state, input.platform, 'code_challenge', code.codeChallenge, 'received');
  return code;
}

export type CodeProblem = 'unknown' | 'used' | 'expired';

/** Looks a code up for exchange; a code is single-use whether or not the exchange succeeds later. */
export function takeCode(
  state: SandboxState,
  platform: Platform,
  value: string,
): { code: CodeRecord; problem?: undefined } | { code?: CodeRecord; problem: CodeProblem } {
  const code = state.codes.get(value);
  if (!code || code.platform !== platform) return { problem: 'unknown' };
  if (code.usedAt !== undefined) return { code, problem: 'used' };
  code.usedAt = state.now();
  if (code.expiresAt <= state.now()) return { code, problem: 'expired' };
  return { code };
}

// ---- tokens ---------------------------------------------------------------------------------------

const tokenPrefix: Record<Platform, string> = { linkedin: 'AQV', twitter: '', meta: 'EAA' };

export function issueToken(
  state: SandboxState,
  input: Omit<TokenRecord, 'value' | 'issuedAt' | 'expiresAt' | 'clientId'> & { seconds: number | null },
): TokenRecord {
  const now = state.now();
  const { seconds, ...rest } = input;
  const token: TokenRecord = {
    ...rest,
    clientId: state.clients[input.platform].clientId,
    value: secret(input.kind === 'refresh' ? 'AQX' : tokenPrefix[input.platform], 48),
    issuedAt: now,
    expiresAt: seconds === null ? null : now + seconds * 1000,
  };
  state.tokens.set(token.value, token);
  record(state, input.platform, input.kind === 'refresh' ? 'refresh_token' : 'access_token', token.value);
  return token;
}

type TokenStatus = 'valid' | 'expired' | 'revoked' | 'unknown';

export interface TokenCheck {
  status: TokenStatus;
  token?: TokenRecord;
  grant?: Grant;
}

export function checkToken(
  state: SandboxState,
  platform: Platform,
  value: string | undefined,
  kind: TokenRecord['kind'] = 'access',
): TokenCheck {
  const token = value ? state.tokens.get(value) : undefined;
  if (!token || token.platform !== platform || token.kind !== kind) return { status: 'unknown' };
  const grant = state.grants.get(token.grantId);
  if (!grant) return { status: 'unknown' };
  if (token.revokedAt !== undefined || grant.revokedAt !== undefined) return { status: 'revoked', token, grant };
  if (token.usedAt !== undefined) return { status: 'revoked', token, grant };
  if (token.expiresAt !== null && token.expiresAt <= state.now()) return { status: 'expired', token, grant };
  return { status: 'valid', token, grant };
}

/** Makes matching live access tokens expire now (admin: drive "expired token" paths without waiting). */
export function expireTokens(state: SandboxState, platform: Platform, identityId?: string): number {
  let count = 0;
  const now = state.now();
  for (const token of state.tokens.values()) {
    if (token.platform !== platform || token.kind !== 'access') continue;
    if (identityId !== undefined && token.identityId !== identityId) continue;
    // Tokens that never expire (Meta Page tokens) stay as they are: revoke the grant to kill them.
    if (token.expiresAt === null || token.expiresAt <= now) continue;
    token.expiresAt = now;
    count++;
  }
  return count;
}
