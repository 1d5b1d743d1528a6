// The account entity workflow: one long-lived run per connected social account (id `account:<id>`).
// It owns the account's live state and is the only writer of its tokens after the connect: it refreshes
// them before they expire (or warns before the business must reconnect), syncs posts and metrics on a
// cadence, and turns to reconnect_required the moment a grant dies. The policy (what is due when, what an
// update may do) is AccountEntity's; this file wires it to messages, timers and activities.
// Deterministic code only: all I/O is in activities, and nothing secret enters its inputs, state or history.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountSnapshot, Activities } from '../activities/index.js';
import type { AccountStatus } from '../lib/domain.js';
import { searchAttributes } from '../lib/temporal-keys.js';
import { AccountEntity, type Due } from './account-entity.js';
import {
  disconnectUpdate,
  reconnectedSignal,
  refreshNowUpdate,
  statusQuery,
  syncNowUpdate,
  type AccountPolicy,
  type AccountState,
  type AccountWorkflowInput,
  type SyncSummary,
  type SyncTrigger,
} from './contract.js';

// Activities on our own Postgres (and disconnect's best-effort revoke): our infrastructure being down is
// never a reason to give up on an account, so they retry until it is back (issue 10 item 5).
const quick = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// The dashboard's projection (decision 014): a small write on our own Postgres, run as a local activity
// so it costs a marker in the history, not a scheduled task; it retries until Postgres is back.
const projection = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Failures the workflow itself answers (a dead grant, a refused request; rejected app credentials back
// off in the workflow, where the reason shows), so the server does not retry them.
const FINAL_FAILURES = ['GrantRevoked', 'ProviderRejected', 'AppCredentialsRejected'];
// Token refresh: 5xx and network errors retry with backoff; a 429 waits for the provider's reset. Once
// the provider has rotated the token, the activity keeps retrying the write (heartbeating) for its whole
// start-to-close, so a database outage of minutes does not lose the grant; a worker that dies is noticed
// by the heartbeat timeout (above the provider's 15 s HTTP timeout, during which it cannot heartbeat).
const tokens = proxyActivities<Activities>({
  summary: 'Refresh the access token (and store a rotated refresh token)',
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes: FINAL_FAILURES },
});
// A sync heartbeats its cursor, so a retry (or a restarted worker) resumes where it stopped.
const syncActivity = (policy: AccountPolicy) =>
  proxyActivities<Activities>({
    summary: 'Sync posts and metrics',
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: policy.syncHeartbeatTimeoutMs,
    retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', maximumAttempts: 5, nonRetryableErrorTypes: FINAL_FAILURES },
  });

export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountStatus> {
  const account = new AccountEntity(input, publishSearchAttributes);
  account.keepPlannedRefresh = patched('keep-planned-refresh');
  // Handlers are registered before the first await, so a query or update sent at start finds them.
  setHandler(statusQuery, () => account.view(workflowInfo().workflowId));
  setHandler(reconnectedSignal, () => account.reconnected());
  setHandler(syncNowUpdate, () => syncNow(account), { validator: () => account.assertCanSync() });
  setHandler(refreshNowUpdate, () => refreshNow(account), { validator: () => account.assertCanRefresh() });
  setHandler(disconnectUpdate, () => disconnect(account), { validator: () => account.assertCanDisconnect() });

  account.publishIfChanged();
  log.info('account workflow running', { event_type: 'account_workflow_started', ...logAttrs(account), continued: Boolean(input.state) });
  while (!account.ending) {
    try {
      if (account.reloadPending) {
        account.reloadPending = false;
        await load(account, (facts) => account.loaded(facts, Date.now()));
        continue;
      }
      const job = await nextJob(account);
      if (!job) continue; // interrupted by a reload or a disconnect
      await run(account, job);
    } catch (error) {
      // Item 5: an activity that failed for good (every one we own retries without limit, so this is
      // rare) costs this cycle, never the account's workflow. Anything else is a bug: let it surface.
      if (!(error instanceof ActivityFailure)) throw error;
      account.setStatus(
        account.state.status === 'refreshing' || account.state.status === 'syncing' ? 'active' : account.state.status,
        `Internal error, retrying: ${describeFailure(error).message}`,
      );
      log.error('account cycle failed', {
        event_type: 'account_cycle_failed',
        ...logAttrs(account),
        error_message: describeFailure(error).message,
      });
      account.refreshRan(describeFailure(error).message); // a refreshNow waiting for this cycle gets its answer
      account.schedule(Date.now());
      await sleep('1 minute', { summary: 'back off after an internal failure' });
    }
    if (account.cycleDone(workflowInfo().continueAsNewSuggested)) {
      // Item 6: a reconnect or request not acted on yet goes to the next run with the state.
      await condition(allHandlersFinished);
      log.info('continuing as new', {
        event_type: 'account_workflow_continued',
        ...logAttrs(account),
        sync_count: account.state.syncCount,
      });
      await continueAsNew<typeof accountWorkflow>({ ...input, state: account.carriedState() });
    }
  }

  if (account.disconnecting) {
    // Disconnect: revoke at the provider (best effort), delete the tokens, and end.
    account.disconnectedWith(await quick.disconnectAccount(account.state.accountId));
    log.info('account workflow finished', {
      event_type: 'account_workflow_finished',
      ...logAttrs(account),
      status: account.state.status,
      revoked: account.disconnected!.revoked,
    });
  } else {
    log.info('account workflow finished: the account is no longer connected', {
      event_type: 'account_workflow_finished',
      ...logAttrs(account),
      status: account.state.status,
    });
  }
  await showState(account);
  await condition(allHandlersFinished);
  return account.state.status;
}

/** Loads the stored account; a deleted one ends the workflow (issue 10 item 7) rather than failing it. */
async function load(account: AccountEntity, use: (facts: AccountSnapshot) => void): Promise<void> {
  try {
    use(await quick.loadAccount(account.state.accountId));
  } catch (error) {
    if (failureType(error) !== 'AccountNotFound') throw error;
    account.gone();
  }
}

// --- Updates ------------------------------------------------------------------------------------------

async function syncNow(account: AccountEntity) {
  account.requestSync();
  await condition(() => account.state.currentSync?.trigger === 'manual' || account.ending);
  if (!account.state.currentSync) throw ApplicationFailure.nonRetryable('The account was disconnected.');
  return account.state.currentSync;
}

async function refreshNow(account: AccountEntity) {
  if (account.state.status === 'connecting') {
    // Accepted before the first load (validator): decide once the stored tokens are known.
    await condition(() => account.state.status !== 'connecting');
    try {
      account.assertCanRefresh();
    } catch (error) {
      throw ApplicationFailure.nonRetryable((error as Error).message, 'RefreshRefused');
    }
  }
  const mine = account.requestRefresh();
  await condition(() => mine.done);
  if (mine.error) throw ApplicationFailure.nonRetryable(mine.error, 'RefreshFailed');
  return { tokenExpiresAt: account.state.tokenExpiresAt };
}

async function disconnect(account: AccountEntity) {
  account.requestDisconnect();
  await condition(() => account.disconnected !== null);
  return { status: 'disconnected' as const, ...account.disconnected! };
}

// --- The loop's steps ---------------------------------------------------------------------------------

/** Waits for a request or for what the clock brings next; undefined when a reload or disconnect came first. */
async function nextJob(account: AccountEntity) {
  // A request already queued shows itself when it starts; otherwise show the state the wait begins in.
  if (!account.interrupted) await showState(account);
  const next = account.nextDue();
  const wake = () => account.interrupted;
  const woke = next
    ? await condition(wake, Math.max(1, Date.parse(next.at) - Date.now()), {
        summary: `next: ${next.job.kind} at ${next.at}${next.why ? ` (${next.why})` : ''}`,
      })
    : (await condition(wake), true);
  if (account.disconnecting || account.reloadPending) return undefined;
  return woke ? account.takeRequest()! : next!.job;
}

async function run(account: AccountEntity, job: Due['job']): Promise<void> {
  if (job.kind === 'sync') {
    await runSync(account, job.trigger);
    account.schedule(Date.now());
  } else if (job.kind === 'refresh') {
    account.refreshRan(await runRefresh(account));
  } else if (job.kind === 'warn') {
    account.warn();
    log.warn('reconnect soon', { event_type: 'reconnect_warning', ...logAttrs(account), token_expires_at: account.state.tokenExpiresAt });
  } else {
    await markReconnectRequired(account, 'the access token expired and cannot be refreshed.');
  }
}

async function runSync(account: AccountEntity, trigger: SyncTrigger): Promise<void> {
  const { state } = account;
  const job = account.startSync(trigger, workflowInfo().runId, Date.now());
  const syncAccount = () => syncActivity(state.policy).syncAccount({ accountId: state.accountId, jobId: job.jobId, trigger });
  try {
    if (account.refreshBeforeSync(Date.now())) await runRefresh(account);
    if (state.status === 'reconnect_required')
      throw ApplicationFailure.nonRetryable(state.statusMessage ?? 'Reconnect required.', 'GrantRevoked');
    // Item 4: an expired token that could not be refreshed is not worth a sync that must fail with a 401.
    const blocked = account.syncBlockedBy(Date.now());
    if (blocked && patched('skip-sync-with-expired-token')) {
      await quick.finishFailedSync({ jobId: job.jobId, accountId: state.accountId, trigger, message: blocked, outcome: 'skipped' });
      account.syncFailed(job, blocked, Date.now(), 'skipped');
      log.warn('sync skipped', { event_type: 'sync_skipped', ...logAttrs(account), job_id: job.jobId, reason: blocked });
      return;
    }
    const statusMessage = state.statusMessage; // a refresh still failing keeps saying so while the sync runs
    account.setStatus('syncing', null);
    await showState(account);
    let summary: SyncSummary;
    try {
      summary = await syncAccount();
    } catch (error) {
      // A 401 may only mean the access token died early: refresh once and resume the same job.
      if (!describeFailure(error).grantRevoked || !state.canRefresh) throw error;
      const refreshError = await runRefresh(account);
      if (refreshError !== undefined) {
        // Items 1 and 2: only the refresh can tell whether the grant is dead. It failed for another reason
        // (the provider down, the app's credentials), so the sync failed and the account lives on.
        if (account.reconnectNeeded || !patched('sync-401-after-transient-refresh')) throw error;
        throw ApplicationFailure.nonRetryable(`the token could not be refreshed after a 401 (${refreshError})`, 'RefreshFailed');
      }
      account.setStatus('syncing', null);
      await showState(account);
      summary = await syncAccount();
    }
    account.syncSucceeded(job, summary, Date.now());
    if (state.refreshFailures) account.setStatus('active', statusMessage);
  } catch (error) {
    const failure = describeFailure(error);
    await quick.finishFailedSync({ jobId: job.jobId, accountId: state.accountId, trigger, message: failure.message });
    account.syncFailed(job, failure.message, Date.now());
    if (failure.grantRevoked && state.status !== 'reconnect_required') await markReconnectRequired(account, failure.message);
    else if (!failure.grantRevoked) {
      if (failure.type === 'AppCredentialsRejected') account.setStatus('active', account.appCredentialsRejected(failure.message));
      else if (state.refreshFailures)
        account.setStatus('active', state.statusMessage); // the refresh's reason says more
      else account.setStatus('active', `Last sync failed: ${failure.message}`);
      // Item 7: a sync that found no tokens may mean the account was disconnected behind our back.
      if (failure.type === 'ProviderRejected' && patched('end-when-row-disconnected'))
        await load(account, (facts) => account.rowChecked(facts));
    }
  } finally {
    account.syncEnded();
  }
}

/** Refreshes the access token; the failure's message if it failed. */
async function runRefresh(account: AccountEntity): Promise<string | undefined> {
  account.setStatus('refreshing', null);
  await showState(account);
  try {
    account.refreshed((await tokens.refreshAccessToken(account.state.accountId)).tokenExpiresAt);
    return undefined;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.grantRevoked) await markReconnectRequired(account, failure.message);
    else if (patched('refresh-backoff')) account.refreshFailed(failure.message, failure.type === 'AppCredentialsRejected', Date.now());
    else account.setStatus('active', `Token refresh failed: ${failure.message}`);
    return failure.message;
  } finally {
    account.schedule(Date.now());
  }
}

async function markReconnectRequired(account: AccountEntity, reason: string): Promise<void> {
  account.reconnectRequired(reason);
  await quick.setAccountStatus({ accountId: account.state.accountId, status: 'reconnect_required', message: account.state.statusMessage });
  log.warn('reconnect required', { event_type: 'reconnect_required', ...logAttrs(account), reason });
}

/** Writes the visible state to the dashboard's projection if it changed since the last write. */
async function showState(account: AccountEntity): Promise<void> {
  if (!patched('sync-state-projection')) return;
  const view = account.projectionIfChanged(Date.now());
  if (view) await projection.recordAccountState(view);
}

// --- Helpers ------------------------------------------------------------------------------------------

// Every workflow log line also carries workflow_id, run_id and workflow_type (added by the SDK).
function logAttrs({ state }: AccountEntity) {
  return { account_id: state.accountId, business_id: state.businessId, platform: state.platform };
}

function describeFailure(error: unknown): { message: string; type: string | undefined; grantRevoked: boolean } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const type = failureType(error);
  return { message: cause instanceof Error ? cause.message : String(cause), type, grantRevoked: type === 'GrantRevoked' };
}

/** The ApplicationFailure type an activity (or the workflow itself) failed with, if any. */
function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function publishSearchAttributes(state: AccountState): void {
  upsertSearchAttributes([
    { key: searchAttributes.businessId, value: String(state.businessId) },
    { key: searchAttributes.platform, value: state.platform },
    { key: searchAttributes.accountStatus, value: state.status },
    { key: searchAttributes.tokenExpiresAt, value: state.tokenExpiresAt ? new Date(state.tokenExpiresAt) : null },
  ]);
}
