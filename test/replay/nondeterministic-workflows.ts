// A deliberately non-deterministic edit of the account workflow: it now waits on a timer before doing
// what it did before. Histories recorded with the real code must refuse to replay against this.
import { sleep } from '@temporalio/workflow';
import { accountWorkflow as realAccountWorkflow } from '../../workflows/account.js';
import type { AccountWorkflowInput } from '../../workflows/contract.js';

export { connectWorkflow } from '../../workflows/connect.js';

export async function accountWorkflow(input: AccountWorkflowInput) {
  await sleep('1 second');
  return realAccountWorkflow(input);
}
