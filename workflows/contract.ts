// The account and connect workflows' contract with everything around them: the messages the API
// sends, the state the status query answers with, the inputs the workflows start from, and their ids.
// Imported by api/, activities/, worker/ and the workflows themselves, so it imports nothing of theirs:
// only @temporalio/workflow's pure definers and the product vocabulary (it runs in the workflow bundle).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccountStatus, Platform, PostStatus, PostTargetStatus } from '../lib/domain.js';

export * from './ids.js';

// --- Account workflow -----------------------------------------------------------------------------

export interface AccountWorkflowInput {
  accountId: number;
  businessId: number;
  platform: Platform;
  /** Carried across continue-as-new. */
  state?: AccountState;
}

/** The worker's timing policy, loaded with the account (configuration, so tests can use seconds). */
export interface AccountPolicy {
  syncIntervalMs: number;
  refreshLeadMs: number;
  reconnectWarningMs: number;
  syncHeartbeatTimeoutMs: number;
  maxCyclesPerRun: number;
  /** First wait after a refresh failed for a reason other than a dead grant; doubles per failure. */
  refreshRetryInitialMs?: number;
  /** The longest wait between failed refreshes. */
  refreshRetryMaxMs?: number;
}

export type SyncTrigger = 'schedule' | 'manual' | 'connect';

/** Work the account's loop runs: asked for by an update or a reconnect, or due by the clock. */
export type AccountJob = { kind: 'sync'; trigger: SyncTrigger } | { kind: 'refresh' };

export interface SyncRef {
  jobId: string;
  trigger: SyncTrigger;
  startedAt: string;
}

/** What one sync run found (the sync activity's result). */
export interface SyncSummary {
  /** `skipped`: not run, because the token had expired and could not be refreshed (the reason in `error`). */
  status: 'success' | 'error' | 'skipped';
  postsSynced: number;
  impressions: number;
  engagements: number;
  engagementRate: number;
  error: string | null;
}

export interface AccountState {
  accountId: number;
  businessId: number;
  platform: Platform;
  username: string | null;
  status: AccountStatus;
  statusMessage: string | null;
  /** "Reconnect soon": the token expires and cannot be refreshed. */
  warning: string | null;
  tokenExpiresAt: string | null;
  /** A refresh token is stored and the platform refreshes (X; LinkedIn for partner apps). */
  canRefresh: boolean;
  policy: AccountPolicy;
  nextRefreshAt: string | null;
  nextSyncAt: string | null;
  lastSync: (SyncSummary & { jobId: string; finishedAt: string }) | null;
  currentSync: SyncRef | null;
  syncCount: number;
  cycles: number;
  /** Refreshes failed in a row for a reason other than a dead grant (absent in runs from before it existed). */
  refreshFailures?: number;
  /** No refresh before this (the backoff after refreshFailures). */
  refreshRetryAt?: string | null;
  /** Messages the previous run received but had not acted on when it continued as new. */
  pending?: { reload: boolean; requests: AccountJob[] };
}

export type AccountStatusView = AccountState & { workflowId: string };

/**
 * What the dashboard's lists show of an account (decision 014): the workflow writes it to Postgres
 * whenever it changes, and sync-status reads every account of a business in one query. Ids and
 * non-secret facts only. `observedAt` is the workflow's clock, so an older write never wins.
 */
export type AccountProjection = Pick<
  AccountState,
  | 'accountId'
  | 'status'
  | 'statusMessage'
  | 'warning'
  | 'tokenExpiresAt'
  | 'canRefresh'
  | 'nextRefreshAt'
  | 'nextSyncAt'
  | 'lastSync'
  | 'currentSync'
> & { observedAt: string };

export interface DisconnectOutcome {
  revoked: boolean;
  revokeError: string | null;
}

export const statusQuery = defineQuery<AccountStatusView>('status');
/** New tokens were stored by a reconnect: reload and resume. Carries nothing else. */
export const reconnectedSignal = defineSignal('reconnected');
export const syncNowUpdate = defineUpdate<SyncRef>('syncNow');
export const refreshNowUpdate = defineUpdate<{ tokenExpiresAt: string | null }>('refreshNow');
export const disconnectUpdate = defineUpdate<{ status: AccountStatus } & DisconnectOutcome>('disconnect');

// --- Connect workflow -----------------------------------------------------------------------------

export type ConnectInput =
  | { kind: 'oauth_callback'; oauthStateId: number }
  | { kind: 'meta_selection'; pendingId: number; businessId: number; userId: number; pageIds: string[]; instagramIds: string[] };

// --- Post workflow (post:<postId>) ---------------------------------------------------------------
// Started by the API when a post is scheduled or published now (never for a draft); it sleeps until the
// post's time, then publishes each target exactly once. Tokens never enter it: activities read them.

export interface PostWorkflowInput {
  postId: number;
  businessId: number;
}

export interface PostTargetView {
  accountId: number;
  platform: Platform;
  status: PostTargetStatus;
  error: string | null;
}

export interface PostView {
  postId: number;
  status: PostStatus;
  /** ISO 8601, UTC. */
  scheduledAt: string | null;
  targets: PostTargetView[];
}

export const postStatusQuery = defineQuery<PostView>('postStatus');
/** An edit moved the post's time (the API has stored it); the workflow's timer moves with it. Refused once publishing began. */
export const reschedulePostUpdate = defineUpdate<PostView, [{ scheduledAt: string }]>('reschedule');
/** Cancel before publishing began; refused (ApplicationFailure `post_publishing_began`) after. */
export const cancelPostUpdate = defineUpdate<PostView>('cancel');
/** Try a failed or unconfirmed target again: reconciles first, so a target proven published is never re-sent. */
export const retryTargetUpdate = defineUpdate<PostView, [{ accountId: number }]>('retryTarget');
/** The safety sweep's nudge to a due post whose workflow may be waiting on a lost timer or message. */
export const pokePostSignal = defineSignal('poke');
