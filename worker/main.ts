// The worker process: runs workflows and activities until SIGINT/SIGTERM, then drains and exits.
import { NativeConnection } from '@temporalio/worker';
import { config } from '../lib/config.js';
import { openDatabase } from '../lib/db/data-source.js';
import { createLogger } from '../lib/logger.js';
import { initSentry } from '../lib/sentry.js';
import { createWorker } from './worker.js';

const settings = config();
const logger = createLogger('worker');
initSentry(settings, 'worker');

if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required for the worker.');
const db = await openDatabase(settings.DATABASE_URL);
const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
const worker = await createWorker({
  connection,
  namespace: settings.TEMPORAL_NAMESPACE,
  taskQueue: settings.TEMPORAL_TASK_QUEUE,
  deps: { db },
});
logger.info({ event_type: 'worker_started', task_queue: settings.TEMPORAL_TASK_QUEUE }, 'worker started');
// The SDK handles SIGINT/SIGTERM by draining in-flight tasks, which resolves run().
await worker.run();
await connection.close();
await db.destroy();
logger.info({ event_type: 'worker_stopped' }, 'worker stopped');
