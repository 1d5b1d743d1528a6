// Domain events and counters from inside activities.
//
// Logs go through the activity context's logger (`Context.current().log`), which the Temporal Runtime
// routes into pino with activity_type, attempt, workflow_id and run_id on every line.
//
// Counters go through the activity context's metric meter: the worker's metrics are the Temporal SDK's,
// exported by the SDK's own Prometheus endpoint (WORKER_METRICS_PORT), and these are served on that same
// endpoint: one scrape target per worker, no second HTTP server.
import { Context } from '@temporalio/activity';
import type { LogMetadata } from '@temporalio/common';

type Level = 'debug' | 'info' | 'warn' | 'error';
export type ActivityLog = Record<Level, (message: string, fields?: LogMetadata) => void>;

const silent: ActivityLog = { debug() {}, info() {}, warn() {}, error() {} };

/** The current activity's logger; silent when called outside an activity (direct calls in unit tests). */
export function activityLog(): ActivityLog {
  try {
    return Context.current().log;
  } catch {
    return silent;
  }
}

type Tags = Record<string, string | number | boolean>;

/**
 * Adds to a counter on the SDK's metric meter. The activity's meter tags every point with namespace,
 * task_queue and activity_type; a no-op meter when the worker runs without a metrics exporter.
 */
function countInActivity(name: string, description: string, tags: Tags): void {
  try {
    Context.current().metricMeter.createCounter(name, '1', description).add(1, tags);
  } catch {
    // outside an activity (unit tests calling the function directly): nothing to record
  }
}

export const workerMetrics = {
  syncOutcome(platform: string, outcome: 'success' | 'error', trigger: string): void {
    countInActivity('social_sync_sync_outcomes', 'Account syncs finished, by platform, outcome and trigger.', {
      platform,
      outcome,
      trigger,
    });
  },
  tokenRefresh(platform: string, outcome: 'success' | 'failed'): void {
    countInActivity('social_sync_token_refreshes', 'Token refresh attempts by platform and outcome.', { platform, outcome });
  },
  tokenExchange(platform: string, outcome: 'success' | 'failed'): void {
    countInActivity('social_sync_token_exchanges', 'OAuth code exchange attempts by platform and outcome.', { platform, outcome });
  },
  reconnectRequired(): void {
    countInActivity('social_sync_reconnect_required', 'Accounts that turned reconnect_required.', {});
  },
  postTarget(platform: string, outcome: 'published' | 'failed' | 'unconfirmed'): void {
    countInActivity('social_sync_post_targets', 'Post targets settled, by platform and outcome (published, failed, unconfirmed).', {
      platform,
      outcome,
    });
  },
  disconnect(platform: string, revoked: boolean): void {
    countInActivity('social_sync_disconnects', 'Accounts disconnected, by platform and whether the provider revoked the grant.', {
      platform,
      revoked: String(revoked),
    });
  },
};
