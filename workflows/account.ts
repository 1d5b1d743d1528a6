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
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
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

export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountStatus> {
  const account = new AccountEntity(input, publishSearchAttributes);
  // Handlers are registered before the first await, so a query or update sent at start finds them.
  setHandler(statusQuery, () => account.view(workflowInfo().workflowId));
  setHandler(reconnectedSignal, () => account.reconnected());
  setHandler(syncNowUpdate, () => syncNow(account), { validator: () => account.assertCanSync() });
  setHandler(refreshNowUpdate, () => refreshNow(account), { validator: () => account.assertCanRefresh() });
  setHandler(disconnectUpdate, () => disconnect(account), { validator: () => account.assertCanDisconnect() });

  account.publishIfChanged();
  log.info('account workflow running', { event_type: 'account_workflow_started', ...logAttrs(account), continued: Boolean(input.state) });
  while (!account.disconnecting) {
    if (account.reloadPending) {
      account.reloadPending = false;
      account.loaded(await quick.loadAccount(account.state.accountId), Date.now());
      continue;
    }
    const job = await nextJob(account);
    if (!job) continue; // interrupted by a reload or a disconnect
    await run(account, job);
    if (account.cycleDone(workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      log.info('continuing as new', { event_type: 'account_workflow_continued', ...logAttrs(account), sync_count: account.state.syncCount });
      await continueAsNew<typeof accountWorkflow>({ ...input, state: account.carriedState() });
    }
  }

  // Disconnect: revoke at the provider (best effort), delete the tokens, and end.
  account.disconnectedWith(await quick.disconnectAccount(account.state.accountId));
  log.info('account workflow finished', { event_type: 'account_workflow_finished', ...logAttrs(account), status: account.state.status, revoked: account.disconnected!.revoked });
  await condition(allHandlersFinished);
  return account.state.status;
}

// --- Updates ------------------------------------------------------------------------------------------

async function syncNow(account: AccountEntity) {
  account.requestSync();
  await condition(() => account.state.currentSync?.trigger === 'manual' || account.disconnecting);
  if (!account.state.currentSync) throw ApplicationFailure.nonRetryable('The account was disconnected.');
  return account.state.currentSync;
}

async function refreshNow(account: AccountEntity) {
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
  const next = account.nextDue();
  const wake = () => account.interrupted;
  const woke = next
    ? await condition(wake, Math.max(1, Date.parse(next.at) - Date.now()), { summary: `next: ${next.job.kind} at ${next.at}` })
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
    if (state.status === 'reconnect_required') throw ApplicationFailure.nonRetryable(state.statusMessage ?? 'Reconnect required.', 'GrantRevoked');
    account.setStatus('syncing', null);
    let summary: SyncSummary;
    try {
      summary = await syncAccount();
    } catch (error) {
      // A 401 may only mean the access token died early: refresh once and resume the same job.
      if (!describeFailure(error).grantRevoked || !state.canRefresh || (await runRefresh(account)) !== undefined) throw error;
      account.setStatus('syncing', null);
      summary = await syncAccount();
    }
    account.syncSucceeded(job, summary, Date.now());
  } catch (error) {
    const failure = describeFailure(error);
    await quick.finishFailedSync({ jobId: job.jobId, accountId: state.accountId, trigger, message: failure.message });
    account.syncFailed(job, failure.message, Date.now());
    if (failure.grantRevoked && state.status !== 'reconnect_required') await markReconnectRequired(account, failure.message);
    else if (!failure.grantRevoked) account.setStatus('active', `Last sync failed: ${failure.message}`);
  } finally {
    account.syncEnded();
  }
}

/** Refreshes the access token; the failure's message if it failed. */
async function runRefresh(account: AccountEntity): Promise<string | undefined> {
  account.setStatus('refreshing', null);
  try {
    account.refreshed((await tokens.refreshAccessToken(account.state.accountId)).tokenExpiresAt);
    return undefined;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.grantRevoked) await markReconnectRequired(account, failure.message);
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

// --- Helpers ------------------------------------------------------------------------------------------

// Every workflow log line also carries workflow_id, run_id and workflow_type (added by the SDK).
function logAttrs({ state }: AccountEntity) {
  return { account_id: state.accountId, business_id: state.businessId, platform: state.platform };
}

function describeFailure(error: unknown): { message: string; grantRevoked: boolean } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  return { message: cause instanceof Error ? cause.message : String(cause), grantRevoked: type === 'GrantRevoked' };
}

function publishSearchAttributes(state: AccountState): void {
  upsertSearchAttributes([
    { key: searchAttributes.businessId, value: String(state.businessId) },
    { key: searchAttributes.platform, value: state.platform },
    { key: searchAttributes.accountStatus, value: state.status },
    { key: searchAttributes.tokenExpiresAt, value: state.tokenExpiresAt ? new Date(state.tokenExpiresAt) : null },
  ]);
}
