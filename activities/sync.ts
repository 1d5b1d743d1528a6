// The sync activity: pages through an account's posts and metrics, upserts them (so a retried or resumed
// sync never duplicates a row), records the run in sync_runs with live progress, and heartbeats its
// cursor so a restarted worker resumes where the last one stopped.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
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

interface SyncAccountRow {
  id: number;
  business_id: number;
  platform: Platform;
  external_id: string;
  metadata: Record<string, string> | null;
  access_token_enc: string | null;
}

export function syncActivities(deps: SyncDeps) {
  const { db, keyring, providers } = deps;

  async function progress(jobId: string, step: string, done: number, total: number | null): Promise<void> {
    await db.query('UPDATE sync_runs SET progress_step = $2, progress_done = $3, progress_total = $4 WHERE job_id = $1', [
      jobId,
      step,
      done,
      total,
    ]);
  }

  return {
    async syncAccount(input: SyncInput): Promise<SyncSummary> {
      const context = Context.current();
      const [account] = await db.query<SyncAccountRow[]>(
        'SELECT id, business_id, platform, external_id, metadata, access_token_enc FROM social_accounts WHERE id = $1',
        [input.accountId],
      );
      if (!account || !account.access_token_enc) {
        throw ApplicationFailure.nonRetryable('The account has no stored token (disconnected?).', 'ProviderRejected');
      }
      // Idempotent on the workflow's job id: a retried or resumed attempt reuses the same row.
      await db.query(
        `INSERT INTO sync_runs (job_id, account_id, business_id, platform, trigger, status, started_at, progress_step, progress_done)
         VALUES ($1, $2, $3, $4, $5, 'running', now(), 'Starting', 0) ON CONFLICT (job_id) DO NOTHING`,
        [input.jobId, account.id, account.business_id, account.platform, input.trigger],
      );
      const [run] = await db.query<{ started_at: Date }[]>('SELECT started_at FROM sync_runs WHERE job_id = $1', [input.jobId]);

      const provider = providers.get(account.platform);
      if (!provider) throw notConfigured(account.platform);
      const accessToken = keyring.decrypt(account.access_token_enc);
      const target = { externalId: account.external_id, metadata: account.metadata ?? {} };
      const resumed = context.info.heartbeatDetails as Checkpoint | undefined;
      let checkpoint: Checkpoint = resumed ?? { cursor: null, done: 0, pages: 0 };
      if (resumed?.cursor === null && resumed.pages > 0) checkpoint = resumed; // finished paging already
      const event = {
        platform: account.platform,
        account_id: account.id,
        business_id: account.business_id,
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
        [account.id, run!.started_at],
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
        await tx.query(
          `UPDATE sync_runs SET status = 'success', finished_at = now(), posts_synced = $2, impressions = $3, engagements = $4,
             engagement_rate = $5, error_message = NULL, progress_step = 'Done', progress_done = $2, progress_total = $2
           WHERE job_id = $1`,
          [input.jobId, summary.postsSynced, impressions, engagements, summary.engagementRate],
        );
        await tx.query(`UPDATE social_accounts SET last_sync_at = now(), last_sync_status = 'success' WHERE id = $1`, [account.id]);
      });
      workerMetrics.syncOutcome(account.platform, 'success', input.trigger);
      context.log.info('sync completed', {
        event_type: 'sync_completed',
        ...event,
        posts_synced: summary.postsSynced,
        impressions,
        engagements,
        duration_ms: Date.now() - run!.started_at.getTime(),
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
      await db.query(`UPDATE social_accounts SET last_sync_at = now(), last_sync_status = $2 WHERE id = $1`, [input.accountId, outcome]);
      const [account] = await db.query('SELECT platform, business_id FROM social_accounts WHERE id = $1', [input.accountId]);
      workerMetrics.syncOutcome(account?.platform ?? 'unknown', 'error', input.trigger);
      activityLog().warn('sync failed', {
        event_type: 'sync_failed',
        platform: account?.platform ?? null,
        account_id: input.accountId,
        business_id: account?.business_id ?? null,
        job_id: input.jobId,
        trigger: input.trigger,
        error_message: input.message,
      });
    },
  };
}

async function savePosts(
  db: DataSource,
  account: { id: number; business_id: number; platform: Platform },
  posts: SyncedPost[],
): Promise<void> {
  if (posts.length === 0) return;
  const columns = 12;
  const values: unknown[] = [];
  const rows = posts.map((post, i) => {
    values.push(account.id, account.business_id, account.platform, post.externalId, post.postedAt, post.text);
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
