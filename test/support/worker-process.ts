// A worker in a child process, for crash tests: the real worker (worker/worker.ts) configured from the
// environment like worker/main.ts, but on the suite's prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH),
// so a test can start one quickly and kill -9 it at the moment it chooses. Prints "ready" once polling.
import { NativeConnection } from '@temporalio/worker';
import { config } from '../../lib/config.js';
import { openDatabase } from '../../lib/db/data-source.js';
import { connectTemporal } from '../../lib/temporal.js';
import { createWorker } from '../../worker/worker.js';

const settings = config();
const db = await openDatabase(settings.DATABASE_URL!, { poolSize: 4 });
const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
const temporal = await connectTemporal({ address: settings.TEMPORAL_ADDRESS, namespace: settings.TEMPORAL_NAMESPACE });
const worker = await createWorker({
  connection,
  config: settings,
  db,
  temporal,
  workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! },
});
await worker.runUntil(async () => {
  process.stdout.write('ready\n');
  await new Promise(() => undefined); // until killed
});
