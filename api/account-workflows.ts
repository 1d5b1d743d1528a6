// How the API drives account workflows: start (or reuse) one per account, query it, update it.
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Platform } from '../lib/domain.js';
import { accountWorkflowId, searchAttributes } from '../lib/temporal.js';
import { accountWorkflow, statusQuery, type AccountStatusView } from '../workflows/account.js';

export interface AccountRef {
  id: number;
  businessId: number;
  platform: Platform;
  username: string | null;
}

/** Starts the account's workflow, or leaves the running one alone (a connect is idempotent). */
export async function startAccountWorkflow(client: Client, taskQueue: string, account: AccountRef) {
  return client.workflow.start(accountWorkflow, {
    workflowId: accountWorkflowId(account.id),
    taskQueue,
    args: [{ accountId: account.id, businessId: account.businessId, platform: account.platform }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `${account.platform} account ${account.username ?? account.id} of business ${account.businessId}`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: searchAttributes.businessId, value: String(account.businessId) },
      { key: searchAttributes.platform, value: account.platform },
      { key: searchAttributes.accountStatus, value: 'connecting' },
    ]),
  });
}

export function queryAccountStatus(client: Client, accountId: number): Promise<AccountStatusView> {
  return client.workflow.getHandle(accountWorkflowId(accountId)).query(statusQuery);
}
