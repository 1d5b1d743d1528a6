// Recording workflow histories for the replay tests: `npm run record:histories` runs the account
// workflow scenarios against the real servers and adds every run's history to test/histories/, in the
// same JSON form as `temporal workflow show --output json`. It never replaces or deletes a recorded
// history: those pin what running workflows did, so today's code must keep replaying them. Keep the new
// files that pin a new path and delete the rest.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestSystem } from './system.js';

export const HISTORIES_DIR = path.resolve('test/histories');

export async function recordHistories(system: TestSystem): Promise<number> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  let count = 0;
  for await (const wf of system.temporal.workflow.list({ query: `TaskQueue = "${system.config.TEMPORAL_TASK_QUEUE}"` })) {
    const history = await system.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const file = path.join(
      HISTORIES_DIR,
      `${wf.workflowId.replaceAll(':', '_')}__${wf.status.name.toLowerCase()}__${wf.runId.slice(0, 13)}.json`,
    );
    if (existsSync(file)) continue;
    writeFileSync(file, historyToJSON(history));
    count++;
  }
  return count;
}
