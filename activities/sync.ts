// The sync activity: pages through an account's posts and metrics, upserts them (so a retried or resumed
// sync never duplicates a row), records the run in sync_runs with live progress, and heartbeats its
// cursor so a restarted worker resumes where the last one stopped.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { SocialAccountEntity, SyncRunEntity } from '../lib/db/entities.js';
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
}

export interface SyncDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
}

export function syncActivities(deps: SyncDeps) {
  const { db, keyring, providers } = deps;
  const accounts = () => db.getRepository(SocialAccountEntity);
  const runs = () => db.getRepository(SyncRunEntity);

  async function progress(jobId: string, progressStep: string, progressDone: number, progressTotal: number | null): Promise<void> {
    await runs().update({ jobId }, { progressStep, progressDone, progressTotal });
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
      // Idempotent on the workflow's job id: a retried or resumed attempt reuses the same row.
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
        })
        .orIgnore()
        .execute();
      const { startedAt } = await runs().findOneOrFail({ select: { startedAt: true }, where: { jobId: input.jobId } });

      const provider = providers.get(account.platform);
      if (!provider) throw notConfigured(account.platform);
      const accessToken = keyring.decrypt(account.accessTokenEnc);
      const target = { externalId: account.externalId, metadata: account.metadata ?? {} };
      const resumed = context.info.heartbeatDetails as Checkpoint | undefined;
      let checkpoint: Checkpoint = resumed ?? { cursor: null, done: 0, pages: 0 };
      if (resumed?.cursor === null && resumed.pages > 0) checkpoint = resumed; // finished paging already
      const event = {
        platform: account.platform,
        account_id: account.id,
        business_id: account.businessId,
        job_id: input.jobId,
        trigger: input.trigger,
      };
      context.log.info('sync started', { event_type: 'sync_started', ...event, resumed_at_page: resumed ? resumed.pages : null });
      try {
        while (checkpoint.pages === 0 || checkpoint.cursor !== null) {
          const page = await provider.postsPage(accessToken, target, checkpoint.cursor);
          await savePosts(db, account, page.posts);
          checkpoint = { cursor: page.nextCursor, done: checkpoint.done + page.posts.length, pages: checkpoint.pages + 1 };
          await progress(input.jobId, 'Fetching posts and metrics', checkpoint.done, page.total);
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
