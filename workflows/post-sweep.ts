// The safety sweep (decision 013): run by a Temporal Schedule (`post-sweep:<task queue>`, created by the
// worker), it starts the workflow of every due post that is still scheduled or publishing, or pokes the
// running one, so a post whose workflow was terminated, deleted or never started is published anyway.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const sweep = proxyActivities<Activities>({
  summary: 'Start or poke the workflow of every due post',
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function postSweepWorkflow(): Promise<number> {
  return (await sweep.sweepDuePosts()).poked;
}
