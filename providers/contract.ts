// The provider contract: what every platform implements in its own folder (providers/<platform>/),
// behind the registry (providers/registry.ts). Activities use all of it; the API only builds
// authorization URLs. Tokens appear here only inside activities and never leave for a workflow.
import type { Platform, PostCounts } from '../lib/domain.js';
import type { PlatformMetadata } from './metadata.js';

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
  /**
   * Non-secret provider specifics worth keeping (LinkedIn organization, Instagram's Page). `grantUserId`
   * names the provider user whose grant several accounts share (Meta): a disconnect keeps that grant
   * while another account, of any business, still has the same one.
   */
  metadata?: Record<string, string>;
}

export interface AuthorizationRequest {
  state: string;
  redirectUri: string;
  /** S256 challenge; only for providers whose capabilities say PKCE. */
  codeChallenge?: string;
}

/** An account a grant gives access to, ready to store. */
export interface DiscoveredAccount {
  platform: Platform;
  profile: Profile;
  tokens: TokenSet;
  /** The account this one acts through (an Instagram account's Facebook Page), by external id. */
  parentExternalId?: string;
}

/**
 * An account a grant covers, offered for the user to pick. Only Meta asks today (a Page and its linked
 * Instagram Business account); the shape is the page picker's in the API and the dashboard.
 */
export interface AccountChoice {
  pageId: string;
  pageName: string;
  category: string | null;
  instagram: { id: string; username: string | null } | null;
}

interface AccountPick {
  pageIds: string[];
  instagramIds: string[];
}

/** What a fresh grant gives: the account(s) to store now, or choices for the user with the grant's token. */
type Discovery = { kind: 'accounts'; accounts: DiscoveredAccount[] } | { kind: 'choose'; userToken: TokenSet; choices: AccountChoice[] };

/** The tokens stored for an account, for revocation. */
interface StoredGrant {
  accessToken: string | null;
  refreshToken: string | null;
  /** The user token a Meta Page token came from: revoking it ends the whole grant. */
  userToken: string | null;
}

/** One post and its current metrics, as every provider's sync reports it. */
export interface SyncedPost extends PostCounts {
  externalId: string;
  postedAt: Date | null;
  text: string | null;
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

/**
 * Why a provider call failed, in the terms the account workflow acts on (mapped to Temporal failure
 * types in one place, activities/failures.ts):
 * - grant_dead: the user's grant is gone (X invalid_grant, or X's "Value passed for the token was
 *   invalid." on refresh; LinkedIn's revoked or expired refresh token; Meta code 190), or an API refused
 *   the access token (the workflow then refreshes once where it can, and the refresh's answer decides):
 *   reconnect required, no retry;
 * - app_misconfigured: our app's credentials were refused (invalid_client, unauthorized_client, a bad Meta
 *   app secret): retried, and never a reason to ask the user to reconnect;
 * - rate_limited: wait until `retryAfterMs`, then retry;
 * - transient: 5xx, timeout or network: retry with backoff;
 * - rejected: any other 4xx, or an answer whose shape we do not recognise: retrying will not help.
 */
export type ProviderFailureKind = 'grant_dead' | 'app_misconfigured' | 'rate_limited' | 'transient' | 'rejected';

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

/**
 * The provider refused a post because an identical one exists (X's duplicate-content 403, Meta #368/#506).
 * Kind `rejected`: never send it again blindly. It may be our own earlier attempt, so the caller
 * reconciles; when that finds nothing of ours, the identical post is the user's and the target fails
 * with this message. (LinkedIn's 422 DUPLICATE_POST names the post: its publisher answers it as published.)
 */
export class DuplicatePostError extends ProviderError {
  override name = 'DuplicatePostError';
  constructor(
    platform: Platform,
    message: string,
    status?: number,
    /** The existing post, when the provider names it (LinkedIn). */
    readonly existingPostId?: string,
  ) {
    super(platform, 'rejected', message, status);
  }
}

/** Which call failed: the same answer can mean different things at the token endpoint and the API. */
export type ProviderStep = 'exchange' | 'refresh' | 'revoke' | 'api' | 'app_token';

/** A provider's failed answer, before classification. `body` is parsed JSON (or text) and untrusted. */
export interface ProviderFailure {
  step: ProviderStep;
  status: number;
  headers: Headers;
  body: unknown;
}

export interface Provider {
  readonly platform: Platform;
  readonly metadata: PlatformMetadata;

  // OAuth: the authorization URL (built in the API), then code exchange, refresh and revoke (activities).
  authorizationUrl(request: AuthorizationRequest): URL;
  exchangeCode(code: string, codeVerifier: string | null, redirectUri: string): Promise<TokenSet>;
  /** Present exactly when `metadata.capabilities.refresh` is not 'none'. Stores nothing: the caller must persist a rotated pair. */
  refresh?(refreshToken: string): Promise<TokenSet>;
  /** Ends the grant at the provider as far as these tokens allow. */
  revoke(grant: StoredGrant): Promise<void>;

  // Discovery: who granted access and which accounts that covers.
  discover(tokens: TokenSet): Promise<Discovery>;
  /** For `accountSelection` platforms: the accounts the user picked, read again with the grant's token. */
  selectAccounts?(userToken: string, pick: AccountPick): Promise<DiscoveredAccount[]>;

  /**
   * Sync: one page of the account's posts with their metrics, newest first. With `since` (an incremental
   * sync, decision 018) only posts published at or after it: the provider asks the API to filter where
   * it can (X `start_time`), drops older ones before reading their metrics, and ends the listing
   * (`nextCursor` null) at the first older post.
   */
  postsPage(accessToken: string, target: SyncTarget, cursor: string | null, since?: Date | null): Promise<PostPage>;

  /** Reads a failed answer of this provider into a classified error. */
  classify(failure: ProviderFailure): ProviderError;

  /** Present exactly when `metadata.capabilities.publishing` is true. */
  readonly publisher?: Publisher;
}

// --- Publishing -------------------------------------------------------------------------------------
// No provider offers an idempotency key for creating a post, so the one mutating call that creates it
// is never retried blindly: the caller journals around it (PublishJournal) and, when the outcome is
// unknown (a crash, a timeout, a 5xx after the call), asks `reconcile` to read back what happened.

/** An image of a post, as a provider needs it. */
export interface PublishMedia {
  /** Our media id: the key under which a provider's upload id is journaled. */
  mediaId: number;
  mimeType: string;
  bytes: number;
  width: number;
  height: number;
  /** The file's bytes, for providers that take an upload (X, LinkedIn). */
  read(): Promise<Uint8Array>;
  /** A signed, expiring public URL, for providers that fetch the file themselves (Instagram, Facebook). */
  publicUrl: string;
}

export interface PublishRequest {
  text: string;
  media: PublishMedia[];
  /** X only: more tweets after the first (`text`), each published as a reply to the one before. */
  thread?: readonly string[];
}

/**
 * Provider ids created on the way to a post (uploaded media, an Instagram container), journaled the
 * moment they exist so that a later attempt reuses them instead of creating more. Provider-defined keys.
 */
export type PublishState = Record<string, string | string[]>;

/** The exactly-once journal one target's publish writes through (a post_targets row, in practice). */
export interface PublishJournal {
  /** What earlier attempts journaled; empty on the first. */
  readonly state: PublishState;
  /** Stores provider ids durably; resolves once stored. Call right after each id is created. */
  save(update: PublishState): Promise<void>;
  /** Stores "attempt began"; call immediately before the call that creates the post, and only then make it. */
  beginMutation(): Promise<void>;
}

export interface PublishedPost {
  providerPostId: string;
  permalink: string | null;
  publishedAt: Date;
}

/** `pending`: the provider is still processing (an Instagram container); call `publish` again after the wait. */
export type PublishResult = { kind: 'published'; post: PublishedPost } | { kind: 'pending'; checkAfterMs: number; reason: string };

/**
 * What a read-back found for an attempt whose outcome was unknown. Only `not_published` may be retried;
 * its `state` names parts that do exist (a thread's first tweets), journaled so the retry goes on after them.
 */
type Reconciliation =
  { kind: 'published'; post: PublishedPost } | { kind: 'not_published'; state?: PublishState } | { kind: 'unknown'; reason: string };

/** The facts compose-time validation needs about an image, before any upload to a provider. */
export interface MediaFacts {
  mimeType: string;
  bytes: number;
  width: number;
  height: number;
}

export interface Publisher {
  /** Scopes an account must have been granted to publish; without them it must reconnect. */
  readonly requiredScopes: readonly string[];
  /** Compose-time problems with a post for this platform, in words for the user; empty when it can go. */
  validate(post: { text: string; media: MediaFacts[] }): string[];
  /**
   * Publishes one post for one account. Provider failures are ProviderErrors (classified as everywhere).
   * Everything before `journal.beginMutation()` may be repeated safely (it reuses journaled ids).
   */
  publish(accessToken: string, target: SyncTarget, request: PublishRequest, journal: PublishJournal): Promise<PublishResult>;
  /** Reads back whether an attempt that began at `attemptStartedAt` created the post (matching text and time). */
  reconcile(
    accessToken: string,
    target: SyncTarget,
    request: PublishRequest,
    attempt: { startedAt: Date; state: PublishState },
  ): Promise<Reconciliation>;
}
