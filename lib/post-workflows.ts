// Client-side handles on post workflows (`post:<postId>`), used by the API and the safety sweep.
// Postgres holds the post (text, time, status): the API changes the row with a compare-and-set first,
// then tells the workflow, which re-reads it. The workflow refuses what can no longer be done.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import {
  cancelPostUpdate,
  pokePostSignal,
  postStatusQuery,
  postWorkflowId,
  reschedulePostUpdate,
  retryTargetUpdate,
  type PostView,
  type PostWorkflowInput,
} from '../workflows/contract.js';
import type { Platform } from './domain.js';
import { searchAttributes } from './temporal-keys.js';

export interface PostRef {
  postId: number;
  businessId: number;
  /** The platforms of the post's targets (operators find the post by any of them). */
  platforms: Platform[];
}

/** Why the workflow refused an action; the API answers 409 with `message`. */
export type PostRefusal = 'post_publishing_began' | 'post_not_retryable' | 'post_refused';

export class PostActionRefused extends Error {
  override name = 'PostActionRefused';
  constructor(
    readonly code: PostRefusal,
    message: string,
  ) {
    super(message);
  }
}

function startOptions(taskQueue: string, post: PostRef) {
  const platforms = [...new Set(post.platforms)].sort();
  return {
    workflowId: postWorkflowId(post.postId),
    taskQueue,
    args: [{ postId: post.postId, businessId: post.businessId }] as [PostWorkflowInput],
    // One run at a time; a closed run (published, or restored by the sweep) may be followed by another.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `post ${post.postId} of business ${post.businessId} to ${platforms.join(', ') || 'no account'}`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: searchAttributes.businessId, value: String(post.businessId) },
      // Platform is a Keyword attribute shared with account workflows: the first platform (sorted) here;
      // the workflow keeps it, and the summary names them all.
      ...(platforms[0] ? [{ key: searchAttributes.platform, value: platforms[0] }] : []),
      { key: searchAttributes.postStatus, value: 'scheduled' },
    ]),
  };
}

/** Starts the post's workflow (a scheduled post, or one to publish now); an existing run is kept. */
export async function startPostWorkflow(client: Client, taskQueue: string, post: PostRef): Promise<void> {
  await client.workflow.start('postWorkflow', startOptions(taskQueue, post));
}

/** Starts the post's workflow if none runs, or wakes the running one (the safety sweep's call). */
export async function pokePostWorkflow(client: Client, taskQueue: string, post: PostRef): Promise<void> {
  await client.workflow.signalWithStart('postWorkflow', { ...startOptions(taskQueue, post), signal: pokePostSignal, signalArgs: [] });
}

export function queryPostStatus(client: Client, postId: number): Promise<PostView> {
  return client.workflow.getHandle(postWorkflowId(postId)).query(postStatusQuery);
}

async function refusedAsError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause;
      const code = cause instanceof ApplicationFailure && isRefusal(cause.type) ? cause.type : 'post_refused';
      throw new PostActionRefused(code, cause?.message ?? error.message);
    }
    throw error;
  }
}

function isRefusal(type: string | undefined | null): type is PostRefusal {
  return type === 'post_publishing_began' || type === 'post_not_retryable' || type === 'post_refused';
}

/**
 * Tells the workflow the API stored a new time (its timer moves; no restart). Call after the row's
 * compare-and-set `WHERE status = 'scheduled'` succeeded. Refused (`post_publishing_began`) once the
 * workflow claimed the post. null when no workflow runs: the stored time is the truth and the sweep
 * restores a due post's workflow.
 */
export async function reschedulePost(client: Client, postId: number, scheduledAt: Date | string): Promise<PostView | null> {
  const at = typeof scheduledAt === 'string' ? scheduledAt : scheduledAt.toISOString();
  return whenRunning(() =>
    refusedAsError(() =>
      client.workflow.getHandle(postWorkflowId(postId)).executeUpdate(reschedulePostUpdate, { args: [{ scheduledAt: at }] }),
    ),
  );
}

/**
 * Tells the workflow the API canceled the post (stored first, with a compare-and-set); the workflow
 * ends. Refused (`post_publishing_began`) once publishing began. null when no workflow runs.
 */
export async function cancelPost(client: Client, postId: number): Promise<PostView | null> {
  return whenRunning(() => refusedAsError(() => client.workflow.getHandle(postWorkflowId(postId)).executeUpdate(cancelPostUpdate)));
}

/**
 * "Check and retry" a failed or unconfirmed target: the workflow reads back from the provider first, so
 * a target proven published is never sent again. A post whose workflow has finished gets a new run:
 * its task queue and business come from the finished run, or from `restart` when there is none.
 * Resolves once the target's new outcome is known.
 */
export async function retryPostTarget(
  client: Client,
  postId: number,
  accountId: number,
  restart?: { taskQueue: string; businessId: number; platforms?: Platform[] },
): Promise<PostView> {
  let start = restart
    ? { taskQueue: restart.taskQueue, post: { postId, businessId: restart.businessId, platforms: restart.platforms ?? [] } }
    : null;
  if (!start) {
    const described = await client.workflow.getHandle(postWorkflowId(postId)).describe();
    const businessId = Number(described.typedSearchAttributes.get(searchAttributes.businessId));
    const platform = described.typedSearchAttributes.get(searchAttributes.platform);
    start = { taskQueue: described.taskQueue, post: { postId, businessId, platforms: platform ? [platform] : [] } };
  }
  const { taskQueue, post } = start;
  return refusedAsError(() =>
    client.workflow.executeUpdateWithStart(retryTargetUpdate, {
      args: [{ accountId }],
      startWorkflowOperation: new WithStartWorkflowOperation('postWorkflow', startOptions(taskQueue, post)),
    }),
  );
}

async function whenRunning<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/** The safety sweep's schedule id: one per task queue (decision 013). */
export function postSweepScheduleId(taskQueue: string): string {
  return `post-sweep:${taskQueue}`;
}

/**
 * Creates the Temporal Schedule that runs the safety sweep every `everySeconds`, unless it exists (every
 * worker calls this at start; the first creates it). Operators see, pause or trigger it in the UI.
 */
export async function ensurePostSweepSchedule(client: Client, taskQueue: string, everySeconds: number): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: postSweepScheduleId(taskQueue),
      spec: { intervals: [{ every: everySeconds * 1000 }] },
      action: { type: 'startWorkflow', workflowType: 'postSweepWorkflow', workflowId: postSweepScheduleId(taskQueue), taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: everySeconds * 1000 },
      state: { note: 'Starts or pokes the workflow of every due post that is still scheduled or publishing.' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
