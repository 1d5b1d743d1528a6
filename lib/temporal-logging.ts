// The Temporal SDK's logs (worker lifecycle, Rust core, activity `Context.log`, workflow `log`) routed
// into pino, with the SDK's camelCase attributes renamed to the fields every other line uses
// (workflow_id, run_id, activity_type, attempt, ...). Also installs the process's Temporal Runtime with
// the SDK's Prometheus exporter.
import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/worker';
import { withoutContext } from './context.js';
import { accountIdOfWorkflow } from '../workflows/ids.js';
import type { Logger } from './logger.js';

/** The SDK's attribute names and the names our lines use. Anything not listed passes through as is. */
const RENAMES: Record<string, string> = {
  sdkComponent: 'sdk_component',
  workflowId: 'workflow_id',
  runId: 'run_id',
  workflowRunId: 'run_id',
  workflowType: 'workflow_type',
  activityId: 'activity_id',
  activityType: 'activity_type',
  activityRunId: 'activity_run_id',
  taskQueue: 'task_queue',
  isLocal: 'is_local',
  updateId: 'update_id',
  updateName: 'update_name',
  durationMs: 'duration_ms',
  error: 'err',
};
/** Never logged: the activity task token can complete an activity from outside. */
const DROPPED = new Set(['taskToken']);

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Turns the SDK's log metadata into our field names; adds account_id for `account:<id>` workflows. */
export function temporalFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  for (const [key, value] of Object.entries(meta)) {
    if (DROPPED.has(key) || value === undefined) continue;
    // The Worker's own `state` (RUNNING, DRAINING...) is not an OAuth state: keep it out of redaction.
    if (key === 'state' && meta.sdkComponent === 'worker' && typeof value === 'string') fields.worker_state = value;
    else fields[RENAMES[key] ?? key] = value;
  }
  const workflowId = typeof fields.workflow_id === 'string' ? fields.workflow_id : undefined;
  const accountId = workflowId ? accountIdOfWorkflow(workflowId) : null;
  if (accountId !== null && fields.account_id === undefined) fields.account_id = accountId;
  return fields;
}

export interface TemporalLoggerOptions {
  /** Called for every line at WARN or above, after it is logged (Sentry reporting hooks in here). */
  onProblem?: (level: 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

/** A Temporal SDK `Logger` writing to pino. */
export function temporalLogger(logger: Logger, options: TemporalLoggerOptions = {}): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const pinoLevel = LEVELS[level] ?? 'info';
    if (!logger.isLevelEnabled(pinoLevel) && !(options.onProblem && (pinoLevel === 'warn' || pinoLevel === 'error'))) return;
    const fields = temporalFields(meta);
    // Lines are flushed from the SDK's buffer on its own timer: whatever request context happens to be
    // current then belongs to someone else, so the line carries only its own fields.
    withoutContext(() => logger[pinoLevel](fields, message));
    if (options.onProblem && (pinoLevel === 'warn' || pinoLevel === 'error')) {
      try {
        options.onProblem(pinoLevel, message, fields);
      } catch {
        // reporting must never break logging
      }
    }
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * A logger for `bundleWorkflowCode`: webpack's progress and stats would otherwise print at INFO every
 * time a worker starts. Only its warnings and errors get through.
 */
export function bundlerLogger(logger: Logger): TemporalLogger {
  const quiet = logger.child({ component: 'workflow-bundler' }, { level: 'warn' });
  return temporalLogger(quiet);
}

export interface RuntimeSettings {
  logger: Logger;
  /** Prometheus exporter address (`host:port`) for the SDK's metrics and ours; undefined: no exporter. */
  metricsBindAddress?: string;
  onProblem?: TemporalLoggerOptions['onProblem'];
}

/** The Rust core's own log level: its INFO and below are per-poll chatter, so WARN unless tracing. */
function coreLevel(logger: Logger): LogLevel {
  return logger.level === 'trace' ? 'INFO' : 'WARN';
}

/**
 * Installs the process's Temporal Runtime once: SDK, core, activity and workflow logs into pino, and
 * the Prometheus exporter when asked. When a Runtime already exists (a test process starting a second
 * worker) it is left as it is. A metrics address that cannot be bound is logged and the Runtime
 * installed without the exporter: metrics are not worth a worker outage.
 */
export function installTemporalRuntime(settings: RuntimeSettings): { installed: boolean; metrics: boolean } {
  if (Runtime._instance !== undefined) return { installed: false, metrics: false };
  const logger = temporalLogger(settings.logger.child({ component: 'temporal' }), { onProblem: settings.onProblem });
  const logging = { forward: {}, filter: { core: coreLevel(settings.logger), other: 'ERROR' as const } };
  if (settings.metricsBindAddress) {
    try {
      Runtime.install({
        logger,
        telemetryOptions: {
          logging,
          metrics: { prometheus: { bindAddress: settings.metricsBindAddress, useSecondsForDurations: true } },
        },
      });
      return { installed: true, metrics: true };
    } catch (error) {
      settings.logger.error(
        { event_type: 'metrics_unavailable', err: error, bind_address: settings.metricsBindAddress },
        'the worker metrics endpoint could not be started; running without it',
      );
    }
  }
  Runtime.install({ logger, telemetryOptions: { logging } });
  return { installed: true, metrics: false };
}
