// Per-test-file resources on the servers global-setup started: a private database copied from the
// migrated template, a Temporal client, and a worker on a task queue of its own.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../lib/config.js';
import { generateKeyEntry } from '../../lib/crypto/keyring.js';
import { openDatabase } from '../../lib/db/data-source.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { reportTemporalProblem } from '../../lib/sentry.js';
import { installTemporalRuntime } from '../../lib/temporal-logging.js';
import { connectTemporal } from '../../lib/temporal.js';
import { ensureDatabase } from '../../scripts/stack.js';
import { createWorker } from '../../worker/worker.js';

const TEMPLATE_DB = 'social_sync_template';
/** One key ring per test process, like a deployment's. */
export const TEST_KEYS = generateKeyEntry('test1');

export async function createTestDatabase(): Promise<{ url: string; db: DataSource }> {
  const url = new URL(inject('templateDatabaseUrl'));
  url.pathname = `/t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(url.toString(), TEMPLATE_DB);
  return { url: url.toString(), db: await openDatabase(url.toString(), { poolSize: 4 }) };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'debug',
    TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
    WORKER_METRICS_PORT: '0', // a test that scrapes the worker picks a free port
    ...overrides,
  });
}

export function testTemporalClient(): Promise<Client> {
  return connectTemporal({ address: inject('temporalAddress'), namespace: 'default' });
}

/** A logger whose JSON lines are kept in memory, so tests can read (and scan) what was logged. */
export function capturingLogger(service: string): { logger: Logger; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(service, { level: 'debug', destination });
  const raw = () => chunks.join('');
  return {
    logger,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

/**
 * What the Temporal Runtime logged in this test process: the SDK and core, activities and workflows,
 * as the worker process logs them. The Runtime is process-wide, so this is too.
 */
export const workerLog = capturingLogger('worker');

export interface RunningTestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function startTestWorker(config: Config, db: DataSource): Promise<RunningTestWorker> {
  // Once per process, before the first native connection (as worker/main.ts does).
  installTemporalRuntime({
    logger: workerLog.logger,
    metricsBindAddress: config.WORKER_METRICS_PORT ? `127.0.0.1:${config.WORKER_METRICS_PORT}` : undefined,
    onProblem: reportTemporalProblem, // a no-op unless the test initialised Sentry
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = await testTemporalClient();
  const worker = await createWorker({
    connection,
    config,
    db,
    temporal,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    // Once only: a test that stops the worker and fails before starting another leaves this for afterAll.
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await temporal.connection.close();
        await connection.close();
      })();
      return stopped;
    },
  };
}
