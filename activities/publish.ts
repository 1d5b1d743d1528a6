// Publishing activities for the post workflow (workflows/post.ts). The post_targets row is the
// exactly-once journal (decision 013): "attempt began" (attempt_started_at) is committed before the
// provider's mutating call and each provider id as soon as it exists; the result right after. An
// attempt whose outcome is unknown stays open (attempt_started_at set, status publishing) until a
// read-back settles it: only a target proven unpublished is sent again.
//
// Every publish or read-back of a target holds a session advisory lock on the target, on the connection
// that writes its journal. A killed worker's connection closes, which frees the lock; a worker that is
// alive but lost its heartbeat still holds it. So a read-back never runs beside a call still in flight.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import { PostEntity, PostTargetEntity, SocialAccountEntity, type PostTarget } from '../lib/db/entities.js';
import type { Platform, PostStatus, PostTargetStatus } from '../lib/domain.js';
import { activityLog, workerMetrics } from '../lib/activity-telemetry.js';
import { refreshAccountNow } from '../lib/account-workflows.js';
import { pokePostWorkflow } from '../lib/post-workflows.js';
import {
  DuplicatePostError,
  ProviderError,
  type PublishMedia,
  type PublishRequest,
  type PublishState,
  type Publisher,
  type SyncTarget,
} from '../providers/contract.js';
import { platformMetadata, type Providers } from '../providers/registry.js';
import type { PostTargetView, PostView } from '../workflows/contract.js';
import { activityFailure, failureFields } from './failures.js';

/** Namespace of the per-target advisory lock (the first key of pg_advisory_lock(int, int)). */
const PUBLISH_LOCK = 0x5353_0002;
/** A token this close to its expiry is refreshed before a publish rather than risk a 401 mid-way. */
const TOKEN_MARGIN_MS = 30_000;

/**
 * A post's images as publishers read them (bytes on demand, a signed public URL), in the post's order:
 * the media storage's job (`publishMediaFor` in lib/media-urls.ts).
 */
export type MediaForPublishing = (businessId: number, mediaIds: readonly number[]) => Promise<PublishMedia[]>;

export interface PublishDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
  temporal: Client;
  taskQueue: string;
  /** Absent until media storage is wired in: a post with images then fails with that reason. */
  mediaForPublishing?: MediaForPublishing;
}

/** What the claim found: the post as stored, whether this call claimed it, and how long until it is due. */
export interface PostClaim {
  view: PostView;
  claimed: boolean;
  /** By the database's clock; <= 0 when due. null without a time. */
  dueInMs: number | null;
  platforms: Platform[];
}

/**
 * One publish attempt's outcome. `retry`: nothing was created (a failure before the mutating call, or a
 * 429 that refused it); `refresh_token`: the token expired or was refused before anything was created;
 * `unknown`: the call may have created the post, so it must be read back before anything else.
 */
export type PublishOutcome =
  | { kind: 'published' | 'failed' | 'settled'; target: PostTargetView }
  | { kind: 'pending'; checkAfterMs: number; reason: string }
  | { kind: 'retry'; afterMs: number; reason: string; rateLimited: boolean }
  | { kind: 'refresh_token'; reason: string }
  | { kind: 'unknown'; reason: string }
  | { kind: 'duplicate'; reason: string };

export type ReconcileOutcome =
  | { kind: 'published' | 'settled'; target: PostTargetView }
  | { kind: 'not_published' }
  | { kind: 'refresh_token'; reason: string }
  | { kind: 'unknown'; reason: string };

interface PublishingAccount {
  publisher: Publisher;
  accessToken: string;
  syncTarget: SyncTarget;
  /** The token expires within TOKEN_MARGIN_MS: refresh it first. */
  expiresSoon: boolean;
}

export interface TargetRef {
  postId: number;
  accountId: number;
}

export function publishActivities(deps: PublishDeps) {
  const { db, keyring, providers } = deps;

  async function view(postId: number, on: QueryRunner | DataSource = db): Promise<PostView> {
    const post = await on.manager.getRepository(PostEntity).findOneBy({ id: postId });
    if (!post) throw ApplicationFailure.nonRetryable(`Post ${postId} does not exist.`, 'PostNotFound');
    const targets = await on.manager.getRepository(PostTargetEntity).find({ where: { postId }, order: { id: 'ASC' } });
    return { postId, status: post.status, scheduledAt: post.scheduledAt?.toISOString() ?? null, targets: targets.map(targetView) };
  }

  async function targetRow(ref: TargetRef, on: QueryRunner | DataSource): Promise<PostTarget> {
    const target = await on.manager.getRepository(PostTargetEntity).findOneBy({ postId: ref.postId, accountId: ref.accountId });
    if (!target) throw ApplicationFailure.nonRetryable(`Post ${ref.postId} has no target for account ${ref.accountId}.`, 'PostNotFound');
    return target;
  }

  /** Writes a target's final word (never over a published one) and says so in logs and metrics. */
  async function settle(target: PostTarget, status: 'failed' | 'unconfirmed', message: string, on: QueryRunner | DataSource) {
    await on.query(`UPDATE post_targets SET status = $2, error = $3, updated_at = now() WHERE id = $1 AND status <> 'published'`, [
      target.id,
      status,
      message.slice(0, 1000),
    ]);
    outcomeEvent(target, status, { error_message: message });
    return { ...targetView(target), status, error: message };
  }

  /** Stores a published result, closes the attempt's question, and says so. */
  async function published(
    target: PostTarget,
    post: { providerPostId: string; permalink: string | null; publishedAt: Date },
    on: QueryRunner | DataSource,
  ) {
    await on.query(
      `UPDATE post_targets SET status = 'published', provider_post_id = $2, permalink = $3, published_at = $4, error = NULL,
         updated_at = now() WHERE id = $1`,
      [target.id, post.providerPostId, post.permalink, post.publishedAt],
    );
    outcomeEvent(target, 'published', { provider_post_id: post.providerPostId, attempts: target.attempts });
    return { ...targetView(target), status: 'published' as const, error: null };
  }

  /** The account, its token and its publisher, or the reason (in the user's words) it cannot publish. */
  async function publishingAccount(target: PostTarget, on: QueryRunner | DataSource): Promise<PublishingAccount | { problem: string }> {
    const account = await on.manager.getRepository(SocialAccountEntity).findOneBy({ id: target.accountId });
    const name = platformMetadata(target.platform)?.displayName ?? target.platform;
    const handle = account?.username ? `@${account.username}` : (account?.displayName ?? `#${target.accountId}`);
    const reconnect = `Reconnect ${name} account ${handle} to publish.`;
    if (!account || account.status === 'reconnect_required' || account.status === 'disconnected' || !account.accessTokenEnc) {
      return { problem: account?.statusMessage ? `${reconnect} (${account.statusMessage})` : reconnect } as const;
    }
    const publisher = providers.get(account.platform)?.publisher;
    if (!publisher) return { problem: `Publishing to ${name} is not available here.` };
    const granted = new Set((account.scopes ?? '').split(/[\s,]+/).filter(Boolean));
    const missing = account.scopes === null ? [] : publisher.requiredScopes.filter((s) => !granted.has(s));
    if (missing.length > 0) return { problem: `Reconnect ${name} account ${handle} to allow publishing (missing ${missing.join(', ')}).` };
    const expiresSoon = account.tokenExpiresAt !== null && account.tokenExpiresAt.getTime() <= Date.now() + TOKEN_MARGIN_MS;
    return {
      publisher,
      expiresSoon,
      accessToken: keyring.decrypt(account.accessTokenEnc),
      syncTarget: { externalId: account.externalId, metadata: account.metadata ?? {} },
    };
  }

  async function publishRequest(target: PostTarget, on: QueryRunner | DataSource): Promise<PublishRequest | string> {
    const post = await on.manager.getRepository(PostEntity).findOneByOrFail({ id: target.postId });
    let media: PublishMedia[] = [];
    if (post.mediaIds.length > 0) {
      if (!deps.mediaForPublishing) return 'Media storage is not configured on this worker.';
      try {
        media = await deps.mediaForPublishing(post.businessId, post.mediaIds);
      } catch (error) {
        return `The post's images could not be read: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return { text: target.text ?? post.text, media, ...(target.thread?.length ? { thread: target.thread } : {}) };
  }

  /** Runs `work` holding the target's lock; `wait` false gives up at once when another holds it. */
  async function withTargetLock<T>(targetId: number, wait: boolean, work: (lock: QueryRunner) => Promise<T>): Promise<T | null> {
    const lock = db.createQueryRunner();
    await lock.connect();
    let held = false;
    try {
      for (;;) {
        const [{ ok }] = await lock.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [PUBLISH_LOCK, targetId]);
        if (ok) break;
        if (!wait) return null;
        heartbeat();
        await new Promise((r) => setTimeout(r, 500));
      }
      held = true;
      return await work(lock);
    } finally {
      try {
        if (held) await lock.query('SELECT pg_advisory_unlock($1, $2)', [PUBLISH_LOCK, targetId]);
        await lock.release();
      } catch (error) {
        // A connection that may still hold the lock is never handed back to the pool.
        await (lock as QueryRunner & { releasePostgresConnection(err: unknown): Promise<void> }).releasePostgresConnection(error);
      }
    }
  }

  return {
    /**
     * Reads the post and claims it for publishing (scheduled -> publishing, with its targets) when its
     * time has come, by compare-and-set, so an edit or cancel the API stored first always wins. A
     * canceled post's targets are marked canceled.
     */
    async claimPost(postId: number): Promise<PostClaim> {
      return db.transaction(async (tx) => {
        const claimed = await updated(
          tx,
          `UPDATE posts SET status = 'publishing', updated_at = now()
           WHERE id = $1 AND status = 'scheduled' AND (scheduled_at IS NULL OR scheduled_at <= now()) RETURNING id`,
          [postId],
        );
        if (claimed.length > 0) {
          await tx.query(`UPDATE post_targets SET status = 'publishing', updated_at = now() WHERE post_id = $1 AND status = 'scheduled'`, [
            postId,
          ]);
        }
        await tx.query(
          `UPDATE post_targets t SET status = 'canceled', updated_at = now() FROM posts p
           WHERE p.id = t.post_id AND p.id = $1 AND p.status = 'canceled' AND t.status IN ('draft', 'scheduled')`,
          [postId],
        );
        const [due] = await tx.query(`SELECT (extract(epoch FROM scheduled_at - now()) * 1000)::float8 AS ms FROM posts WHERE id = $1`, [
          postId,
        ]);
        const current = await view(postId, tx.queryRunner ?? db);
        if (claimed.length > 0) {
          activityLog().info('post publishing began', {
            event_type: 'post_publishing_started',
            post_id: postId,
            targets: current.targets.length,
          });
        }
        return {
          view: current,
          claimed: claimed.length > 0,
          dueInMs: due?.ms === null || due?.ms === undefined ? null : Math.ceil(due.ms),
          platforms: [...new Set(current.targets.map((t) => t.platform))].sort(),
        };
      });
    },

    /**
     * One attempt to publish one target. Never retried by Temporal (maximumAttempts 1): its outcome says
     * what is safe next. Refuses to call the provider while an earlier attempt's outcome is unknown.
     */
    async publishTarget(ref: TargetRef): Promise<PublishOutcome> {
      const first = await targetRow(ref, db);
      const outcome = await withTargetLock(first.id, false, async (lock) => {
        const target = await targetRow(ref, lock);
        if (target.status !== 'publishing') return { kind: 'settled', target: targetView(target) } as const;
        if (target.attemptStartedAt) return { kind: 'unknown', reason: 'An earlier attempt may have published it.' } as const;
        const account = await publishingAccount(target, lock);
        if ('problem' in account) return { kind: 'failed', target: await settle(target, 'failed', account.problem, lock) } as const;
        if (account.expiresSoon) return { kind: 'refresh_token', reason: 'The access token expired.' } as const;
        const request = await publishRequest(target, lock);
        if (typeof request === 'string') return { kind: 'failed', target: await settle(target, 'failed', request, lock) } as const;
        return attempt(lock, target, account.publisher, account.accessToken, account.syncTarget, request);
      });
      return outcome ?? { kind: 'unknown', reason: 'Another attempt for this target is still running.' };
    },

    /**
     * Reads back whether an open attempt created the post (read-only at the provider; retried). Waits
     * for any attempt still in flight. `not_published` closes the attempt, so the next publish may go.
     */
    async reconcileTarget(ref: TargetRef): Promise<ReconcileOutcome> {
      const first = await targetRow(ref, db);
      const outcome = await withTargetLock(first.id, true, async (lock): Promise<ReconcileOutcome> => {
        const target = await targetRow(ref, lock);
        if (target.status === 'published') return { kind: 'published', target: targetView(target) };
        if (target.status !== 'publishing' && target.status !== 'unconfirmed') return { kind: 'settled', target: targetView(target) };
        if (!target.attemptStartedAt) return { kind: 'not_published' };
        const account = await publishingAccount(target, lock);
        if ('problem' in account) return { kind: 'unknown', reason: `It could not be checked: ${account.problem}` };
        if (account.expiresSoon) return { kind: 'refresh_token', reason: 'The access token expired.' };
        const request = await publishRequest(target, lock);
        if (typeof request === 'string') return { kind: 'unknown', reason: `It could not be checked: ${request}` };
        let found;
        try {
          found = await account.publisher.reconcile(account.accessToken, account.syncTarget, request, {
            startedAt: target.attemptStartedAt,
            state: target.providerState as PublishState,
          });
        } catch (error) {
          if (error instanceof ProviderError && error.kind === 'grant_dead') return { kind: 'refresh_token', reason: error.message };
          if (error instanceof ProviderError && error.kind === 'rejected') return { kind: 'unknown', reason: error.message };
          throw activityFailure(error); // read-only: Temporal retries it (a 429 after its reset)
        }
        if (found.kind === 'published') return { kind: 'published', target: await published(target, found.post, lock) };
        if (found.kind === 'unknown') return found;
        // Parts that do exist (a thread's first tweets) are journaled, so the next attempt goes on after them.
        await lock.query(
          `UPDATE post_targets SET attempt_started_at = NULL, provider_state = provider_state || $2::jsonb, updated_at = now() WHERE id = $1`,
          [target.id, JSON.stringify(found.state ?? {})],
        );
        activityLog().info('read-back found no post: the attempt is closed', {
          ...targetFields(target),
          event_type: 'post_target_not_published',
        });
        return { kind: 'not_published' };
      });
      return outcome!;
    },

    /** The workflow's own verdict on a target (retries exhausted, an outcome that cannot be checked). */
    async settleTarget(input: TargetRef & { status: 'failed' | 'unconfirmed'; message: string }): Promise<PostTargetView> {
      const target = await targetRow(input, db);
      if (target.status === 'published') return targetView(target);
      return settle(target, input.status, input.message, db);
    },

    /** "Check and retry": a failed or unconfirmed target goes back to publishing (compare-and-set). */
    async reopenTarget(ref: TargetRef): Promise<{ reopened: boolean; view: PostView }> {
      return db.transaction(async (tx) => {
        const rows = await updated(
          tx,
          `UPDATE post_targets SET status = 'publishing', error = NULL, updated_at = now()
           WHERE post_id = $1 AND account_id = $2 AND status IN ('failed', 'unconfirmed') RETURNING id`,
          [ref.postId, ref.accountId],
        );
        if (rows.length > 0) await tx.query(`UPDATE posts SET status = 'publishing', updated_at = now() WHERE id = $1`, [ref.postId]);
        return { reopened: rows.length > 0, view: await view(ref.postId, tx.queryRunner ?? db) };
      });
    },

    /** The post's status from its targets, stored. */
    async finishPost(postId: number): Promise<PostView> {
      const current = await view(postId);
      const status = postStatusOf(current.targets.map((t) => t.status));
      await db.query(`UPDATE posts SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'canceled'`, [postId, status]);
      activityLog().info('post finished', { event_type: 'post_finished', post_id: postId, status });
      return { ...current, status: current.status === 'canceled' ? 'canceled' : status };
    },

    /** Asks the account's workflow (the only writer of tokens) to refresh now; the reason if it could not. */
    async refreshAccountToken(accountId: number): Promise<{ ok: boolean; reason: string | null }> {
      try {
        await refreshAccountNow(deps.temporal, accountId);
        return { ok: true, reason: null };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        // A dead grant turns the account reconnect_required just after the refresh answers: say what to do.
        for (let i = 0; i < 10; i++) {
          const [row] = await db.query<{ status: string; platform: Platform; username: string | null }[]>(
            'SELECT status, platform, username FROM social_accounts WHERE id = $1',
            [accountId],
          );
          if (row?.status === 'reconnect_required') {
            const name = platformMetadata(row.platform)?.displayName ?? row.platform;
            return { ok: false, reason: `reconnect the ${name} account${row.username ? ` @${row.username}` : ''} to publish (${reason})` };
          }
          await new Promise((r) => setTimeout(r, 500));
        }
        return { ok: false, reason };
      }
    },

    /**
     * The safety sweep: every due post still scheduled or publishing gets its workflow started, or the
     * running one poked. A post whose workflow was lost (terminated, deleted, never started) runs again.
     */
    async sweepDuePosts(): Promise<{ poked: number }> {
      const due: { id: number; business_id: number; platforms: Platform[] }[] = await db.query(
        `SELECT p.id, p.business_id, coalesce(array_agg(DISTINCT t.platform) FILTER (WHERE t.platform IS NOT NULL), '{}') AS platforms
         FROM posts p LEFT JOIN post_targets t ON t.post_id = p.id
         WHERE p.status IN ('scheduled', 'publishing') AND p.scheduled_at <= now()
         GROUP BY p.id ORDER BY p.scheduled_at LIMIT 500`,
      );
      for (const post of due) {
        await pokePostWorkflow(deps.temporal, deps.taskQueue, { postId: post.id, businessId: post.business_id, platforms: post.platforms });
        heartbeat();
      }
      if (due.length > 0) activityLog().info('post sweep poked due posts', { event_type: 'post_sweep', poked: due.length });
      return { poked: due.length };
    },
  };

  /** The journaled call: "attempt began" is committed before the mutating call, its result right after. */
  async function attempt(
    lock: QueryRunner,
    target: PostTarget,
    publisher: Publisher,
    accessToken: string,
    syncTarget: SyncTarget,
    request: PublishRequest,
  ): Promise<PublishOutcome> {
    let began = false;
    const journal = {
      state: target.providerState as PublishState,
      async save(update: PublishState) {
        await lock.query(`UPDATE post_targets SET provider_state = provider_state || $2::jsonb, updated_at = now() WHERE id = $1`, [
          target.id,
          JSON.stringify(update),
        ]);
        Object.assign(journal.state, update);
      },
      async beginMutation() {
        const rows = await updated(
          lock,
          `UPDATE post_targets SET attempt_started_at = now(), attempts = attempts + 1, updated_at = now()
           WHERE id = $1 AND status = 'publishing' AND attempt_started_at IS NULL RETURNING id`,
          [target.id],
        );
        if (rows.length === 0) throw new Error('The target changed while publishing; the call was not made.');
        began = true;
      },
    };
    const beat = setInterval(heartbeat, 2_000);
    const fields = targetFields(target);
    try {
      const result = await publisher.publish(accessToken, syncTarget, request, journal);
      if (result.kind === 'pending') return { kind: 'pending', checkAfterMs: result.checkAfterMs, reason: result.reason };
      return { kind: 'published', target: await published({ ...target, attempts: target.attempts + 1 }, result.post, lock) };
    } catch (error) {
      const failure = activityFailure(error);
      activityLog().warn('publish attempt failed', {
        ...fields,
        event_type: 'post_attempt_failed',
        mutation_began: began,
        ...failureFields(failure),
      });
      const message = error instanceof Error ? error.message : String(error);
      // "An identical post exists": maybe ours from an earlier attempt. The attempt stays open for a read-back.
      if (error instanceof DuplicatePostError && began) return { kind: 'duplicate', reason: message };
      const kind = error instanceof ProviderError ? error.kind : null;
      // A refusal (429, 401, 4xx) means the provider did not create the post: the attempt is closed.
      const refused = kind === 'rate_limited' || kind === 'grant_dead' || kind === 'rejected' || kind === 'app_misconfigured';
      if (began && !refused) return { kind: 'unknown', reason: message };
      if (began) await lock.query(`UPDATE post_targets SET attempt_started_at = NULL, updated_at = now() WHERE id = $1`, [target.id]);
      if (kind === 'rate_limited')
        return { kind: 'retry', afterMs: (error as ProviderError).retryAfterMs ?? 60_000, reason: message, rateLimited: true };
      if (kind === 'grant_dead') return { kind: 'refresh_token', reason: message };
      if (kind === 'rejected') return { kind: 'failed', target: await settle(target, 'failed', message, lock) };
      return { kind: 'retry', afterMs: 0, reason: message, rateLimited: false }; // the workflow backs off
    } finally {
      clearInterval(beat);
    }
  }
}

/** The rows an UPDATE ... RETURNING changed (TypeORM answers an UPDATE with [rows, count]). */
async function updated(
  on: { query(sql: string, params: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[],
): Promise<unknown[]> {
  const [rows] = (await on.query(sql, params)) as [unknown[], number];
  return rows;
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // outside an activity
  }
}

function targetView(target: PostTarget): PostTargetView {
  return { accountId: target.accountId, platform: target.platform, status: target.status, error: target.error };
}

function targetFields(target: PostTarget) {
  return { post_id: target.postId, account_id: target.accountId, business_id: target.businessId, platform: target.platform };
}

const OUTCOME_EVENTS = { published: 'post_published', failed: 'post_failed', unconfirmed: 'post_unconfirmed' } as const;

function outcomeEvent(target: PostTarget, outcome: keyof typeof OUTCOME_EVENTS, extra: Record<string, unknown>): void {
  workerMetrics.postTarget(target.platform, outcome);
  const log = activityLog();
  const line = { ...targetFields(target), event_type: OUTCOME_EVENTS[outcome], ...extra };
  if (outcome === 'published') log.info('post published', line);
  else log.warn(outcome === 'failed' ? 'post failed' : 'post unconfirmed', line);
}

/** A post's status from its targets': anything unresolved first, then published, partial or failed. */
function postStatusOf(targets: PostTargetStatus[]): PostStatus {
  if (targets.length === 0) return 'failed';
  if (targets.some((s) => s === 'publishing' || s === 'scheduled')) return 'publishing';
  if (targets.some((s) => s === 'unconfirmed')) return 'unconfirmed';
  if (targets.every((s) => s === 'canceled')) return 'canceled';
  const published = targets.filter((s) => s === 'published').length;
  if (published === targets.length) return 'published';
  return published > 0 ? 'partially_published' : 'failed';
}
