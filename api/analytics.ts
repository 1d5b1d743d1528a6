// The seed's dashboard endpoints: sync status (from the state each account workflow writes to Postgres,
// decision 014), history, progress, sync-now, and the metrics over time.
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AccountActionRefused, queryAccountStatus, syncAccountNow } from '../lib/account-workflows.js';
import type { Config } from '../lib/config.js';
import { AccountSyncStateEntity, SocialAccountEntity, type SyncRun } from '../lib/db/entities.js';
import type { Platform } from '../lib/domain.js';
import { parseSyncJobId, type AccountStatusView } from '../workflows/contract.js';
import { preparedQuery } from '../lib/db/prepared.js';
import { accountsFor, memberAccountsWithSyncState, type AccountRow, type SyncStateRow } from './accounts.js';
import { memberBusinessId, readAsMember, requireUser } from './auth.js';
import { HttpError, notFound, parse } from './errors.js';
import { requiresAttention } from './oauth.js';
import { platformMetadata } from '../providers/registry.js';

export interface AnalyticsDeps {
  db: DataSource;
  temporal: Client;
  config: Config;
}

/** How long the one per-account query left (a queued job's live detail) may take before it is cancelled. */
const QUERY_DEADLINE_MS = 2_000;
const SYNC_STEPS = ['Starting', 'Fetching posts and metrics', 'Computing totals'];

type PlatformState = 'idle' | 'syncing' | 'error' | 'success';
type LastSync = NonNullable<AccountStatusView['lastSync']>;

/** The live view of one account from its workflow, or undefined when no worker answered before the deadline. */
async function liveStatus(temporal: Client, accountId: number): Promise<AccountStatusView | undefined> {
  try {
    return await queryAccountStatus(temporal, accountId, QUERY_DEADLINE_MS);
  } catch {
    return undefined;
  }
}

/** One account as sync-status shows it, from the state its workflow last wrote (decision 014). */
function accountSummary(account: AccountRow & { syncState: SyncStateRow | null }) {
  const live = account.syncState;
  const lastSync = (live?.lastSync ?? null) as LastSync | null;
  const status = live?.status ?? account.status;
  const lastSyncAt = lastSync?.finishedAt ?? account.lastSyncAt?.toISOString() ?? null;
  const lastSyncStatus = lastSync?.status ?? account.lastSyncStatus;
  const statusMessage = live ? live.statusMessage : account.statusMessage;
  let state: PlatformState;
  let message: string;
  if (status === 'reconnect_required') {
    state = 'error';
    message = statusMessage ?? 'Token expired - re-authentication required';
  } else if (status === 'syncing' || live?.currentJobId) {
    state = 'syncing';
    message = 'Sync in progress';
  } else if (lastSyncStatus === 'error' || lastSyncStatus === 'skipped') {
    state = 'error';
    message = statusMessage ?? `Last sync failed${lastSync?.error ? `: ${lastSync.error}` : ''}`;
  } else if (lastSyncStatus === 'success') {
    state = 'success';
    message = statusMessage ?? 'Last sync successful'; // e.g. a refresh failing since, with its reason
  } else {
    state = 'idle';
    message = 'Waiting for the first sync';
  }
  const tokenExpiresAt = live ? live.tokenExpiresAt : account.tokenExpiresAt;
  return {
    account_id: account.id,
    platform: account.platform,
    status: state,
    account_status: status,
    message,
    /** The workflow's own words about the account (a refresh failing, why it needs a reconnect), if any. */
    status_message: statusMessage ?? null,
    warning: live?.warning ?? null,
    reconnect_required: status === 'reconnect_required',
    requires_refresh: requiresAttention({ ...account, status, tokenExpiresAt }),
    last_sync: lastSyncAt,
    token_expires_at: tokenExpiresAt?.toISOString() ?? null,
    username: account.username,
    display_name: account.displayName,
    avatar_url: account.avatarUrl,
    next_sync_at: live?.nextSyncAt?.toISOString() ?? null,
    next_refresh_at: live?.nextRefreshAt?.toISOString() ?? null,
    can_refresh: live
      ? live.canRefresh
      : account.hasRefreshToken && (platformMetadata(account.platform)?.capabilities.refresh ?? 'none') !== 'none',
    current_job_id: live?.currentJobId ?? null,
    last_sync_summary: lastSync
      ? {
          posts_synced: lastSync.postsSynced,
          impressions: lastSync.impressions,
          engagements: lastSync.engagements,
          engagement_rate: lastSync.engagementRate,
        }
      : null,
    /** When the workflow last wrote this state; null (and `stale`) when it never has. */
    state_updated_at: live?.updatedAt.toISOString() ?? null,
    stale: live === null,
  };
}

/** A sync run with how long it has run and what the account's last five successful runs took. */
interface SyncProgressRow {
  job_id: string;
  account_id: number;
  business_id: number;
  platform: Platform;
  status: SyncRun['status'];
  started_at: Date;
  finished_at: Date | null;
  error_message: string | null;
  progress_step: string | null;
  progress_done: number;
  progress_total: number | null;
  /** Seconds, as numeric (pg returns it as a string). */
  elapsed: string;
  typical: string | null;
  typical_posts: number | null;
  /** From the account's projection. */
  next_sync_at: Date | null;
}

/** sync-history's one row per run (or one row without a run: a member of a business with none). */
interface SyncHistoryRow {
  member: boolean;
  /** bigint counts and sums come back as strings. */
  total: string;
  id: number | null;
  job_id: string;
  account_id: number;
  platform: Platform;
  trigger: SyncRun['trigger'];
  status: SyncRun['status'];
  started_at: Date;
  finished_at: Date | null;
  posts_synced: number;
  full_rescan: boolean;
  impressions: string;
  engagements: string;
  engagement_rate: number;
  error_message: string | null;
  username: string | null;
}

// $1 user, $2 business, $3 limit. One row whatever matches, so "not a member" and "no runs" are told apart.
const SYNC_HISTORY_SQL = `
  SELECT m.business_id IS NOT NULL AS member, t.total, r.*
  FROM (VALUES (1)) one
  LEFT JOIN memberships m ON m.user_id = $1 AND m.business_id = $2
  LEFT JOIN LATERAL (SELECT count(*) AS total FROM sync_runs WHERE business_id = m.business_id) t ON true
  LEFT JOIN LATERAL (
    SELECT r.id, r.job_id, r.account_id, r.platform, r.trigger, r.status, r.started_at, r.finished_at, r.posts_synced,
           r.full_rescan, r.impressions, r.engagements, r.engagement_rate, r.error_message, a.username
    FROM sync_runs r JOIN social_accounts a ON a.id = r.account_id
    WHERE r.business_id = m.business_id
    ORDER BY r.started_at DESC, r.id DESC
    LIMIT $3
  ) r ON true
  ORDER BY r.started_at DESC, r.id DESC`;

/** Posts and their sums per platform and day; bigint sums come back as strings. */
interface TimeseriesRow {
  platform: Platform;
  day: Date;
  posts: number;
  impressions: string;
  engagements: string;
}

const rank: Record<PlatformState, number> = { syncing: 3, error: 2, success: 1, idle: 0 };

export function analyticsRoutes(deps: AnalyticsDeps): Router {
  const { db, temporal } = deps;
  const router = Router();
  router.use(['/analytics', '/scheduler'], requireUser(db));

  router.get('/analytics/sync-status/:businessId', async (req, res) => {
    // One read: the membership check and every connected account with the state its workflow last
    // wrote, however many there are.
    const { businessId, value: accounts } = await readAsMember(req, req.params.businessId, (userId, id) =>
      memberAccountsWithSyncState(db, userId, id),
    );
    const summaries = accounts.map(accountSummary);
    const platforms: Record<string, (typeof summaries)[number]> = {};
    for (const summary of summaries) {
      const current = platforms[summary.platform];
      // Several accounts on one platform: the platform shows the one that most needs attention.
      if (!current || rank[summary.status] > rank[current.status]) platforms[summary.platform] = summary;
    }
    const overall = summaries.reduce<PlatformState>((worst, s) => (rank[s.status] > rank[worst] ? s.status : worst), 'idle');
    const lastSync =
      summaries
        .map((s) => s.last_sync)
        .filter((t): t is string => t !== null)
        .sort()
        .at(-1) ?? null;
    res.json({
      business_id: businessId,
      overall_status: overall,
      last_sync: lastSync,
      connected_platforms: Object.keys(platforms).length,
      connected_accounts: summaries.length,
      platforms,
      accounts: summaries,
      stale: summaries.some((s) => s.stale),
      timestamp: new Date().toISOString(),
    });
  });

  router.get('/analytics/sync-history/:businessId', async (req, res) => {
    const limit = parse(z.coerce.number().int().min(1).max(50).default(10), req.query.limit);
    // One prepared statement: the membership check, the business's run count and its latest runs.
    const { businessId, value: rows } = await readAsMember(req, req.params.businessId, async (userId, id) => {
      const found = await preparedQuery<SyncHistoryRow>(db, 'sync-history', SYNC_HISTORY_SQL, [userId, id, limit]);
      return found[0]?.member ? found : undefined;
    });
    res.json({
      business_id: businessId,
      total_syncs: Number(rows[0]!.total),
      history: rows
        .filter((r) => r.id !== null)
        .map((r) => ({
          id: r.id,
          job_id: r.job_id,
          timestamp: r.started_at.toISOString(),
          finished_at: r.finished_at?.toISOString() ?? null,
          status: r.status,
          platform: r.platform,
          account_id: r.account_id,
          username: r.username,
          trigger: r.trigger,
          posts_synced: r.posts_synced,
          full_rescan: r.full_rescan,
          metrics: { impressions: Number(r.impressions), engagements: Number(r.engagements), engagement_rate: r.engagement_rate },
          error_message: r.error_message,
        })),
    });
  });

  router.get('/analytics/sync-progress/:jobId', async (req, res) => {
    const jobId = parse(z.string().min(1).max(200), req.params.jobId);
    // Every job id is built by syncJobId: anything else (a NUL byte, an id past the integer range) names no job.
    const job = parseSyncJobId(jobId);
    if (!job) throw notFound('Sync job');
    // The account's last five successful runs of the same kind (full rescan or incremental, decision 018)
    // give the expected duration and, when the run has no total, the expected number of posts.
    const [run] = await db.query<SyncProgressRow[]>(
      `SELECT r.job_id, r.account_id, r.business_id, r.platform, r.status, r.started_at, r.finished_at, r.error_message,
              r.progress_step, r.progress_done, r.progress_total,
              extract(epoch FROM (coalesce(r.finished_at, now()) - r.started_at)) AS elapsed, past.typical, past.typical_posts,
              s.next_sync_at
       FROM sync_runs r
       LEFT JOIN account_sync_state s ON s.account_id = r.account_id
       LEFT JOIN LATERAL (
         SELECT avg(extract(epoch FROM (p.finished_at - p.started_at))) AS typical, (array_agg(p.posts_synced ORDER BY p.started_at DESC))[1] AS typical_posts
         FROM (SELECT started_at, finished_at, posts_synced FROM sync_runs
               WHERE account_id = r.account_id AND status = 'success' AND job_id <> r.job_id AND full_rescan = r.full_rescan
               ORDER BY started_at DESC LIMIT 5) p
       ) past ON true
       WHERE r.job_id = $1`,
      [jobId],
    );
    if (!run) {
      // Started by the workflow but not yet picked up by a worker: "queued", from the state the workflow
      // wrote, or (in the moment before it has written it) from the workflow itself, within a deadline.
      const { accountId } = job;
      const account = await db
        .getRepository(SocialAccountEntity)
        .createQueryBuilder('a')
        .select(['a.businessId', 'a.platform'])
        .leftJoin(AccountSyncStateEntity.options.name, 's', 's.accountId = a.id')
        .addSelect(['s.currentJobId', 's.currentJobStartedAt', 's.nextSyncAt'])
        .where('a.id = :accountId', { accountId })
        .getRawOne<{
          a_business_id: number;
          a_platform: Platform;
          s_current_job_id: string | null;
          s_current_job_started_at: Date | null;
          s_next_sync_at: Date | null;
        }>();
      if (!account) throw notFound('Sync job');
      await memberBusinessId(db, req, account.a_business_id);
      let queued: { startedAt: string; nextSyncAt: string | null } | undefined;
      if (account.s_current_job_id === jobId) {
        queued = { startedAt: account.s_current_job_started_at!.toISOString(), nextSyncAt: account.s_next_sync_at?.toISOString() ?? null };
      } else {
        const live = await liveStatus(temporal, accountId);
        if (live?.currentSync?.jobId === jobId) queued = { startedAt: live.currentSync.startedAt, nextSyncAt: live.nextSyncAt };
      }
      if (!queued) throw notFound('Sync job');
      res.json({
        job_id: jobId,
        status: 'running',
        progress: 0,
        current_step: 'Queued',
        total_steps: SYNC_STEPS.length,
        completed_steps: 0,
        posts_done: 0,
        posts_total: null,
        estimated_time_remaining: null,
        started_at: queued.startedAt,
        finished_at: null,
        next_run_time: queued.nextSyncAt,
        account_id: accountId,
        platform: account.a_platform,
        error_message: null,
      });
      return;
    }
    await memberBusinessId(db, req, run.business_id);
    const elapsed = Number(run.elapsed);
    const typical = run.typical === null ? null : Number(run.typical);
    const expectedPosts = run.progress_total ?? (run.typical_posts !== null && run.typical_posts > 0 ? run.typical_posts : null);
    const running = run.status === 'running';
    const stepIndex = Math.max(0, SYNC_STEPS.indexOf(run.progress_step ?? 'Starting'));
    let progress = 100;
    let eta: number | null = 0;
    if (running) {
      if (expectedPosts) progress = Math.min(99, Math.round((run.progress_done / expectedPosts) * 100));
      else if (typical) progress = Math.min(95, Math.round((elapsed / typical) * 100));
      else progress = Math.round((stepIndex / SYNC_STEPS.length) * 100);
      // From the pace so far once posts are arriving; before that, from the account's past runs.
      if (expectedPosts && run.progress_done > 0) {
        eta = Math.max(1, Math.round((elapsed / run.progress_done) * Math.max(0, expectedPosts - run.progress_done)));
      } else {
        eta = typical !== null ? Math.max(1, Math.round(typical - elapsed)) : null;
      }
    }
    res.json({
      job_id: run.job_id,
      status: running ? 'running' : run.status === 'success' ? 'completed' : 'failed',
      progress,
      current_step: running ? run.progress_step : run.status === 'success' ? 'Completed' : 'Failed',
      total_steps: SYNC_STEPS.length,
      completed_steps: running ? stepIndex : SYNC_STEPS.length,
      posts_done: run.progress_done,
      posts_total: run.progress_total,
      posts_expected: expectedPosts,
      estimated_time_remaining: eta,
      started_at: run.started_at.toISOString(),
      finished_at: run.finished_at?.toISOString() ?? null,
      next_run_time: run.next_sync_at?.toISOString() ?? null,
      account_id: run.account_id,
      platform: run.platform,
      error_message: run.error_message,
    });
  });

  router.get('/analytics/timeseries/:businessId', async (req, res) => {
    const businessId = await memberBusinessId(db, req, req.params.businessId);
    const days = parse(z.coerce.number().int().min(1).max(365).default(30), req.query.days);
    const rows = await db.query<TimeseriesRow[]>(
      `SELECT platform, date_trunc('day', posted_at) AS day, count(*)::int AS posts,
              sum(impressions)::bigint AS impressions, sum(engagements)::bigint AS engagements
       FROM post_metrics WHERE business_id = $1 AND posted_at >= now() - make_interval(days => $2)
       GROUP BY platform, day ORDER BY day, platform`,
      [businessId, days],
    );
    res.json({
      business_id: businessId,
      days,
      points: rows.map((r) => ({
        platform: r.platform,
        date: r.day.toISOString().slice(0, 10),
        posts: r.posts,
        impressions: Number(r.impressions),
        engagements: Number(r.engagements),
      })),
    });
  });

  router.post('/scheduler/trigger/:businessId', async (req, res) => {
    const businessId = await memberBusinessId(db, req, req.params.businessId);
    const accounts = (await accountsFor(db, businessId)).filter((a) => a.status !== 'disconnected');
    const triggered: { account_id: number; platform: string; job_id: string }[] = [];
    const skipped: { account_id: number; platform: string; reason: string }[] = [];
    await Promise.all(
      accounts.map(async (account) => {
        try {
          const job = await syncAccountNow(temporal, account.id);
          triggered.push({ account_id: account.id, platform: account.platform, job_id: job.jobId });
        } catch (error) {
          const reason = error instanceof AccountActionRefused ? error.message : 'The account workflow is not running.';
          skipped.push({ account_id: account.id, platform: account.platform, reason });
        }
      }),
    );
    if (accounts.length === 0) throw new HttpError(409, 'no_accounts', 'Connect an account before syncing.');
    if (triggered.length === 0) throw new HttpError(409, 'nothing_to_sync', skipped.map((s) => `${s.platform}: ${s.reason}`).join(' '));
    res.status(202).json({ business_id: businessId, message: `Sync started for ${triggered.length} account(s).`, triggered, skipped });
  });

  return router;
}
