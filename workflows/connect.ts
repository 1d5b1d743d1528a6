// A short workflow per OAuth callback (or Meta page pick): exchange in an activity, then start or wake
// each account's own workflow. Its input and result hold ids and names only, never a code or token.
import { proxyActivities } from '@temporalio/workflow';
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
const { ensureAccountWorkflow } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function connectWorkflow(input: ConnectInput): Promise<ConnectOutcome> {
  const outcome = input.kind === 'oauth_callback' ? await exchangeAuthorizationCode(input.oauthStateId) : await connectMetaSelection(input);
  for (const account of outcome.accounts) await ensureAccountWorkflow(account);
  return outcome;
}
