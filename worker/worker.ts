// Builds the Temporal worker: the bundled workflows plus activities bound to their dependencies.
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { In, type DataSource } from 'typeorm';
import { createActivities } from '../activities/index.js';
import { providersFor } from '../providers/registry.js';
import type { Config } from '../lib/config.js';
import { keyringFromEnv } from '../lib/crypto/keyring.js';
import { mediaForPublishing } from '../lib/media-urls.js';
import { mediaStorageFor } from '../lib/media-storage.js';
import { MediaEntity } from '../lib/db/entities.js';
import type { MediaForPublishing } from '../activities/publish.js';
import type { AccountPolicy } from '../workflows/contract.js';
import { activityInterceptors } from './interceptors.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface CreateWorkerOptions {
  connection: NativeConnection;
  config: Config;
  db: DataSource;
  /** A client for activities that start or signal workflows. */
  temporal: Client;
  /** A prebuilt bundle (tests build one and share it); otherwise workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

function accountPolicy(config: Config): AccountPolicy {
  return {
    syncIntervalMs: config.SYNC_INTERVAL_SECONDS * 1000,
    refreshLeadMs: config.TOKEN_REFRESH_LEAD_SECONDS * 1000,
    reconnectWarningMs: config.RECONNECT_WARNING_SECONDS * 1000,
    syncHeartbeatTimeoutMs: config.SYNC_HEARTBEAT_TIMEOUT_SECONDS * 1000,
    maxCyclesPerRun: config.ACCOUNT_MAX_CYCLES_PER_RUN,
    refreshRetryInitialMs: config.TOKEN_REFRESH_RETRY_SECONDS * 1000,
    refreshRetryMaxMs: 3_600_000, // a refresh that keeps failing is retried at least hourly (issue 10 item 4)
  };
}

/** A post's images in the post's order, as publishers take them (bytes read on demand, a signed URL). */
function postMedia(db: DataSource, config: Config): MediaForPublishing {
  const describe = mediaForPublishing(config);
  return async (businessId, mediaIds) => {
    const rows = await db.getRepository(MediaEntity).findBy({ businessId, id: In([...mediaIds]) });
    return Promise.all(
      mediaIds.map((id) => {
        const row = rows.find((media) => media.id === id);
        if (!row) throw new Error(`image ${id} no longer exists`);
        return describe(row);
      }),
    );
  };
}

export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { config } = options;
  return Worker.create({
    connection: options.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({
      db: options.db,
      keyring: keyringFromEnv(config.TOKEN_ENCRYPTION_KEYS),
      providers: providersFor(config),
      temporal: options.temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      policy: accountPolicy(config),
      syncPolicy: { fullRescanMs: config.SYNC_FULL_RESCAN_HOURS * 3_600_000, recentMs: config.SYNC_RECENT_DAYS * 86_400_000 },
      mediaForPublishing: postMedia(options.db, config),
      mediaStorage: mediaStorageFor(config),
    }),
    // On SIGTERM, in-flight activities get this long to finish: above the providers' 15 s HTTP timeout,
    // so a refresh whose provider call already rotated the token stores it (compose allows 60 s).
    shutdownGraceTime: '45 seconds',
    // Memory stays bounded as accounts grow: at most this many workflows stay cached (measured about
    // 0.34 MB each; README "Scale"); one that is evicted replays its history when its timer fires.
    // Sticky queues stay on (cached workflows skip replay); a sticky task not picked up in 10 s goes to
    // any worker, so a second worker on the same task queue shares the load.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    stickyQueueScheduleToStartTimeout: '10 seconds',
    // Sentry reporting of activity failures (final attempts only) and per-activity isolation scopes.
    interceptors: { activity: [activityInterceptors] },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
  });
}
