// What every provider client offers. Tokens appear here only inside activities and the API's
// authorization-URL building (which needs no token); they never leave for a workflow.
import type { Platform } from '../../lib/domain.js';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** Stands for the provider's web host (consent pages). */
  authUrl: string;
  /** Stands for the provider's API host (tokens, profiles, content). */
  apiUrl: string;
  scopes: string;
  /** True when the URLs point at our sandbox rather than the provider. */
  sandbox: boolean;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** null: the token does not expire (Meta Page tokens). */
  expiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  scopes: string | null;
}

export interface Profile {
  externalId: string;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  /** Non-secret provider specifics worth keeping (LinkedIn organization, Instagram's Page). */
  metadata?: Record<string, string>;
}

export interface AuthorizationRequest {
  state: string;
  redirectUri: string;
  /** S256 challenge; only for providers that take PKCE. */
  codeChallenge?: string;
}

/**
 * Why a provider call failed, in the terms the workflow acts on:
 * - grant_revoked: the user's grant is gone (401, invalid_grant, Meta 190): reconnect required, no retry;
 * - rate_limited: wait until retryAfterMs, then retry;
 * - unavailable: 5xx, timeout or network: retry with backoff;
 * - rejected: any other 4xx: retrying will not help.
 */
export type ProviderFailureKind = 'grant_revoked' | 'rate_limited' | 'unavailable' | 'rejected';

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly platform: Platform,
    readonly kind: ProviderFailureKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** One post and its current metrics, as every provider's sync reports it. */
export interface SyncedPost {
  externalId: string;
  postedAt: Date | null;
  text: string | null;
  impressions: number;
  likes: number;
  comments: number;
  shares: number;
  clicks: number;
  engagements: number;
}

/** One page of an account's posts; `nextCursor` null on the last page. */
export interface PostPage {
  posts: SyncedPost[];
  nextCursor: string | null;
  /** Posts in all, when the provider says (LinkedIn); otherwise progress counts up without a total. */
  total: number | null;
}

/** The non-secret facts about an account a sync needs besides its token. */
export interface SyncTarget {
  externalId: string;
  metadata: Record<string, string>;
}
