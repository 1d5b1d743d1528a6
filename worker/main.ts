// The worker process: runs workflows and activities until SIGINT/SIGTERM, then drains and exits.
import { NativeConnection } from '@temporalio/worker';
import { assertProductionReady, config } from '../lib/config.js';
import { openDatabase } from '../lib/db/data-source.js';
import { createLogger } from '../lib/logger.js';
import { initSentry } from '../lib/sentry.js';
import { connectTemporal } from '../lib/temporal.js';
import { createWorker } from './worker.js';

const settings = config();
assertProductionReady(settings, 'worker');
const logger = createLogger('worker');
initSentry(settings, 'worker');

if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required for the worker.');
const db = await openDatabase(settings.DATABASE_URL);
const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
const temporal = await connectTemporal({ address: settings.TEMPORAL_ADDRESS, namespace: settings.TEMPORAL_NAMESPACE });
const worker = await createWorker({ connection, config: settings, db, temporal });
logger.info({ event_type: 'worker_started', task_queue: settings.TEMPORAL_TASK_QUEUE }, 'worker started');
// The SDK handles SIGINT/SIGTERM by draining in-flight tasks, which resolves run().
await worker.run();
await temporal.connection.close();
await connection.close();
await db.destroy();
logger.info({ event_type: 'worker_stopped' }, 'worker stopped');
