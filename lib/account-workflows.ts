// Client-side handles on account workflows, used by the API, the connect activity and the tools.
import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import {
  accountWorkflowId,
  disconnectUpdate,
  refreshNowUpdate,
  reconnectedSignal,
  statusQuery,
  syncNowUpdate,
  type AccountStatusView,
  type AccountWorkflowInput,
} from '../workflows/contract.js';
import type { Platform } from './domain.js';
import { searchAttributes } from './temporal-keys.js';

export interface AccountRef {
  id: number;
  businessId: number;
  platform: Platform;
  username: string | null;
}

function startOptions(taskQueue: string, account: AccountRef) {
  return {
    workflowId: accountWorkflowId(account.id),
    taskQueue,
    args: [{ accountId: account.id, businessId: account.businessId, platform: account.platform } satisfies AccountWorkflowInput] as const,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `${account.platform} account ${account.username ?? account.id} of business ${account.businessId}`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: searchAttributes.businessId, value: String(account.businessId) },
      { key: searchAttributes.platform, value: account.platform },
      { key: searchAttributes.accountStatus, value: 'connecting' },
    ]),
  };
}

/** Starts the account's workflow, or tells the running one that new tokens were stored. */
export async function ensureAccountWorkflow(client: Client, taskQueue: string, account: AccountRef) {
  return client.workflow.signalWithStart('accountWorkflow', {
    ...startOptions(taskQueue, account),
    args: [...startOptions(taskQueue, account).args],
    signal: reconnectedSignal,
    signalArgs: [],
  });
}

/**
 * The live detail of one account, from its workflow. With `deadlineMs` the query is cancelled (the gRPC
 * call's deadline) when no worker answers in time, rather than left running after the caller gave up.
 */
export function queryAccountStatus(client: Client, accountId: number, deadlineMs?: number): Promise<AccountStatusView> {
  const query = () => client.workflow.getHandle(accountWorkflowId(accountId)).query(statusQuery);
  return deadlineMs === undefined ? query() : client.withDeadline(Date.now() + deadlineMs, query);
}

/** An update the workflow's validator refused carries its reason; callers show it as a 409. */
export class AccountActionRefused extends Error {
  override name = 'AccountActionRefused';
}

async function refusedAsError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new AccountActionRefused(error.cause?.message ?? error.message);
    // An operator terminated the workflow (a reconnect or a disconnect starts it again): a refusal, not a fault.
    if (error instanceof WorkflowNotFoundError) {
      throw new AccountActionRefused('The account workflow is not running. Reconnect the account to restart it.');
    }
    throw error;
  }
}

export function syncAccountNow(client: Client, accountId: number) {
  return refusedAsError(() => client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(syncNowUpdate));
}

export function refreshAccountNow(client: Client, accountId: number) {
  return refusedAsError(() => client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(refreshNowUpdate));
}

/** Disconnects through the account's workflow, starting one first if none runs (so the same path revokes). */
export function disconnectAccountNow(client: Client, taskQueue: string, account: AccountRef) {
  return refusedAsError(() =>
    client.workflow.executeUpdateWithStart(disconnectUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation('accountWorkflow', {
        ...startOptions(taskQueue, account),
        args: [...startOptions(taskQueue, account).args],
      }),
    }),
  );
}
