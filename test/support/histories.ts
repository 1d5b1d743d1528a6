// Recording workflow histories for the replay tests: `npm run record:histories` runs the account
// workflow scenarios against the real servers and saves every run's history to test/histories/, in the
// same JSON form as `temporal workflow show --output json`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestSystem } from './system.js';

export const HISTORIES_DIR = path.resolve('test/histories');

export async function recordHistories(system: TestSystem): Promise<number> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const file of readdirSync(HISTORIES_DIR)) if (file.endsWith('.json')) rmSync(path.join(HISTORIES_DIR, file));
  let count = 0;
  for await (const wf of system.temporal.workflow.list({ query: `TaskQueue = "${system.config.TEMPORAL_TASK_QUEUE}"` })) {
    const history = await system.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const name = `${wf.workflowId.replaceAll(':', '_')}__${wf.status.name.toLowerCase()}__${wf.runId.slice(0, 13)}.json`;
    writeFileSync(path.join(HISTORIES_DIR, name), historyToJSON(history));
    count++;
  }
  return count;
}
