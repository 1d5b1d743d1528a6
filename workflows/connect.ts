// A short workflow per OAuth callback (or Meta page pick): exchange in an activity, then start or wake
// each account's own workflow. Its input and result hold ids and names only, never a code or token.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ConnectOutcome } from '../activities/connect.js';
import type { ConnectInput } from './contract.js';

// Authorization codes die fast (X: 30 s), so the exchange retries quickly and not for long. Discovery
// (a grant with many Pages) heartbeats, so it may take minutes while a dead worker is seen in seconds.
const { exchangeAuthorizationCode, connectMetaSelection } = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '30 seconds', // above the 15 s HTTP timeout of the exchange, which does not heartbeat
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 4 },
});
// Starting (or waking) an account's workflow is one short, idempotent call: a local activity, run in the
// same workflow task that takes the exchange's result, so the OAuth callback waiting for this workflow
// does not also wait for an activity task's round trip through the server (issue 12).
const ensureOptions = { startToCloseTimeout: '10 seconds', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } } as const;
const ensureTask = proxyActivities<Activities>(ensureOptions);
const ensureLocal = proxyLocalActivities<Activities>(ensureOptions);

export async function connectWorkflow(input: ConnectInput): Promise<ConnectOutcome> {
  const outcome = input.kind === 'oauth_callback' ? await exchangeAuthorizationCode(input.oauthStateId) : await connectMetaSelection(input);
  const { ensureAccountWorkflow } = patched('ensure-account-workflow-locally') ? ensureLocal : ensureTask;
  for (const account of outcome.accounts) await ensureAccountWorkflow(account);
  return outcome;
}
