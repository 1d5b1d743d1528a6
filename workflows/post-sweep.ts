// The safety sweep (decision 013): run by a Temporal Schedule (`post-sweep:<task queue>`, created by the
// worker), it starts the workflow of every due post that is still scheduled or publishing, or pokes the
// running one, so a post whose workflow was terminated, deleted or never started is published anyway.
// Then it removes uploaded images nobody uses (activities/media-cleanup.ts): the same Schedule, so no
// second one to create, watch and pause.
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const sweep = proxyActivities<Activities>({
  summary: 'Start or poke the workflow of every due post',
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

const cleanup = proxyActivities<Activities>({
  summary: 'Remove uploaded images nobody uses',
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function postSweepWorkflow(): Promise<number> {
  const { poked } = await sweep.sweepDuePosts();
  if (patched('media-cleanup')) {
    // Housekeeping: a failure is logged, never the sweep's; the next run tries again.
    await cleanup
      .removeUnusedMedia()
      .catch((error: unknown) => log.warn('media cleanup failed', { event_type: 'media_cleanup_failed', error: String(error) }));
  }
  return poked;
}
