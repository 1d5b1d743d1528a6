// The post workflow: one run per post (id `post:<postId>`). It sleeps until the post's time (an edit
// moves the timer by an update, never a restart), claims the post, then publishes each target exactly
// once (decision 013): a publishing call is never retried blindly; an attempt whose outcome is unknown
// is read back from the provider, and only a target proven unpublished is sent again.
// Postgres holds the post; this workflow holds what is happening now. Deterministic code only: every
// read and write is an activity, and tokens never enter it.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { PostClaim, PublishOutcome } from '../activities/publish.js';
import type { Platform } from '../lib/domain.js';
import { searchAttributes } from '../lib/temporal-keys.js';
import {
  cancelPostUpdate,
  pokePostSignal,
  postStatusQuery,
  reschedulePostUpdate,
  retryTargetUpdate,
  type PostTargetView,
  type PostView,
  type PostWorkflowInput,
} from './contract.js';

// Our own Postgres: retried until it is back.
const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// The mutating call: never retried by Temporal (no provider has an idempotency key). A lost heartbeat
// means "outcome unknown", which a read-back settles; the target's lock keeps the two apart.
const publishing = proxyActivities<Activities>({
  summary: 'Publish to the provider (one attempt)',
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});
// The read-back is read-only at the provider, so it retries (a 429 after its reset).
const readBack = proxyActivities<Activities>({
  summary: 'Read back from the provider whether the post exists',
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
});
// Asks the account workflow for a refresh (an update that waits for it).
const accounts = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 3 },
});

/** Bounds on the waits one target may take before it is settled with the reason. */
const LIMITS = { transient: 5, rateLimited: 5, pending: 90, republish: 3 };

type Phase = 'loading' | 'waiting' | 'publishing' | 'finished' | 'ended';

interface RetryRequest {
  accountId: number;
  done: boolean;
  error: string | null;
}

export async function postWorkflow(input: PostWorkflowInput): Promise<PostView['status']> {
  const { postId } = input;
  let post: PostView = { postId, status: 'scheduled', scheduledAt: null, targets: [] };
  let phase: Phase = 'loading';
  // An update asks for a fresh read of the row; `served` says which asks a completed read answered.
  let asked = 0;
  let served = 0;
  let wake = false;
  const inFlight = new Set<number>();
  const retries: RetryRequest[] = [];
  let shown: PostView['status'] | null = 'scheduled'; // what startPostWorkflow set

  const refuseOnceClaimed = () => {
    if (phase === 'publishing' || phase === 'finished') {
      throw ApplicationFailure.nonRetryable(
        'Publishing this post already began; it can no longer be edited or canceled.',
        'post_publishing_began',
      );
    }
    if (phase === 'ended') throw ApplicationFailure.nonRetryable(`This post is ${post.status}.`, 'post_refused');
  };
  const reread = async () => {
    const mine = ++asked;
    wake = true;
    await condition(() => served >= mine);
  };

  setHandler(postStatusQuery, () => post);
  setHandler(pokePostSignal, () => {
    wake = true;
  });
  setHandler(
    reschedulePostUpdate,
    async ({ scheduledAt }) => {
      await reread();
      log.info('post rescheduled', {
        event_type: 'post_rescheduled',
        ...logAttrs(input),
        scheduled_at: scheduledAt,
        stored: post.scheduledAt,
      });
      return post;
    },
    {
      validator: ({ scheduledAt }) => {
        if (Number.isNaN(Date.parse(scheduledAt))) throw ApplicationFailure.nonRetryable(`Not a time: ${scheduledAt}`, 'post_refused');
        refuseOnceClaimed();
      },
    },
  );
  setHandler(
    cancelPostUpdate,
    async () => {
      await reread();
      if (post.status !== 'canceled') {
        throw ApplicationFailure.nonRetryable('Publishing this post already began; it can no longer be canceled.', 'post_publishing_began');
      }
      return post;
    },
    { validator: refuseOnceClaimed },
  );
  setHandler(
    retryTargetUpdate,
    async ({ accountId }) => {
      await condition(() => phase !== 'loading');
      assertRetryable(post, accountId, inFlight);
      const request: RetryRequest = { accountId, done: false, error: null };
      retries.push(request);
      await condition(() => request.done);
      if (request.error) throw ApplicationFailure.nonRetryable(request.error, 'post_not_retryable');
      return post;
    },
    {
      validator: ({ accountId }) => {
        if (phase !== 'loading') assertRetryable(post, accountId, inFlight);
      },
    },
  );

  // --- Waiting for the post's time ---------------------------------------------------------------------
  let claim: PostClaim;
  for (;;) {
    const reading = asked;
    wake = false;
    try {
      claim = await db.claimPost(postId);
    } catch (error) {
      if (failureType(error) !== 'PostNotFound') throw error;
      log.warn('post workflow ended: the post no longer exists', { event_type: 'post_workflow_finished', ...logAttrs(input) });
      phase = 'ended';
      served = asked;
      return 'canceled';
    }
    post = claim.view;
    served = reading;
    showStatus(post, claim.platforms);
    if (post.status !== 'scheduled' || claim.dueInMs === null || claim.dueInMs <= 0) break;
    phase = 'waiting';
    await condition(() => wake, claim.dueInMs, { summary: `publish at ${post.scheduledAt}` });
  }
  served = asked; // a read after the claim: every update's question is answered

  if (post.status === 'canceled' || post.status === 'draft' || post.status === 'scheduled') {
    phase = 'ended';
    log.info('post workflow ended', { event_type: 'post_workflow_finished', ...logAttrs(input), status: post.status });
    await condition(allHandlersFinished);
    return post.status;
  }

  // --- Publishing ------------------------------------------------------------------------------------------
  if (post.status === 'publishing') {
    phase = 'publishing';
    log.info('publishing post', {
      event_type: 'post_publishing',
      ...logAttrs(input),
      resumed: !claim.claimed,
      targets: post.targets.length,
    });
    // A run that did not claim the post resumes one whose previous run was lost: read back first.
    const todo = post.targets.filter((t) => t.status === 'publishing').map((t) => t.accountId);
    await Promise.all(todo.map((accountId) => deliver(accountId, !claim.claimed)));
    post = await db.finishPost(postId);
    showStatus(post, claim.platforms);
  }
  phase = 'finished';

  // --- Check and retry, while this run is open (a finished run is started again by the retry itself) ---
  for (;;) {
    await condition(() => retries.length > 0 || allHandlersFinished());
    const request = retries.shift();
    if (!request) break;
    const { reopened, view } = await db.reopenTarget({ postId, accountId: request.accountId });
    post = view;
    if (!reopened) {
      request.error = 'Only a failed or unconfirmed target can be retried.';
    } else {
      showStatus(post, claim.platforms);
      await deliver(request.accountId, true);
      post = await db.finishPost(postId);
      showStatus(post, claim.platforms);
    }
    request.done = true;
  }
  log.info('post workflow finished', { event_type: 'post_workflow_finished', ...logAttrs(input), status: post.status });
  return post.status;

  /** Publishes one target until it is published, failed or unconfirmed. `check`: read back first. */
  async function deliver(accountId: number, check: boolean): Promise<void> {
    const ref = { postId, accountId };
    const used = { transient: 0, rateLimited: 0, pending: 0, republish: 0 };
    let refreshed = false;
    let duplicate: string | null = null;
    const settle = async (status: 'failed' | 'unconfirmed', message: string) => update(await db.settleTarget({ ...ref, status, message }));
    const refresh = async (reason: string): Promise<boolean> => {
      if (refreshed) {
        await settle('failed', `The token was refused again after a refresh: ${reason}`);
        return false;
      }
      refreshed = true;
      const result = await accounts.refreshAccountToken(accountId);
      if (!result.ok) await settle('failed', `The token could not be refreshed: ${result.reason}`);
      return result.ok;
    };
    inFlight.add(accountId);
    try {
      for (;;) {
        if (check) {
          let found;
          try {
            found = await readBack.reconcileTarget(ref);
          } catch (error) {
            found = { kind: 'unknown' as const, reason: `It could not be checked: ${messageOf(error)}` };
          }
          if (found.kind === 'published' || found.kind === 'settled') return update(found.target);
          if (found.kind === 'refresh_token') {
            if (await refresh(found.reason)) continue;
            return;
          }
          if (found.kind === 'unknown') {
            return await settle(
              'unconfirmed',
              `We could not confirm whether this post was published: ${found.reason} Check the account before posting again; "Check and retry" reads it back again.`,
            );
          }
          check = false;
          // The provider called it a duplicate and the read-back found nothing of ours: it is the user's own post.
          if (duplicate) return await settle('failed', duplicate);
          if (++used.republish > LIMITS.republish) return await settle('failed', 'Publishing kept failing without creating the post.');
        }
        let outcome: PublishOutcome;
        try {
          outcome = await publishing.publishTarget(ref);
        } catch (error) {
          // A timeout or a lost worker: the call may have happened.
          outcome = { kind: 'unknown', reason: messageOf(error) };
        }
        switch (outcome.kind) {
          case 'published':
          case 'failed':
          case 'settled':
            return update(outcome.target);
          case 'unknown':
            log.warn('publish outcome unknown; reading back', {
              event_type: 'post_target_unknown',
              ...logAttrs(input),
              account_id: accountId,
              reason: outcome.reason,
            });
            check = true;
            continue;
          case 'duplicate':
            duplicate = outcome.reason;
            check = true;
            continue;
          case 'pending':
            if (++used.pending > LIMITS.pending) return await settle('failed', `The provider kept processing the post: ${outcome.reason}`);
            await sleep(Math.max(1_000, outcome.checkAfterMs), { summary: `provider processing: ${outcome.reason}` });
            continue;
          case 'refresh_token':
            if (await refresh(outcome.reason)) continue;
            return;
          case 'retry':
            if (outcome.rateLimited) {
              if (++used.rateLimited > LIMITS.rateLimited) return await settle('failed', `Still rate limited: ${outcome.reason}`);
              await sleep(Math.max(1_000, outcome.afterMs), { summary: `rate limited until the provider's reset` });
            } else {
              if (++used.transient > LIMITS.transient) return await settle('failed', outcome.reason);
              await sleep(5_000 * 2 ** (used.transient - 1), { summary: `retry after: ${outcome.reason}`.slice(0, 200) });
            }
            continue;
        }
      }
    } finally {
      inFlight.delete(accountId);
    }
  }

  function update(target: PostTargetView): void {
    post = { ...post, targets: post.targets.map((t) => (t.accountId === target.accountId ? target : t)) };
  }

  /** Keeps operators' search attributes current (only when the status changed: each upsert is an event). */
  function showStatus(view: PostView, platforms: Platform[]): void {
    if (view.status === shown) return;
    shown = view.status;
    upsertSearchAttributes([
      { key: searchAttributes.businessId, value: String(input.businessId) },
      ...(platforms[0] ? [{ key: searchAttributes.platform, value: platforms[0] }] : []),
      { key: searchAttributes.postStatus, value: view.status },
    ]);
  }
}

function assertRetryable(post: PostView, accountId: number, inFlight: Set<number>): void {
  const target = post.targets.find((t) => t.accountId === accountId);
  if (!target) throw ApplicationFailure.nonRetryable(`This post has no target for account ${accountId}.`, 'post_not_retryable');
  if (inFlight.has(accountId) || target.status === 'publishing') {
    throw ApplicationFailure.nonRetryable('This target is being published right now.', 'post_not_retryable');
  }
  if (target.status !== 'failed' && target.status !== 'unconfirmed') {
    throw ApplicationFailure.nonRetryable(
      `This target is ${target.status}; only a failed or unconfirmed target can be retried.`,
      'post_not_retryable',
    );
  }
}

// Every workflow log line also carries workflow_id, run_id and workflow_type (added by the SDK).
function logAttrs(input: PostWorkflowInput) {
  return { post_id: input.postId, business_id: input.businessId, workflow_run: workflowInfo().runId.slice(0, 8) };
}

function messageOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? (error.cause ?? error) : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
