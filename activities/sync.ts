// The sync activity: pages through an account's posts and metrics, upserts them (so a retried or resumed
// sync never duplicates a row), records the run in sync_runs with live progress, and heartbeats its
// cursor so a restarted worker resumes where the last one stopped. Incremental (decision 018): it reads
// the posts of the recent window (and any since the newest it knows), and every post only when the last
// full rescan is old enough.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { SocialAccountEntity, SyncCursorEntity, SyncRunEntity } from '../lib/db/entities.js';
import type { Keyring } from '../lib/crypto/keyring.js';
import type { Platform } from '../lib/domain.js';
import { activityLog, workerMetrics } from '../lib/activity-telemetry.js';
import type { SyncSummary } from '../workflows/contract.js';
import type { SyncedPost } from '../providers/contract.js';
import type { Providers } from '../providers/registry.js';
import { activityFailure, failureFields, notConfigured } from './failures.js';

export interface SyncInput {
  accountId: number;
  jobId: string;
  trigger: 'schedule' | 'manual' | 'connect';
}

interface Checkpoint {
  cursor: string | null;
  done: number;
  pages: number;
  /**
   * The plan the first attempt chose, kept so a resumed attempt reads the same: the posts published at
   * or after this instant (ISO), or every post (null, or absent in a checkpoint from before decision 018).
   */
  since?: string | null;
  /** The posts expected up front: the known ones this plan reads again (null: unknown). */
  expected?: number | null;
}

/** How much a sync reads (decision 018). */
export interface SyncPolicy {
  /** A sync reads every post when the last full rescan started this long ago (0: every sync). */
  fullRescanMs: number;
  /** Otherwise the posts of this window: new ones and the recent ones whose metrics still move. */
  recentMs: number;
}

const DEFAULT_SYNC_POLICY: SyncPolicy = { fullRescanMs: 24 * 3_600_000, recentMs: 7 * 86_400_000 };

export interface SyncDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
  syncPolicy?: SyncPolicy;
}

export function syncActivities(deps: SyncDeps) {
  const { db, keyring, providers } = deps;
  const policy = deps.syncPolicy ?? DEFAULT_SYNC_POLICY;
  const accounts = () => db.getRepository(SocialAccountEntity);
  const runs = () => db.getRepository(SyncRunEntity);

  async function progress(jobId: string, progressStep: string, progressDone: number, progressTotal: number | null): Promise<void> {
    await runs().update({ jobId }, { progressStep, progressDone, progressTotal });
  }

  /**
   * Full rescan when none has finished yet or the last is due again; otherwise the posts published since
   * the recent window began, or since the newest known post when that is older (nothing new is skipped).
   */
  async function plan(accountId: number): Promise<{ since: Date | null; expected: number | null }> {
    const cursor = await db.getRepository(SyncCursorEntity).findOneBy({ accountId });
    const now = Date.now();
    const full = !cursor?.fullRescanAt || policy.fullRescanMs === 0 || now - cursor.fullRescanAt.getTime() >= policy.fullRescanMs;
    const since = full ? null : new Date(Math.min(now - policy.recentMs, cursor.newestPostAt?.getTime() ?? Infinity));
    const [{ n }] = await db.query<[{ n: number }]>(
      'SELECT count(*)::int AS n FROM post_metrics WHERE account_id = $1 AND ($2::timestamptz IS NULL OR posted_at >= $2)',
      [accountId, since],
    );
    // Progress counts against the posts this plan reads again; a first sync knows none yet (null).
    return { since, expected: n > 0 || since ? n : null };
  }

  return {
    async syncAccount(input: SyncInput): Promise<SyncSummary> {
      const context = Context.current();
      const account = await accounts().findOne({
        select: { id: true, businessId: true, platform: true, externalId: true, metadata: true, accessTokenEnc: true },
        where: { id: input.accountId },
      });
      if (!account?.accessTokenEnc) {
        throw ApplicationFailure.nonRetryable('The account has no stored token (disconnected?).', 'ProviderRejected');
      }
      const resumed = context.info.heartbeatDetails as Checkpoint | undefined;
      const planned = resumed
        ? { since: resumed.since ? new Date(resumed.since) : null, expected: resumed.expected ?? null }
        : await plan(account.id);
      const { since } = planned;
      // Idempotent on the workflow's job id: a retried or resumed attempt reuses the same row (with this attempt's plan).
      await runs()
        .createQueryBuilder()
        .insert()
        .values({
          jobId: input.jobId,
          accountId: account.id,
          businessId: account.businessId,
          platform: account.platform,
          trigger: input.trigger,
          status: 'running',
          startedAt: () => 'now()',
          progressStep: 'Starting',
          progressDone: 0,
          progressTotal: planned.expected,
          fullRescan: since === null,
        })
        .orUpdate(['full_rescan'], ['job_id'])
        .execute();
      const { startedAt } = await runs().findOneOrFail({ select: { startedAt: true }, where: { jobId: input.jobId } });

      const provider = providers.get(account.platform);
      if (!provider) throw notConfigured(account.platform);
      const accessToken = keyring.decrypt(account.accessTokenEnc);
      const target = { externalId: account.externalId, metadata: account.metadata ?? {} };
      let checkpoint: Checkpoint = resumed ?? {
        cursor: null,
        done: 0,
        pages: 0,
        since: since?.toISOString() ?? null,
        expected: planned.expected,
      };
      const event = {
        platform: account.platform,
        account_id: account.id,
        business_id: account.businessId,
        job_id: input.jobId,
        trigger: input.trigger,
        full_rescan: since === null,
      };
      context.log.info('sync started', { event_type: 'sync_started', ...event, resumed_at_page: resumed ? resumed.pages : null });
      try {
        while (checkpoint.pages === 0 || checkpoint.cursor !== null) {
          const page = await provider.postsPage(accessToken, target, checkpoint.cursor, since);
          await savePosts(db, account, page.posts);
          // A provider that ignores `since` still stops at the first older post.
          const passed = since !== null && page.posts.some((post) => post.postedAt !== null && post.postedAt < since);
          const done = checkpoint.done + page.posts.length;
          checkpoint = { ...checkpoint, cursor: passed ? null : page.nextCursor, done, pages: checkpoint.pages + 1 };
          // The provider's total counts every post: right for a full rescan only.
          const expected = (since === null ? page.total : null) ?? planned.expected;
          await progress(input.jobId, 'Fetching posts and metrics', done, expected === null ? null : Math.max(expected, done));
          context.heartbeat(checkpoint);
        }
      } catch (error) {
        const failure = activityFailure(error);
        context.log.warn('sync attempt failed', {
          event_type: 'sync_attempt_failed',
          ...event,
          pages_done: checkpoint.pages,
          ...failureFields(failure),
        });
        throw failure;
      }

      await progress(input.jobId, 'Computing totals', checkpoint.done, checkpoint.done);
      // Totals from what this run stored, so a resumed run counts the pages its predecessor saved too.
      const [totals] = await db.query<{ posts: number; impressions: string; engagements: string }[]>(
        `SELECT count(*)::int AS posts, coalesce(sum(impressions), 0)::bigint AS impressions, coalesce(sum(engagements), 0)::bigint AS engagements
         FROM post_metrics WHERE account_id = $1 AND fetched_at >= $2`,
        [account.id, startedAt],
      );
      const impressions = Number(totals!.impressions);
      const engagements = Number(totals!.engagements);
      const summary: SyncSummary = {
        status: 'success',
        postsSynced: totals!.posts,
        impressions,
        engagements,
        engagementRate: impressions > 0 ? Math.round((engagements / impressions) * 10_000) / 100 : 0,
        error: null,
      };
      await db.transaction(async (tx) => {
        await tx.getRepository(SyncRunEntity).update(
          { jobId: input.jobId },
          {
            status: 'success',
            finishedAt: () => 'now()',
            postsSynced: summary.postsSynced,
            impressions,
            engagements,
            engagementRate: summary.engagementRate,
            errorMessage: null,
            progressStep: 'Done',
            progressDone: summary.postsSynced,
            progressTotal: summary.postsSynced,
          },
        );
        await tx.getRepository(SocialAccountEntity).update(account.id, { lastSyncAt: () => 'now()', lastSyncStatus: 'success' });
        // The next sync's cursor: the newest post stored, and (after a full rescan) when this one started.
        await tx.query(
          `WITH newest AS (SELECT external_post_id, posted_at FROM post_metrics
                           WHERE account_id = $1 AND posted_at IS NOT NULL ORDER BY posted_at DESC LIMIT 1)
           INSERT INTO sync_cursors (account_id, newest_post_id, newest_post_at, full_rescan_at)
           VALUES ($1, (SELECT external_post_id FROM newest), (SELECT posted_at FROM newest), $2)
           ON CONFLICT (account_id) DO UPDATE SET newest_post_id = EXCLUDED.newest_post_id, newest_post_at = EXCLUDED.newest_post_at,
             full_rescan_at = coalesce(EXCLUDED.full_rescan_at, sync_cursors.full_rescan_at), updated_at = now()`,
          [account.id, since === null ? startedAt : null],
        );
      });
      workerMetrics.syncOutcome(account.platform, 'success', input.trigger);
      context.log.info('sync completed', {
        event_type: 'sync_completed',
        ...event,
        posts_synced: summary.postsSynced,
        impressions,
        engagements,
        duration_ms: Date.now() - startedAt.getTime(),
      });
      return summary;
    },

    /** Records a sync that failed, or (`outcome: 'skipped'`) was not run, with the reason. */
    async finishFailedSync(input: SyncInput & { message: string; outcome?: 'error' | 'skipped' }): Promise<void> {
      const outcome = input.outcome ?? 'error';
      await db.query(
        `INSERT INTO sync_runs (job_id, account_id, business_id, platform, trigger, status, started_at, finished_at, error_message, progress_step)
         SELECT $1, id, business_id, platform, $3, $5, now(), now(), $4, $6 FROM social_accounts WHERE id = $2
         ON CONFLICT (job_id) DO UPDATE SET status = $5, finished_at = now(), error_message = $4, progress_step = $6`,
        [input.jobId, input.accountId, input.trigger, input.message.slice(0, 1000), outcome, outcome === 'error' ? 'Failed' : 'Skipped'],
      );
      await accounts().update(input.accountId, { lastSyncAt: () => 'now()', lastSyncStatus: outcome });
      const account = await accounts().findOne({ select: { platform: true, businessId: true }, where: { id: input.accountId } });
      workerMetrics.syncOutcome(account?.platform ?? 'unknown', 'error', input.trigger);
      activityLog().warn('sync failed', {
        event_type: 'sync_failed',
        platform: account?.platform ?? null,
        account_id: input.accountId,
        business_id: account?.businessId ?? null,
        job_id: input.jobId,
        trigger: input.trigger,
        error_message: input.message,
      });
    },
  };
}

async function savePosts(
  db: DataSource,
  account: { id: number; businessId: number; platform: Platform },
  posts: SyncedPost[],
): Promise<void> {
  if (posts.length === 0) return;
  const columns = 12;
  const values: unknown[] = [];
  const rows = posts.map((post, i) => {
    values.push(account.id, account.businessId, account.platform, post.externalId, post.postedAt, post.text);
    values.push(post.impressions, post.likes, post.comments, post.shares, post.clicks, post.engagements);
    return `(${Array.from({ length: columns }, (_, c) => `$${i * columns + c + 1}`).join(', ')}, now())`;
  });
  await db.query(
    `INSERT INTO post_metrics (account_id, business_id, platform, external_post_id, posted_at, text,
       impressions, likes, comments, shares, clicks, engagements, fetched_at)
     VALUES ${rows.join(', ')}
     ON CONFLICT (account_id, external_post_id) DO UPDATE SET posted_at = EXCLUDED.posted_at, text = EXCLUDED.text,
       impressions = EXCLUDED.impressions, likes = EXCLUDED.likes, comments = EXCLUDED.comments, shares = EXCLUDED.shares,
       clicks = EXCLUDED.clicks, engagements = EXCLUDED.engagements, fetched_at = EXCLUDED.fetched_at`,
    values,
  );
}
