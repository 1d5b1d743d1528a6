// The account workflow's state and policy, apart from Temporal: what is due next, when to refresh and
// sync, which requests are queued, what a status change means, and what an update may not do now.
// Pure code with the clock passed in, so it is unit-tested on its own; the workflow (account.ts) wires
// it to handlers, timers and activities.
import type { AccountSnapshot } from '../activities/index.js';
import type { AccountStatus } from '../lib/domain.js';
import { builtInPlatform } from '../providers/metadata.js';
import type {
  AccountJob,
  AccountPolicy,
  AccountProjection,
  AccountState,
  AccountStatusView,
  AccountWorkflowInput,
  DisconnectOutcome,
  SyncRef,
  SyncSummary,
  SyncTrigger,
} from './contract.js';
import { syncJobId } from './ids.js';

export type Job = AccountJob;
/** `why` says what the timer waits for beyond the job, for the Temporal UI (a refresh backing off). */
export type Due = { at: string; job: Job | { kind: 'warn' } | { kind: 'expire' }; why?: string };

/** Refresh retry backoff when the worker's policy does not say (runs started before it did). */
const REFRESH_RETRY_INITIAL_MS = 30_000;
const REFRESH_RETRY_MAX_MS = 3_600_000;

/** What a fresh account's policy is until the worker's own arrives with the first load. */
const DEFAULT_POLICY: AccountPolicy = {
  syncIntervalMs: 15 * 60_000,
  refreshLeadMs: 10 * 60_000,
  reconnectWarningMs: 7 * 86_400_000,
  syncHeartbeatTimeoutMs: 60_000,
  maxCyclesPerRun: 300,
};

export class AccountEntity {
  readonly state: AccountState;
  /** Stored tokens changed (a connect or a reconnect): reload them before anything else. */
  reloadPending: boolean;
  /** A disconnect was asked for: the loop stops and revokes. */
  private disconnectRequested = false;
  /** Set once the disconnect is done; the update answers with it. */
  disconnected: DisconnectOutcome | null = null;
  /** The account row says disconnected (or is gone): the workflow ends without revoking anything. */
  private rowGone = false;
  /** The refreshNow update waiting for its refresh, if any. */
  manualRefresh: { done: boolean; error?: string } | null = null;
  private readonly requests: Job[] = [];
  private published = '';
  /**
   * Keep a planned refresh where it is when the plan is made again (the workflow sets it behind a patch):
   * "halfway through the remaining life", measured anew after every sync, crept toward the expiry.
   */
  keepPlannedRefresh = false;
  /** The token expiry the current nextRefreshAt was planned for. */
  private refreshPlannedFor: string | null;
  /** What the projection row last received (empty in a new run, so each run writes once). */
  private projected = '';

  /** `publish` shows a visible change (status, token expiry) to operators: the search attributes. */
  constructor(
    input: AccountWorkflowInput,
    private readonly publish: (state: AccountState) => void,
  ) {
    this.state = input.state ?? {
      accountId: input.accountId,
      businessId: input.businessId,
      platform: input.platform,
      username: null,
      status: 'connecting',
      statusMessage: null,
      warning: null,
      tokenExpiresAt: null,
      canRefresh: false,
      policy: { ...DEFAULT_POLICY },
      nextRefreshAt: null,
      nextSyncAt: null,
      lastSync: null,
      currentSync: null,
      syncCount: 0,
      cycles: 0,
    };
    // A fresh run loads the stored account first; a continued one takes over what its predecessor had not done.
    const { pending, ...state } = this.state;
    this.state = state;
    this.reloadPending = !input.state || (pending?.reload ?? false);
    this.requests.push(...(pending?.requests ?? []));
    // A continued run's nextRefreshAt was planned for its token (unless it is a backoff retry).
    this.refreshPlannedFor = input.state?.nextRefreshAt && !input.state.refreshFailures ? input.state.tokenExpiresAt : null;
  }

  get disconnecting(): boolean {
    return this.disconnectRequested;
  }

  /** The grant is dead: nothing runs until the business reconnects. */
  get reconnectNeeded(): boolean {
    return this.state.status === 'reconnect_required';
  }

  /** The loop is over: a disconnect was asked for, or the stored account is no longer connected. */
  get ending(): boolean {
    return this.disconnectRequested || this.rowGone;
  }

  view(workflowId: string): AccountStatusView {
    return { ...this.state, workflowId };
  }

  /** New tokens were stored: reload them before anything else. */
  reconnected(): void {
    this.reloadPending = true;
  }

  // --- Requests (from updates and reconnects), run in order before anything the clock brings ---------

  get hasRequests(): boolean {
    return this.requests.length > 0;
  }

  /** The loop should stop waiting: a request, a reload or a disconnect. */
  get interrupted(): boolean {
    return this.hasRequests || this.reloadPending || this.ending;
  }

  takeRequest(): Job | undefined {
    return this.requests.shift();
  }

  requestSync(): void {
    this.requests.push({ kind: 'sync', trigger: 'manual' });
  }

  requestRefresh(): { done: boolean; error?: string } {
    this.manualRefresh = { done: false };
    this.requests.push({ kind: 'refresh' });
    return this.manualRefresh;
  }

  requestDisconnect(): void {
    this.disconnectRequested = true;
  }

  /** A refresh ran: the refreshNow update waiting for one, if any, gets its outcome. */
  refreshRan(error: string | undefined): void {
    if (this.manualRefresh && !this.manualRefresh.done) Object.assign(this.manualRefresh, { done: true, error });
  }

  // --- Validators: what an update may not do now, with the reason the user sees -----------------------

  assertCanSync(): void {
    this.assertConnected();
    if (this.state.currentSync || this.requests.some((j) => j.kind === 'sync'))
      throw new Error('A sync is already running for this account.');
  }

  assertCanRefresh(): void {
    this.assertConnected();
    // Just connected, the stored tokens not loaded yet: nothing is known of them, so refreshNow waits for
    // the load and asks again (refusing here said "nothing to refresh" of any account refreshed at once).
    if (this.state.status === 'connecting') return;
    const { canRefresh, tokenExpiresAt, platform, status } = this.state;
    if (!canRefresh) {
      throw new Error(
        tokenExpiresAt
          ? `${platform} gives this app no refresh token: reconnect before ${tokenExpiresAt}.`
          : `${platform} tokens for this account do not expire, so there is nothing to refresh.`,
      );
    }
    if (status === 'refreshing' || this.requests.some((j) => j.kind === 'refresh')) throw new Error('A refresh is already running.');
  }

  assertCanDisconnect(): void {
    if (this.rowGone) throw new Error('The account is disconnected.');
    if (this.disconnecting) throw new Error('The account is already being disconnected.');
  }

  private assertConnected(): void {
    if (this.disconnecting || this.state.status === 'disconnected') throw new Error('The account is disconnected.');
    if (this.state.status === 'reconnect_required') throw new Error('The account must be reconnected first.');
  }

  // --- The clock ------------------------------------------------------------------------------------

  /** The earliest thing the account needs next, if anything: refresh, warning, expiry or sync. */
  nextDue(): Due | null {
    const state = this.state;
    if (state.status === 'reconnect_required' || state.status === 'disconnected') return null;
    const candidates: Due[] = [];
    if (state.nextRefreshAt) {
      const failures = state.refreshFailures ?? 0;
      const why = failures > 0 ? `retry ${failures} after: ${state.statusMessage}` : undefined;
      candidates.push({ at: state.nextRefreshAt, job: { kind: 'refresh' }, ...(why ? { why } : {}) });
    }
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
  schedule(now: number): void {
    const state = this.state;
    if (state.canRefresh && state.tokenExpiresAt) {
      const expires = Date.parse(state.tokenExpiresAt);
      // Never later than halfway through the token's remaining life, so short-lived tokens refresh in time.
      const lead = Math.min(state.policy.refreshLeadMs, Math.max(0, (expires - now) / 2));
      // After a failed refresh the backoff decides alone: the token may be dead before its expiry (a 401).
      const retryAt = (state.refreshFailures ?? 0) > 0 && state.refreshRetryAt ? Date.parse(state.refreshRetryAt) : null;
      let at = retryAt ?? Math.max(now, expires - lead);
      // Planned for this same token already: never later than planned (with 5-minute tokens and 30 s syncs
      // the halfway rule alone moved the refresh to the token's last seconds).
      const planned = state.nextRefreshAt && this.refreshPlannedFor === state.tokenExpiresAt ? Date.parse(state.nextRefreshAt) : null;
      if (this.keepPlannedRefresh && retryAt === null && planned !== null) at = Math.min(at, Math.max(now, planned));
      state.nextRefreshAt = new Date(at).toISOString();
      this.refreshPlannedFor = retryAt === null ? state.tokenExpiresAt : null;
    } else {
      state.nextRefreshAt = null;
    }
    const last = state.lastSync ? Date.parse(state.lastSync.finishedAt) : now;
    state.nextSyncAt = new Date(Math.max(now, last + state.policy.syncIntervalMs)).toISOString();
    this.publishIfChanged();
  }

  /** An expired token that can be refreshed is refreshed before a sync, rather than failing it with a 401. */
  refreshBeforeSync(now: number): boolean {
    const { canRefresh, tokenExpiresAt } = this.state;
    return canRefresh && tokenExpiresAt !== null && Date.parse(tokenExpiresAt) <= now && !this.refreshBackingOff(now);
  }

  /**
   * Why a sync cannot run now, if it cannot: the token has expired and the last refresh failed (and is
   * backing off). Such a sync is skipped, not run into a certain 401.
   */
  syncBlockedBy(now: number): string | null {
    const { tokenExpiresAt, statusMessage } = this.state;
    if (!tokenExpiresAt || Date.parse(tokenExpiresAt) > now || !(this.state.refreshFailures ?? 0)) return null;
    return `Skipped: the access token expired and could not be refreshed (${statusMessage ?? 'no reason given'}).`;
  }

  private refreshBackingOff(now: number): boolean {
    const { refreshRetryAt } = this.state;
    return (
      (this.state.refreshFailures ?? 0) > 0 && refreshRetryAt !== null && refreshRetryAt !== undefined && Date.parse(refreshRetryAt) > now
    );
  }

  // --- Status changes -------------------------------------------------------------------------------

  setStatus(status: AccountStatus, message: string | null): void {
    this.state.status = status;
    this.state.statusMessage = message;
    this.publishIfChanged();
  }

  /** Shows the current status and expiry to operators, unless they already show (spares the history an event). */
  publishIfChanged(): void {
    const key = `${this.state.status}|${this.state.tokenExpiresAt}`;
    if (key === this.published) return;
    this.published = key;
    this.publish(this.state);
  }

  /**
   * The visible state for the dashboard's projection, when it differs from what was last written
   * (null otherwise): the workflow writes only changes, and at a few points, so a cycle costs one or two
   * writes whatever happened in it.
   */
  projectionIfChanged(now: number): AccountProjection | null {
    const { accountId, status, statusMessage, warning, tokenExpiresAt, canRefresh, nextRefreshAt, nextSyncAt, lastSync, currentSync } =
      this.state;
    const view = {
      accountId,
      status,
      statusMessage,
      warning,
      tokenExpiresAt,
      canRefresh,
      nextRefreshAt,
      nextSyncAt,
      lastSync,
      currentSync,
    };
    const key = JSON.stringify(view);
    if (key === this.projected) return null;
    this.projected = key;
    return { ...view, observedAt: new Date(now).toISOString() };
  }

  /** The stored account was (re)loaded. A new or renewed connection syncs at once, so the dashboard fills. */
  loaded(facts: AccountSnapshot, now: number): void {
    if (facts.status === 'disconnected') return this.gone();
    const wasDown = this.state.status === 'reconnect_required' || this.state.status === 'connecting';
    Object.assign(this.state, facts, { warning: null, refreshFailures: 0, refreshRetryAt: null });
    if (this.state.status !== 'reconnect_required') this.setStatus('active', null);
    this.schedule(now);
    if (wasDown && this.state.status !== 'reconnect_required') this.requests.push({ kind: 'sync', trigger: 'connect' });
  }

  refreshed(tokenExpiresAt: string | null): void {
    this.state.tokenExpiresAt = tokenExpiresAt;
    this.state.refreshFailures = 0;
    this.state.refreshRetryAt = null;
    this.setStatus('active', null);
  }

  /**
   * A refresh failed for a reason other than a dead grant (the provider down, the app's credentials
   * rejected): the account stays as it is, says why, and tries again later, waiting twice as long after
   * each failure up to the policy's cap. `appCredentials`: the provider refused the app, not the grant.
   */
  refreshFailed(reason: string, appCredentials: boolean, now: number): void {
    const failures = (this.state.refreshFailures ?? 0) + 1;
    const { refreshRetryInitialMs = REFRESH_RETRY_INITIAL_MS, refreshRetryMaxMs = REFRESH_RETRY_MAX_MS } = this.state.policy;
    const wait = Math.min(refreshRetryMaxMs, refreshRetryInitialMs * 2 ** Math.min(failures - 1, 30));
    this.state.refreshFailures = failures;
    this.state.refreshRetryAt = new Date(now + wait).toISOString();
    const message = appCredentials ? this.appCredentialsRejected(reason) : `Token refresh failed: ${reason}`;
    this.setStatus(this.state.status === 'refreshing' ? 'active' : this.state.status, message);
    this.schedule(now);
  }

  /** What the account says while the provider refuses this server's app (not the user's grant). */
  appCredentialsRejected(reason: string): string {
    return `The app's credentials were rejected by ${this.platformName()}: ${reason}`;
  }

  private platformName(): string {
    return builtInPlatform(this.state.platform)?.displayName ?? this.state.platform;
  }

  /** "Reconnect soon": the token expires and cannot be refreshed. */
  warn(): void {
    const { platform, tokenExpiresAt } = this.state;
    const metadata = builtInPlatform(platform);
    const name = this.platformName();
    this.state.warning =
      metadata?.capabilities.expiry === 'data_access'
        ? `This account's data access ends at ${tokenExpiresAt}: reconnect before then.`
        : `The ${name} token expires at ${tokenExpiresAt} and cannot be refreshed: reconnect before then.`;
    this.publishIfChanged();
  }

  /** The grant is dead: nothing is scheduled until the business reconnects. */
  reconnectRequired(reason: string): void {
    this.setStatus('reconnect_required', `Reconnect required: ${reason}`);
    this.state.nextRefreshAt = null;
    this.state.nextSyncAt = null;
  }

  /** The stored account was read again to check it is still connected. */
  rowChecked(facts: AccountSnapshot): void {
    if (facts.status === 'disconnected') this.gone();
  }

  /** The stored account is disconnected or deleted (not through this workflow): nothing left to do. */
  gone(): void {
    this.setStatus('disconnected', null);
    this.state.nextRefreshAt = null;
    this.state.nextSyncAt = null;
    this.rowGone = true;
    this.refreshRan('The account is disconnected.'); // a refreshNow waiting gets its answer
  }

  disconnectedWith(outcome: DisconnectOutcome): void {
    this.setStatus('disconnected', outcome.revoked ? null : `Revocation at the provider failed: ${outcome.revokeError}`);
    this.state.nextRefreshAt = null;
    this.state.nextSyncAt = null;
    this.disconnected = outcome;
  }

  // --- Syncs ----------------------------------------------------------------------------------------

  startSync(trigger: SyncTrigger, runId: string, now: number): SyncRef {
    this.state.syncCount += 1;
    this.state.currentSync = {
      jobId: syncJobId(this.state.accountId, runId, this.state.syncCount),
      trigger,
      startedAt: new Date(now).toISOString(),
    };
    return this.state.currentSync;
  }

  syncSucceeded(job: SyncRef, summary: SyncSummary, now: number): void {
    this.state.lastSync = { ...summary, jobId: job.jobId, finishedAt: new Date(now).toISOString() };
    this.setStatus('active', null);
  }

  syncFailed(job: SyncRef, message: string, now: number, status: 'error' | 'skipped' = 'error'): void {
    this.state.lastSync = {
      status,
      postsSynced: 0,
      impressions: 0,
      engagements: 0,
      engagementRate: 0,
      error: message,
      jobId: job.jobId,
      finishedAt: new Date(now).toISOString(),
    };
  }

  syncEnded(): void {
    this.state.currentSync = null;
  }

  // --- Continue-as-new ------------------------------------------------------------------------------

  /** One cycle done; true when this run should hand its state to a new one (never with work queued). */
  cycleDone(continueAsNewSuggested: boolean): boolean {
    this.state.cycles += 1;
    return !this.ending && !this.hasRequests && (continueAsNewSuggested || this.state.cycles >= this.state.policy.maxCyclesPerRun);
  }

  /** The state the next run starts from, with every message this one has not acted on yet. */
  carriedState(): AccountState {
    return { ...this.state, cycles: 0, pending: { reload: this.reloadPending, requests: [...this.requests] } };
  }
}
