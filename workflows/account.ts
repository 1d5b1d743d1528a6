// The account entity workflow: one long-lived run per connected social account (id `account:<id>`).
// It owns the account's live state and is the only writer of its tokens after the connect: it refreshes
// them before they expire (or warns before the business must reconnect), syncs posts and metrics on a
// cadence, and turns to reconnect_required the moment a grant dies. Deterministic code only: all I/O is
// in activities, and nothing secret enters its inputs, state or history.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, SyncSummary } from '../activities/index.js';
import type { AccountStatus, Platform } from '../lib/domain.js';
import { searchAttributes } from '../lib/temporal-keys.js';

export interface AccountWorkflowInput {
  accountId: number;
  businessId: number;
  platform: Platform;
  /** Carried across continue-as-new. */
  state?: AccountState;
}

export interface AccountPolicy {
  syncIntervalMs: number;
  refreshLeadMs: number;
  reconnectWarningMs: number;
  syncHeartbeatTimeoutMs: number;
  maxCyclesPerRun: number;
}

export interface SyncRef {
  jobId: string;
  trigger: 'schedule' | 'manual' | 'connect';
  startedAt: string;
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
}

export type AccountStatusView = AccountState & { workflowId: string };

export const statusQuery = defineQuery<AccountStatusView>('status');
/** New tokens were stored by a reconnect: reload and resume. Carries nothing else. */
export const reconnectedSignal = defineSignal('reconnected');
export const syncNowUpdate = defineUpdate<SyncRef>('syncNow');
export const refreshNowUpdate = defineUpdate<{ tokenExpiresAt: string | null }>('refreshNow');
export const disconnectUpdate = defineUpdate<{ status: AccountStatus; revoked: boolean; revokeError: string | null }>('disconnect');

const quick = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});
// Token refresh: 5xx and network errors retry with backoff; a 429 waits for the provider's reset.
const tokens = proxyActivities<Activities>({
  summary: 'Refresh the access token (and store a rotated refresh token)',
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes: ['GrantRevoked', 'ProviderRejected'] },
});
// A sync heartbeats its cursor, so a retry (or a restarted worker) resumes where it stopped.
const syncActivity = (policy: AccountPolicy) =>
  proxyActivities<Activities>({
    summary: 'Sync posts and metrics',
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: policy.syncHeartbeatTimeoutMs,
    retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', maximumAttempts: 5, nonRetryableErrorTypes: ['GrantRevoked', 'ProviderRejected'] },
  });

type Job = { kind: 'sync'; trigger: SyncRef['trigger'] } | { kind: 'refresh' };

export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountStatus> {
  // Handlers are registered before the first await, so a query or update sent at start finds them.
  const state: AccountState = input.state ?? {
    accountId: input.accountId,
    businessId: input.businessId,
    platform: input.platform,
    username: null,
    status: 'connecting',
    statusMessage: null,
    warning: null,
    tokenExpiresAt: null,
    canRefresh: false,
    // Replaced by the worker's policy on the first load.
    policy: { syncIntervalMs: 15 * 60_000, refreshLeadMs: 10 * 60_000, reconnectWarningMs: 7 * 86_400_000, syncHeartbeatTimeoutMs: 60_000, maxCyclesPerRun: 300 },
    nextRefreshAt: null,
    nextSyncAt: null,
    lastSync: null,
    currentSync: null,
    syncCount: 0,
    cycles: 0,
  };
  // Every workflow log line also carries workflow_id, run_id and workflow_type (added by the SDK).
  const logAttrs = () => ({ account_id: state.accountId, business_id: state.businessId, platform: state.platform });
  const requested: Job[] = [];
  let manualRefresh: { done: boolean; error?: string } | null = null;
  let reconnected = !input.state; // a fresh run loads the stored account first
  let disconnect: { revoked: boolean; revokeError: string | null } | null = null;
  let disconnectRequested = false;

  setHandler(statusQuery, () => ({ ...state, workflowId: workflowInfo().workflowId }));
  setHandler(reconnectedSignal, () => {
    reconnected = true;
  });

  setHandler(
    syncNowUpdate,
    async () => {
      requested.push({ kind: 'sync', trigger: 'manual' });
      await condition(() => state.currentSync?.trigger === 'manual' || disconnectRequested);
      if (!state.currentSync) throw ApplicationFailure.nonRetryable('The account was disconnected.');
      return state.currentSync;
    },
    { validator: () => assertCan(state, 'sync', requested, disconnectRequested) },
  );

  setHandler(
    refreshNowUpdate,
    async () => {
      manualRefresh = { done: false };
      requested.push({ kind: 'refresh' });
      const mine = manualRefresh;
      await condition(() => mine.done);
      if (mine.error) throw ApplicationFailure.nonRetryable(mine.error, 'RefreshFailed');
      return { tokenExpiresAt: state.tokenExpiresAt };
    },
    { validator: () => assertCan(state, 'refresh', requested, disconnectRequested) },
  );

  setHandler(
    disconnectUpdate,
    async () => {
      disconnectRequested = true;
      await condition(() => disconnect !== null);
      return { status: 'disconnected' as const, ...disconnect! };
    },
    {
      validator: () => {
        if (disconnectRequested) throw new Error('The account is already being disconnected.');
      },
    },
  );

  async function reload(): Promise<void> {
    const account = await quick.loadAccount(state.accountId);
    Object.assign(state, account, { warning: null });
    if (state.status !== 'reconnect_required') setStatus(state, 'active', null);
    schedule(state);
  }

  async function runSync(trigger: SyncRef['trigger']): Promise<void> {
    state.syncCount += 1;
    state.currentSync = { jobId: `${workflowInfo().workflowId}:sync:${workflowInfo().runId.slice(0, 8)}:${state.syncCount}`, trigger, startedAt: new Date().toISOString() };
    const job = state.currentSync;
    try {
      // An expired token that can be refreshed is refreshed first, rather than failing the sync with a 401.
      if (state.canRefresh && state.tokenExpiresAt && Date.parse(state.tokenExpiresAt) <= Date.now()) await runRefresh();
      if (state.status === 'reconnect_required') throw ApplicationFailure.nonRetryable(state.statusMessage ?? 'Reconnect required.', 'GrantRevoked');
      setStatus(state, 'syncing', null);
      let summary: SyncSummary;
      try {
        summary = await syncActivity(state.policy).syncAccount({ accountId: state.accountId, jobId: job.jobId, trigger });
      } catch (error) {
        // A 401 may only mean the access token died early: refresh once and resume the same job.
        if (!describeFailure(error).grantRevoked || !state.canRefresh || (await runRefresh()) !== undefined) throw error;
        setStatus(state, 'syncing', null);
        summary = await syncActivity(state.policy).syncAccount({ accountId: state.accountId, jobId: job.jobId, trigger });
      }
      state.lastSync = { ...summary, jobId: job.jobId, finishedAt: new Date().toISOString() };
      setStatus(state, 'active', null);
    } catch (error) {
      const failure = describeFailure(error);
      await quick.finishFailedSync({ jobId: job.jobId, accountId: state.accountId, trigger, message: failure.message });
      state.lastSync = { status: 'error', postsSynced: 0, impressions: 0, engagements: 0, engagementRate: 0, error: failure.message, jobId: job.jobId, finishedAt: new Date().toISOString() };
      if (failure.grantRevoked && state.status !== 'reconnect_required') await markReconnectRequired(failure.message);
      else if (!failure.grantRevoked) setStatus(state, 'active', `Last sync failed: ${failure.message}`);
    } finally {
      state.currentSync = null;
    }
  }

  async function runRefresh(): Promise<string | undefined> {
    setStatus(state, 'refreshing', null);
    try {
      const result = await tokens.refreshAccessToken(state.accountId);
      state.tokenExpiresAt = result.tokenExpiresAt;
      setStatus(state, 'active', null);
      return undefined;
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.grantRevoked) await markReconnectRequired(failure.message);
      else setStatus(state, 'active', `Token refresh failed: ${failure.message}`);
      return failure.message;
    } finally {
      schedule(state);
    }
  }

  async function markReconnectRequired(message: string): Promise<void> {
    setStatus(state, 'reconnect_required', `Reconnect required: ${message}`);
    state.nextRefreshAt = null;
    state.nextSyncAt = null;
    await quick.setAccountStatus({ accountId: state.accountId, status: 'reconnect_required', message: state.statusMessage });
    log.warn('reconnect required', { event_type: 'reconnect_required', ...logAttrs(), reason: message });
  }

  publishSearchAttributes(state);
  log.info('account workflow running', { event_type: 'account_workflow_started', ...logAttrs(), continued: Boolean(input.state) });

  while (!disconnectRequested) {
    if (reconnected) {
      reconnected = false;
      const wasDown = state.status === 'reconnect_required' || state.status === 'connecting';
      await reload();
      // A new or renewed connection syncs at once, so the dashboard fills without waiting a cycle.
      if (wasDown && state.status !== 'reconnect_required') requested.push({ kind: 'sync', trigger: 'connect' });
      continue;
    }

    const next = nextDue(state);
    const wake = () => requested.length > 0 || reconnected || disconnectRequested;
    const woke = next
      ? await condition(wake, Math.max(1, Date.parse(next.at) - Date.now()), { summary: `next: ${next.job.kind} at ${next.at}` })
      : (await condition(wake), true);
    if (disconnectRequested || reconnected) continue;

    const job = woke ? requested.shift()! : next!.job;
    if (job.kind === 'sync') {
      await runSync(job.trigger);
      schedule(state);
    } else if (job.kind === 'refresh') {
      const error = await runRefresh();
      if (manualRefresh && !manualRefresh.done) manualRefresh = Object.assign(manualRefresh, { done: true, error });
    } else if (job.kind === 'warn') {
      state.warning =
        state.platform === 'meta' || state.platform === 'instagram'
          ? `Meta data access for this account ends at ${state.tokenExpiresAt}: reconnect before then.`
          : `The ${state.platform} token expires at ${state.tokenExpiresAt} and cannot be refreshed: reconnect before then.`;
      publishSearchAttributes(state);
      log.warn('reconnect soon', { event_type: 'reconnect_warning', ...logAttrs(), token_expires_at: state.tokenExpiresAt });
    } else if (job.kind === 'expire') {
      await markReconnectRequired('the access token expired and cannot be refreshed.');
    }

    state.cycles += 1;
    if (!disconnectRequested && requested.length === 0 && (workflowInfo().continueAsNewSuggested || state.cycles >= state.policy.maxCyclesPerRun)) {
      await condition(allHandlersFinished);
      log.info('continuing as new', { event_type: 'account_workflow_continued', ...logAttrs(), sync_count: state.syncCount });
      await continueAsNew<typeof accountWorkflow>({ ...input, state: { ...state, cycles: 0 } });
    }
  }

  // Disconnect: revoke at the provider (best effort), delete the tokens, and end.
  const outcome = await quick.disconnectAccount(state.accountId);
  setStatus(state, 'disconnected', outcome.revoked ? null : `Revocation at the provider failed: ${outcome.revokeError}`);
  state.nextRefreshAt = null;
  state.nextSyncAt = null;
  disconnect = outcome;
  log.info('account workflow finished', { event_type: 'account_workflow_finished', ...logAttrs(), status: state.status, revoked: outcome.revoked });
  await condition(allHandlersFinished);
  return state.status;
}

type Due = { at: string; job: Job | { kind: 'warn' } | { kind: 'expire' } };

/** The earliest thing the account needs next, if anything: refresh, warning, expiry or sync. */
function nextDue(state: AccountState): Due | null {
  if (state.status === 'reconnect_required' || state.status === 'disconnected') return null;
  const candidates: Due[] = [];
  if (state.nextRefreshAt) candidates.push({ at: state.nextRefreshAt, job: { kind: 'refresh' } });
  if (state.tokenExpiresAt && !state.canRefresh) {
    const warnAt = new Date(Date.parse(state.tokenExpiresAt) - state.policy.reconnectWarningMs).toISOString();
    if (!state.warning) candidates.push({ at: warnAt, job: { kind: 'warn' } });
    candidates.push({ at: state.tokenExpiresAt, job: { kind: 'expire' } });
  }
  if (state.nextSyncAt) candidates.push({ at: state.nextSyncAt, job: { kind: 'sync', trigger: 'schedule' } });
  candidates.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return candidates[0] ?? null;
}

/** Plans the next refresh (well before expiry) and the next sync (one interval after the last). */
function schedule(state: AccountState): void {
  const now = Date.now();
  if (state.canRefresh && state.tokenExpiresAt) {
    const expires = Date.parse(state.tokenExpiresAt);
    // Never later than halfway through the token's remaining life, so short-lived tokens refresh in time.
    const lead = Math.min(state.policy.refreshLeadMs, Math.max(0, (expires - now) / 2));
    state.nextRefreshAt = new Date(Math.max(now, expires - lead)).toISOString();
  } else {
    state.nextRefreshAt = null;
  }
  const last = state.lastSync ? Date.parse(state.lastSync.finishedAt) : now;
  state.nextSyncAt = new Date(Math.max(now, last + state.policy.syncIntervalMs)).toISOString();
  publishSearchAttributes(state);
}

function assertCan(state: AccountState, action: 'sync' | 'refresh', requested: Job[], disconnecting: boolean): void {
  if (disconnecting || state.status === 'disconnected') throw new Error('The account is disconnected.');
  if (state.status === 'reconnect_required') throw new Error('The account must be reconnected first.');
  if (action === 'sync' && (state.currentSync || requested.some((j) => j.kind === 'sync'))) {
    throw new Error('A sync is already running for this account.');
  }
  if (action === 'refresh') {
    if (!state.canRefresh) {
      throw new Error(
        state.tokenExpiresAt
          ? `${state.platform} gives this app no refresh token: reconnect before ${state.tokenExpiresAt}.`
          : `${state.platform} tokens for this account do not expire, so there is nothing to refresh.`,
      );
    }
    if (state.status === 'refreshing' || requested.some((j) => j.kind === 'refresh')) throw new Error('A refresh is already running.');
  }
}

function setStatus(state: AccountState, status: AccountStatus, message: string | null): void {
  state.status = status;
  state.statusMessage = message;
  publishSearchAttributes(state);
}

function describeFailure(error: unknown): { message: string; grantRevoked: boolean } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  return { message: cause instanceof Error ? cause.message : String(cause), grantRevoked: type === 'GrantRevoked' };
}

let published = '';
function publishSearchAttributes(state: AccountState): void {
  const key = `${state.status}|${state.tokenExpiresAt}`;
  if (key === published) return; // unchanged: spare the history an event
  published = key;
  upsertSearchAttributes([
    { key: searchAttributes.businessId, value: String(state.businessId) },
    { key: searchAttributes.platform, value: state.platform },
    { key: searchAttributes.accountStatus, value: state.status },
    { key: searchAttributes.tokenExpiresAt, value: state.tokenExpiresAt ? new Date(state.tokenExpiresAt) : null },
  ]);
}
