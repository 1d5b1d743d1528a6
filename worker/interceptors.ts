// Activity interceptors: each activity runs in its own Sentry isolation scope (so breadcrumbs of one do
// not end up on another's event), and a failure is reported to Sentry once, when it is final: the last
// attempt the retry policy allows, or an error that will not be retried. Also: our activity counters get
// the SDK metrics' label names (task_queue, activity_type).
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { MetricTags } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  ActivityOutboundCallsInterceptor,
  Next,
} from '@temporalio/worker';
import { captureActivityFailure, Sentry } from '../lib/sentry.js';
import { accountIdOfWorkflow } from '../workflows/ids.js';

/** The type Temporal matches against nonRetryableErrorTypes: an ApplicationFailure's type, else the error's name. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof ApplicationFailure) return error.type ?? 'Error';
  return error instanceof Error ? error.name : typeof error;
}

/**
 * True when Temporal will not run this activity again after this failure: it is not retryable
 * (flag or type), or this was the last attempt `maximumAttempts` allows. A cancellation is not a failure.
 * (A schedule-to-close timeout can also end retries; the activity cannot know that it will, so such an
 * ending shows in the workflow and the logs rather than here.)
 */
export function isFinalFailure(error: unknown, info: Pick<Context['info'], 'attempt' | 'retryPolicy'>): boolean {
  if (error instanceof CancelledFailure || (error instanceof Error && error.name === 'AbortError')) return false;
  if (isNonRetryable(error, info)) return true;
  const maximum = info.retryPolicy?.maximumAttempts ?? 0;
  return maximum > 0 && info.attempt >= maximum;
}

function isNonRetryable(error: unknown, info: Pick<Context['info'], 'retryPolicy'>): boolean {
  if (error instanceof ApplicationFailure && error.nonRetryable) return true;
  return info.retryPolicy?.nonRetryableErrorTypes?.includes(errorTypeOf(error)) ?? false;
}

/** Ids from an activity's first argument (`accountId` number or an input object), for tags. */
function idsFrom(activityType: string, args: unknown[]): { accountId?: number; businessId?: number } {
  const [first] = args;
  if (typeof first === 'number' && activityType !== 'exchangeAuthorizationCode') return { accountId: first };
  if (first && typeof first === 'object') {
    const input = first as { accountId?: unknown; id?: unknown; businessId?: unknown };
    const accountId =
      typeof input.accountId === 'number'
        ? input.accountId
        : activityType === 'ensureAccountWorkflow' && typeof input.id === 'number'
          ? input.id
          : undefined;
    return { accountId, businessId: typeof input.businessId === 'number' ? input.businessId : undefined };
  }
  return {};
}

class ObservedActivity implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return Sentry.withIsolationScope(async (isolation) => {
      isolation.clearBreadcrumbs(); // the activity's own requests only
      try {
        return await next(input);
      } catch (error) {
        const info = this.ctx.info;
        if (isFinalFailure(error, info)) {
          const ids = idsFrom(info.activityType, input.args);
          captureActivityFailure(error, {
            activityType: info.activityType,
            activityId: info.activityId,
            attempt: info.attempt,
            maximumAttempts: info.retryPolicy?.maximumAttempts || null,
            nonRetryable: isNonRetryable(error, info),
            errorType: errorTypeOf(error),
            workflowId: info.workflowExecution?.workflowId,
            runId: info.workflowExecution?.runId,
            workflowType: info.workflowType,
            taskQueue: info.taskQueue,
            accountId: ids.accountId ?? accountIdOf(info.workflowExecution?.workflowId),
            businessId: ids.businessId,
          });
        }
        throw error;
      }
    });
  }
}

function accountIdOf(workflowId: string | undefined): number | undefined {
  return (workflowId ? accountIdOfWorkflow(workflowId) : null) ?? undefined;
}

/** Our counters recorded in activities carry the same label names as the SDK's own metrics. */
const snakeCaseMetricTags: ActivityOutboundCallsInterceptor = {
  getMetricTags(input: MetricTags, next: Next<ActivityOutboundCallsInterceptor, 'getMetricTags'>): MetricTags {
    const { taskQueue, activityType, ...rest } = next(input);
    return {
      ...rest,
      ...(taskQueue !== undefined ? { task_queue: taskQueue } : {}),
      ...(activityType !== undefined ? { activity_type: activityType } : {}),
    };
  },
};

export const activityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new ObservedActivity(ctx),
  outbound: snakeCaseMetricTags,
});
