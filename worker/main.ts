// The worker process: runs workflows and activities until SIGINT/SIGTERM, then drains and exits.
// Everything it logs (its own lines, the Temporal SDK and core, activities, workflows) is pino JSON;
// the SDK's Prometheus metrics are served on WORKER_METRICS_PORT (0: off).
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { assertProductionReady, config } from '../lib/config.js';
import { openDatabase } from '../lib/db/data-source.js';
import { createLogger } from '../lib/logger.js';
import { initSentry, reportTemporalProblem, Sentry } from '../lib/sentry.js';
import { bundlerLogger, installTemporalRuntime } from '../lib/temporal-logging.js';
import { ensurePostSweepSchedule } from '../lib/post-workflows.js';
import { connectTemporal } from '../lib/temporal.js';
import { createWorker, workflowsPath } from './worker.js';

const settings = config();
assertProductionReady(settings, 'worker');
const logger = createLogger('worker', { level: settings.LOG_LEVEL });
const sentryOn = initSentry(settings, 'worker');
const metricsBindAddress = settings.WORKER_METRICS_PORT ? `${settings.WORKER_METRICS_HOST}:${settings.WORKER_METRICS_PORT}` : undefined;
// Before anything touches the SDK's native side: the Runtime is a process-wide singleton.
const runtime = installTemporalRuntime({ logger, metricsBindAddress, onProblem: sentryOn ? reportTemporalProblem : undefined });

if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required for the worker.');
const db = await openDatabase(settings.DATABASE_URL);
// Bundled here, once, with a logger that keeps webpack's output out of the logs unless it warns.
const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: bundlerLogger(logger) });
const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
const temporal = await connectTemporal({ address: settings.TEMPORAL_ADDRESS, namespace: settings.TEMPORAL_NAMESPACE });
const worker = await createWorker({ connection, config: settings, db, temporal, workflowBundle });
if (settings.POST_SWEEP_SECONDS > 0) await ensurePostSweepSchedule(temporal, settings.TEMPORAL_TASK_QUEUE, settings.POST_SWEEP_SECONDS);
logger.info(
  {
    event_type: 'worker_started',
    task_queue: settings.TEMPORAL_TASK_QUEUE,
    metrics: runtime.metrics ? `http://${metricsBindAddress}/metrics` : null,
  },
  'worker started',
);
// The SDK handles SIGINT/SIGTERM by draining in-flight tasks, which resolves run().
await worker.run();
await temporal.connection.close();
await connection.close();
await db.destroy();
logger.info({ event_type: 'worker_stopped' }, 'worker stopped');
await Sentry.close(2_000);
