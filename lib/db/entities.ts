// Postgres is the system of record. Entities are EntitySchemas (no decorators) so tsx, vitest and the
// worker's bundler all read the same plain TypeScript. Column names are snake_case in the database.
import { EntitySchema } from 'typeorm';

import type { AccountStatus, Platform, PostCounts, PostStatus, PostTargetStatus } from '../domain.js';

// Counters are bigint in Postgres (pg returns them as strings) and numbers in code.
const count = { type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } } as const;
const createdAt = { type: 'timestamptz', createDate: true, name: 'created_at' } as const;

/** A foreign key as the migrations declare it: deleting the referenced row cascades unless said otherwise. */
const references = (column: string, target: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') => ({
  target,
  columnNames: [column],
  referencedColumnNames: ['id'],
  onDelete,
});

export interface User {
  id: number;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
}
export const UserEntity = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    email: { type: 'text', unique: true },
    name: { type: 'text' },
    passwordHash: { type: 'text', name: 'password_hash' },
    createdAt,
  },
});

export interface Business {
  id: number;
  name: string;
  /** IANA zone the business schedules posts in; times are stored in UTC. */
  timeZone: string;
  createdAt: Date;
}
export const BusinessEntity = new EntitySchema<Business>({
  name: 'Business',
  tableName: 'businesses',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'text' },
    timeZone: { type: 'text', name: 'time_zone', default: 'UTC' },
    createdAt,
  },
});

export interface Membership {
  userId: number;
  businessId: number;
  role: 'owner' | 'member';
  createdAt: Date;
}
export const MembershipEntity = new EntitySchema<Membership>({
  name: 'Membership',
  tableName: 'memberships',
  columns: {
    userId: { type: 'int', primary: true, name: 'user_id' },
    businessId: { type: 'int', primary: true, name: 'business_id' },
    role: { type: 'text', default: 'member' },
    createdAt,
  },
  foreignKeys: [references('userId', 'User'), references('businessId', 'Business')],
});

/** A login session / API bearer token. Only the SHA-256 of the token is stored. */
export interface Session {
  id: number;
  userId: number;
  tokenHash: string;
  expiresAt: Date;
  createdAt: Date;
}
export const SessionEntity = new EntitySchema<Session>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    userId: { type: 'int', name: 'user_id' },
    tokenHash: { type: 'text', name: 'token_hash', unique: true },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    createdAt,
  },
  indices: [{ name: 'ix_sessions_expires', columns: ['expiresAt'] }],
  foreignKeys: [references('userId', 'User')],
});

/** A pending OAuth authorization. The state is stored hashed; the PKCE verifier encrypted. */
export interface OAuthState {
  id: number;
  stateHash: string;
  userId: number;
  businessId: number;
  platform: Platform;
  codeVerifierEnc: string | null;
  redirectUri: string;
  consumedAt: Date | null;
  codeEnc: string | null;
  /** The tokens the code was exchanged for (encrypted JSON), until the connect finishes: a retry resumes from them. */
  tokensEnc: string | null;
  /** What the exchange produced (account ids, never tokens), so a retried activity answers the same. */
  outcome: object | null;
  /** SHA-256 of the secret in the starting browser's cookie; the callback must present it (decision 015). */
  browserBindingHash: string | null;
  expiresAt: Date;
  createdAt: Date;
}
export const OAuthStateEntity = new EntitySchema<OAuthState>({
  name: 'OAuthState',
  tableName: 'oauth_states',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    stateHash: { type: 'text', name: 'state_hash', unique: true },
    userId: { type: 'int', name: 'user_id' },
    businessId: { type: 'int', name: 'business_id' },
    platform: { type: 'text' },
    codeVerifierEnc: { type: 'text', name: 'code_verifier_enc', nullable: true },
    redirectUri: { type: 'text', name: 'redirect_uri' },
    consumedAt: { type: 'timestamptz', name: 'consumed_at', nullable: true },
    codeEnc: { type: 'text', name: 'code_enc', nullable: true },
    tokensEnc: { type: 'text', name: 'tokens_enc', nullable: true },
    outcome: { type: 'jsonb', nullable: true },
    browserBindingHash: { type: 'text', name: 'browser_binding_hash', nullable: true },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    createdAt,
  },
  indices: [{ name: 'ix_oauth_states_expires', columns: ['expiresAt'] }],
  foreignKeys: [references('userId', 'User'), references('businessId', 'Business')],
});

export interface SocialAccount {
  id: number;
  businessId: number;
  platform: Platform;
  externalId: string;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  status: AccountStatus;
  statusMessage: string | null;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  tokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  scopes: string | null;
  userTokenEnc: string | null;
  metadata: Record<string, string>;
  /** For an Instagram account, the Facebook Page account whose token it acts through. */
  parentAccountId: number | null;
  lastSyncAt: Date | null;
  lastSyncStatus: string | null;
  /** The last token refresh: when it began, when it ended and how (null while one runs or was cut short). */
  refreshStartedAt: Date | null;
  refreshFinishedAt: Date | null;
  refreshOutcome: RefreshOutcome | null;
  connectedAt: Date;
  updatedAt: Date;
}
export type RefreshOutcome = 'success' | 'failed' | 'grant_dead' | 'race';
export const SocialAccountEntity = new EntitySchema<SocialAccount>({
  name: 'SocialAccount',
  tableName: 'social_accounts',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    businessId: { type: 'int', name: 'business_id' },
    platform: { type: 'text' },
    externalId: { type: 'text', name: 'external_id' },
    username: { type: 'text', nullable: true },
    displayName: { type: 'text', name: 'display_name', nullable: true },
    avatarUrl: { type: 'text', name: 'avatar_url', nullable: true },
    status: { type: 'text', default: 'connecting' },
    statusMessage: { type: 'text', name: 'status_message', nullable: true },
    accessTokenEnc: { type: 'text', name: 'access_token_enc', nullable: true },
    refreshTokenEnc: { type: 'text', name: 'refresh_token_enc', nullable: true },
    tokenExpiresAt: { type: 'timestamptz', name: 'token_expires_at', nullable: true },
    refreshTokenExpiresAt: { type: 'timestamptz', name: 'refresh_token_expires_at', nullable: true },
    scopes: { type: 'text', nullable: true },
    userTokenEnc: { type: 'text', name: 'user_token_enc', nullable: true },
    metadata: { type: 'jsonb', default: {} },
    parentAccountId: { type: 'int', name: 'parent_account_id', nullable: true },
    lastSyncAt: { type: 'timestamptz', name: 'last_sync_at', nullable: true },
    lastSyncStatus: { type: 'text', name: 'last_sync_status', nullable: true },
    refreshStartedAt: { type: 'timestamptz', name: 'refresh_started_at', nullable: true },
    refreshFinishedAt: { type: 'timestamptz', name: 'refresh_finished_at', nullable: true },
    refreshOutcome: { type: 'text', name: 'refresh_outcome', nullable: true },
    connectedAt: { type: 'timestamptz', name: 'connected_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  uniques: [{ name: 'uq_social_accounts_external', columns: ['businessId', 'platform', 'externalId'] }],
  foreignKeys: [references('businessId', 'Business'), references('parentAccountId', 'SocialAccount', 'SET NULL')],
});

export interface PendingConnection {
  id: number;
  businessId: number;
  userId: number;
  platform: Platform;
  /** Null once the pick is done: the token then lives with the accounts. */
  userTokenEnc: string | null;
  choices: MetaChoice[];
  /** What the pick connected (ids and names, no token), kept until the row expires so a retry finds it. */
  outcome: Record<string, unknown> | null;
  expiresAt: Date;
  createdAt: Date;
}
/** A Facebook Page offered after Meta consent, with its linked Instagram Business account. */
export interface MetaChoice {
  pageId: string;
  pageName: string;
  category: string | null;
  instagram: { id: string; username: string | null } | null;
}
export const PendingConnectionEntity = new EntitySchema<PendingConnection>({
  name: 'PendingConnection',
  tableName: 'pending_connections',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    businessId: { type: 'int', name: 'business_id' },
    userId: { type: 'int', name: 'user_id' },
    platform: { type: 'text' },
    userTokenEnc: { type: 'text', name: 'user_token_enc', nullable: true },
    choices: { type: 'jsonb' },
    outcome: { type: 'jsonb', nullable: true },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    createdAt,
  },
  foreignKeys: [references('businessId', 'Business'), references('userId', 'User')],
});

export interface SyncRun {
  id: number;
  /** The workflow-chosen job id: idempotency key for a retried activity and the sync-progress id. */
  jobId: string;
  accountId: number;
  businessId: number;
  platform: Platform;
  trigger: 'schedule' | 'manual' | 'connect';
  status: 'running' | 'success' | 'error' | 'skipped';
  startedAt: Date;
  finishedAt: Date | null;
  postsSynced: number;
  impressions: number;
  engagements: number;
  engagementRate: number;
  errorMessage: string | null;
  progressStep: string | null;
  progressDone: number;
  progressTotal: number | null;
  /** A full rescan (every post) rather than an incremental sync (decision 018). */
  fullRescan: boolean;
}
export const SyncRunEntity = new EntitySchema<SyncRun>({
  name: 'SyncRun',
  tableName: 'sync_runs',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    jobId: { type: 'text', name: 'job_id', unique: true },
    accountId: { type: 'int', name: 'account_id' },
    businessId: { type: 'int', name: 'business_id' },
    platform: { type: 'text' },
    trigger: { type: 'text' },
    status: { type: 'text' },
    startedAt: { type: 'timestamptz', name: 'started_at' },
    finishedAt: { type: 'timestamptz', name: 'finished_at', nullable: true },
    postsSynced: { type: 'int', name: 'posts_synced', default: 0 },
    impressions: count,
    engagements: count,
    engagementRate: { type: 'double precision', name: 'engagement_rate', default: 0 },
    errorMessage: { type: 'text', name: 'error_message', nullable: true },
    progressStep: { type: 'text', name: 'progress_step', nullable: true },
    progressDone: { type: 'int', name: 'progress_done', default: 0 },
    progressTotal: { type: 'int', name: 'progress_total', nullable: true },
    fullRescan: { type: 'boolean', name: 'full_rescan', default: true },
  },
  // started_at DESC in the migrations; TypeORM's index metadata has no column order.
  indices: [
    { name: 'ix_sync_runs_business_started', columns: ['businessId', 'startedAt'] },
    { name: 'ix_sync_runs_account_started', columns: ['accountId', 'startedAt'] },
  ],
  foreignKeys: [references('accountId', 'SocialAccount'), references('businessId', 'Business')],
});

/** The account workflow's visible state (decision 014), kept current by the workflow; one row per account. */
export interface AccountSyncState {
  accountId: number;
  businessId: number;
  status: AccountStatus;
  statusMessage: string | null;
  warning: string | null;
  tokenExpiresAt: Date | null;
  canRefresh: boolean;
  nextRefreshAt: Date | null;
  nextSyncAt: Date | null;
  /** The last sync's summary as the workflow holds it (SyncSummary with its job id and finishedAt). */
  lastSync: Record<string, unknown> | null;
  currentJobId: string | null;
  currentJobTrigger: string | null;
  currentJobStartedAt: Date | null;
  /** The workflow's clock when it saw this state: older writes never replace newer ones. */
  observedAt: Date;
  updatedAt: Date;
}
export const AccountSyncStateEntity = new EntitySchema<AccountSyncState>({
  name: 'AccountSyncState',
  tableName: 'account_sync_state',
  columns: {
    accountId: { type: 'int', primary: true, name: 'account_id' },
    businessId: { type: 'int', name: 'business_id' },
    status: { type: 'text' },
    statusMessage: { type: 'text', name: 'status_message', nullable: true },
    warning: { type: 'text', nullable: true },
    tokenExpiresAt: { type: 'timestamptz', name: 'token_expires_at', nullable: true },
    canRefresh: { type: 'boolean', name: 'can_refresh', default: false },
    nextRefreshAt: { type: 'timestamptz', name: 'next_refresh_at', nullable: true },
    nextSyncAt: { type: 'timestamptz', name: 'next_sync_at', nullable: true },
    lastSync: { type: 'jsonb', name: 'last_sync', nullable: true },
    currentJobId: { type: 'text', name: 'current_job_id', nullable: true },
    currentJobTrigger: { type: 'text', name: 'current_job_trigger', nullable: true },
    currentJobStartedAt: { type: 'timestamptz', name: 'current_job_started_at', nullable: true },
    observedAt: { type: 'timestamptz', name: 'observed_at' },
    updatedAt: { type: 'timestamptz', name: 'updated_at', default: () => 'now()' },
  },
  indices: [{ name: 'ix_account_sync_state_business', columns: ['businessId'] }],
  foreignKeys: [references('accountId', 'SocialAccount'), references('businessId', 'Business')],
});

/** An account's sync cursor (decision 018): where the next incremental sync starts, and when the last full rescan ended. */
export interface SyncCursor {
  accountId: number;
  newestPostId: string | null;
  newestPostAt: Date | null;
  fullRescanAt: Date | null;
  updatedAt: Date;
}
export const SyncCursorEntity = new EntitySchema<SyncCursor>({
  name: 'SyncCursor',
  tableName: 'sync_cursors',
  columns: {
    accountId: { type: 'int', primary: true, name: 'account_id' },
    newestPostId: { type: 'text', name: 'newest_post_id', nullable: true },
    newestPostAt: { type: 'timestamptz', name: 'newest_post_at', nullable: true },
    fullRescanAt: { type: 'timestamptz', name: 'full_rescan_at', nullable: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', default: () => 'now()' },
  },
  foreignKeys: [references('accountId', 'SocialAccount')],
});

interface PostMetric extends PostCounts {
  id: number;
  accountId: number;
  businessId: number;
  platform: Platform;
  externalPostId: string;
  postedAt: Date | null;
  text: string | null;
  fetchedAt: Date;
}
const PostMetricEntity = new EntitySchema<PostMetric>({
  name: 'PostMetric',
  tableName: 'post_metrics',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    accountId: { type: 'int', name: 'account_id' },
    businessId: { type: 'int', name: 'business_id' },
    platform: { type: 'text' },
    externalPostId: { type: 'text', name: 'external_post_id' },
    postedAt: { type: 'timestamptz', name: 'posted_at', nullable: true },
    text: { type: 'text', nullable: true },
    impressions: count,
    likes: count,
    comments: count,
    shares: count,
    clicks: count,
    engagements: count,
    fetchedAt: { type: 'timestamptz', name: 'fetched_at' },
  },
  uniques: [{ name: 'uq_post_metrics_post', columns: ['accountId', 'externalPostId'] }],
  indices: [{ name: 'ix_post_metrics_business_posted', columns: ['businessId', 'postedAt'] }],
  foreignKeys: [references('accountId', 'SocialAccount'), references('businessId', 'Business')],
});

/** An image uploaded once to the app, kept behind the media storage interface under `storageKey`. */
export interface Media {
  id: number;
  businessId: number;
  storageKey: string;
  mimeType: string;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  createdAt: Date;
}
export const MediaEntity = new EntitySchema<Media>({
  name: 'Media',
  tableName: 'media',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    businessId: { type: 'int', name: 'business_id' },
    storageKey: { type: 'text', name: 'storage_key', unique: true },
    mimeType: { type: 'text', name: 'mime_type' },
    bytes: { type: 'int' },
    width: { type: 'int' },
    height: { type: 'int' },
    sha256: { type: 'text' },
    createdAt,
  },
  indices: [{ name: 'ix_media_business', columns: ['businessId'] }],
  foreignKeys: [references('businessId', 'Business')],
});

export interface Post {
  id: number;
  businessId: number;
  authorUserId: number | null;
  text: string;
  mediaIds: number[];
  /** When to publish, in UTC; null for a draft without a time. */
  scheduledAt: Date | null;
  status: PostStatus;
  createdAt: Date;
  updatedAt: Date;
}
export const PostEntity = new EntitySchema<Post>({
  name: 'Post',
  tableName: 'posts',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    businessId: { type: 'int', name: 'business_id' },
    authorUserId: { type: 'int', name: 'author_user_id', nullable: true },
    text: { type: 'text' },
    mediaIds: { type: 'int', name: 'media_ids', array: true, default: () => "'{}'" },
    scheduledAt: { type: 'timestamptz', name: 'scheduled_at', nullable: true },
    status: { type: 'text' },
    createdAt,
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  indices: [
    { name: 'ix_posts_business_scheduled', columns: ['businessId', 'scheduledAt'] },
    { name: 'ix_posts_status_scheduled', columns: ['status', 'scheduledAt'] },
  ],
  foreignKeys: [references('businessId', 'Business'), references('authorUserId', 'User', 'SET NULL')],
});

/**
 * One account a post goes to. The exactly-once journal: `attemptStartedAt` is written before the
 * provider's mutating call, `providerState` holds each provider id as soon as it exists, and the result
 * (`providerPostId`, `permalink`, `publishedAt`) right after; an unknown outcome is `unconfirmed`.
 */
export interface PostTarget {
  id: number;
  postId: number;
  accountId: number;
  businessId: number;
  platform: Platform;
  /** This account's own text, when the user overrode the post's. */
  text: string | null;
  /** X only: the tweets after the first, published as a reply chain; null for a single post. */
  thread: string[] | null;
  status: PostTargetStatus;
  providerPostId: string | null;
  permalink: string | null;
  /** Why it failed or is unconfirmed, in words a user can act on. */
  error: string | null;
  publishedAt: Date | null;
  attemptStartedAt: Date | null;
  attempts: number;
  providerState: Record<string, unknown>;
  updatedAt: Date;
}
export const PostTargetEntity = new EntitySchema<PostTarget>({
  name: 'PostTarget',
  tableName: 'post_targets',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    postId: { type: 'int', name: 'post_id' },
    accountId: { type: 'int', name: 'account_id' },
    businessId: { type: 'int', name: 'business_id' },
    platform: { type: 'text' },
    text: { type: 'text', nullable: true },
    thread: { type: 'jsonb', nullable: true },
    status: { type: 'text' },
    providerPostId: { type: 'text', name: 'provider_post_id', nullable: true },
    permalink: { type: 'text', nullable: true },
    error: { type: 'text', nullable: true },
    publishedAt: { type: 'timestamptz', name: 'published_at', nullable: true },
    attemptStartedAt: { type: 'timestamptz', name: 'attempt_started_at', nullable: true },
    attempts: { type: 'int', default: 0 },
    providerState: { type: 'jsonb', name: 'provider_state', default: {} },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  uniques: [{ name: 'uq_post_targets_post_account', columns: ['postId', 'accountId'] }],
  indices: [{ name: 'ix_post_targets_account', columns: ['accountId'] }],
  foreignKeys: [references('postId', 'Post'), references('accountId', 'SocialAccount'), references('businessId', 'Business')],
});

export const entities = [
  UserEntity,
  BusinessEntity,
  MembershipEntity,
  SessionEntity,
  OAuthStateEntity,
  SocialAccountEntity,
  PendingConnectionEntity,
  SyncRunEntity,
  AccountSyncStateEntity,
  SyncCursorEntity,
  PostMetricEntity,
  MediaEntity,
  PostEntity,
  PostTargetEntity,
];
