// Incremental sync (decision 018) through the real API, worker, workflow, Postgres and the sandbox: what a
// sync of an unchanged account costs in provider calls (the sandbox counts them), that it loses and
// duplicates nothing, that a new post is picked up, and that the full rescan comes when it is due.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncAccountNow } from '../lib/account-workflows.js';
import { connect, connectMetaPick, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let businessId: number;

const X_USER = '1700000000000000001';

beforeAll(async () => {
  // Syncs here come from connects and explicit triggers, not the clock; the sync policy is the default
  // (a full rescan daily, the last 7 days every sync).
  system = await startTestSystem({ SYNC_INTERVAL_SECONDS: '3600' });
  api = await system.login();
  businessId = system.user.businessId;
});

afterAll(async () => {
  await system?.stop();
});

interface Run {
  job_id: string;
  status: string;
  full_rescan: boolean;
  posts_synced: number;
  progress_done: number;
  progress_total: number | null;
  started_at: Date;
}

async function finishedRun(where: string, value: unknown): Promise<Run> {
  let run: Run | undefined;
  await expect
    .poll(
      async () => {
        [run] = await system.db.query(`SELECT * FROM sync_runs WHERE ${where} AND status <> 'running' ORDER BY id DESC LIMIT 1`, [value]);
        return run?.status;
      },
      { timeout: 60_000, interval: 200 },
    )
    .toBe('success');
  return run!;
}

async function connectAccount(platform: string, identity?: string): Promise<number> {
  const res = await connect(api, platform, businessId, 'allow', identity);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const accountId: number = body.accounts[0].id;
  await finishedRun('account_id = $1', accountId); // the connect's sync: a full one
  return accountId;
}

/** One sync of one account (nothing else syncs meanwhile), with the provider calls it made. */
async function syncOnce(accountId: number): Promise<{ run: Run; calls: number; requests: Record<string, number> }> {
  await sandboxAdmin(system, '/requests', undefined, 'DELETE');
  const { jobId } = await syncAccountNow(system.temporal, accountId);
  const run = await finishedRun('job_id = $1', jobId);
  const { requests, total } = await sandboxAdmin(system, '/requests');
  return { run, calls: total, requests };
}

/** A sync once the last full rescan is a day old: every post again. */
async function fullRescan(accountId: number) {
  await system.db.query(`UPDATE sync_cursors SET full_rescan_at = now() - interval '25 hours' WHERE account_id = $1`, [accountId]);
  return syncOnce(accountId);
}

type MetricRow = { external_post_id: string; impressions: string; likes: number; engagements: string; fetched_at: Date };
const stored = async (accountId: number): Promise<Map<string, MetricRow>> => {
  const rows: MetricRow[] = await system.db.query(
    'SELECT external_post_id, impressions, likes, engagements, fetched_at FROM post_metrics WHERE account_id = $1',
    [accountId],
  );
  expect(new Set(rows.map((r) => r.external_post_id)).size).toBe(rows.length);
  return new Map(rows.map((r) => [r.external_post_id, r]));
};

/** Every post still there once, no number gone down; returns how many this run refreshed. */
function expectNothingLost(before: Map<string, MetricRow>, after: Map<string, MetricRow>, run: Run): number {
  for (const [id, was] of before) {
    const now = after.get(id);
    expect(now, `post ${id} kept`).toBeDefined();
    expect(Number(now!.impressions)).toBeGreaterThanOrEqual(Number(was.impressions));
    expect(Number(now!.engagements)).toBeGreaterThanOrEqual(Number(was.engagements));
  }
  return [...after.values()].filter((r) => r.fetched_at >= run.started_at).length;
}

describe('incremental sync', () => {
  let xAccount: number;

  it('syncs an unchanged X account with one provider call: the recent posts and their metrics, nothing lost', async () => {
    xAccount = await connectAccount('twitter', X_USER);
    const before = await stored(xAccount);
    expect(before.size).toBe(250);

    const { run, calls, requests } = await syncOnce(xAccount);
    console.log('provider calls, unchanged X account:', calls, requests);
    expect(calls).toBeLessThanOrEqual(3);
    expect(requests).toEqual({ [`GET /x/2/users/${X_USER}/tweets`]: 1 });
    expect(run.full_rescan).toBe(false);

    const after = await stored(xAccount);
    expect(after.size).toBe(250);
    const refreshed = expectNothingLost(before, after, run);
    // The recent window's posts, read again with their metrics (the sandbox's grow with each sync); the rest untouched.
    expect(refreshed).toBeGreaterThan(0);
    expect(refreshed).toBeLessThan(50);
    expect(run).toMatchObject({ posts_synced: refreshed, progress_done: refreshed, progress_total: refreshed });
    const [{ newest }] = await system.db.query('SELECT max(posted_at) AS newest FROM post_metrics WHERE account_id = $1', [xAccount]);
    const recent = [...after.values()].filter((r) => r.fetched_at >= run.started_at);
    expect(recent.length).toBe(refreshed);
    for (const r of recent) expect(Number(r.impressions)).toBeGreaterThan(Number(before.get(r.external_post_id)!.impressions));
    const [cursor] = await system.db.query('SELECT * FROM sync_cursors WHERE account_id = $1', [xAccount]);
    expect(cursor.newest_post_at).toEqual(newest);
  });

  it('picks up posts made since the last sync, still within three calls', async () => {
    const before = await stored(xAccount);
    await sandboxAdmin(system, '/content/publish', { kind: 'twitter', accountId: X_USER, count: 2 });
    const { run, calls } = await syncOnce(xAccount);
    expect(calls).toBeLessThanOrEqual(3);
    expect(run.full_rescan).toBe(false);
    const after = await stored(xAccount);
    expect(after.size).toBe(252);
    const added = [...after.keys()].filter((id) => !before.has(id));
    expect(added).toHaveLength(2);
    const refreshed = expectNothingLost(before, after, run);
    expect(run.posts_synced).toBe(refreshed);
    const [cursor] = await system.db.query('SELECT newest_post_id FROM sync_cursors WHERE account_id = $1', [xAccount]);
    expect(added).toContain(cursor.newest_post_id);
  });

  it('rescans every post once the last full rescan is SYNC_FULL_RESCAN_HOURS (24) old, then goes incremental again', async () => {
    const before = await stored(xAccount);
    await system.db.query(`UPDATE sync_cursors SET full_rescan_at = now() - interval '23 hours' WHERE account_id = $1`, [xAccount]);
    expect((await syncOnce(xAccount)).run.full_rescan).toBe(false); // not due yet

    await system.db.query(`UPDATE sync_cursors SET full_rescan_at = now() - interval '25 hours' WHERE account_id = $1`, [xAccount]);
    const full = await syncOnce(xAccount);
    expect(full.run).toMatchObject({ full_rescan: true, posts_synced: 252, progress_done: 252, progress_total: 252 });
    expect(full.calls).toBe(3); // 252 posts, 100 a page
    const after = await stored(xAccount);
    expect(after.size).toBe(252);
    expect(expectNothingLost(before, after, full.run)).toBe(252);
    const [cursor] = await system.db.query('SELECT full_rescan_at FROM sync_cursors WHERE account_id = $1', [xAccount]);
    expect(cursor.full_rescan_at).toEqual(full.run.started_at);

    const next = await syncOnce(xAccount);
    expect(next.run.full_rescan).toBe(false);
    expect(next.calls).toBe(1);
  });

  it('syncs an unchanged LinkedIn organization with two calls (posts, then their statistics)', async () => {
    const accountId = await connectAccount('linkedin');
    const before = await stored(accountId);
    expect(before.size).toBe(230);
    const { run, calls, requests } = await syncOnce(accountId);
    console.log('provider calls, unchanged LinkedIn organization:', calls, requests);
    expect(calls).toBeLessThanOrEqual(3);
    expect(requests).toEqual({ 'GET /linkedin/rest/posts': 1, 'GET /linkedin/rest/organizationalEntityShareStatistics': 1 });
    expect(run.full_rescan).toBe(false);
    const after = await stored(accountId);
    expect(after.size).toBe(230);
    const refreshed = expectNothingLost(before, after, run);
    expect(refreshed).toBeGreaterThan(0);
    expect(refreshed).toBeLessThan(50);
    // LinkedIn tells the total of every post; the incremental run counts against what it reads.
    expect(run).toMatchObject({ posts_synced: refreshed, progress_total: refreshed });

    const full = await fullRescan(accountId);
    console.log('provider calls, LinkedIn full rescan:', full.calls);
    expect(full.run).toMatchObject({ full_rescan: true, posts_synced: 230, progress_total: 230 });
    expect(full.calls).toBe(10); // five pages of 50, each with its statistics
  });

  it('syncs an unchanged Facebook Page and Instagram account with one call: the listing with its insights expanded', async () => {
    const accounts = await connectMetaPick(api, businessId, { pageIds: ['20000000000000001'], instagramIds: ['17841400000000001'] });
    // Both connect syncs over before anything is counted: the other account's would be counted too.
    for (const account of accounts) await finishedRun('account_id = $1', account.id);
    for (const platform of ['meta', 'instagram']) {
      const accountId = accounts.find((a) => a.platform === platform)!.id;
      const before = await stored(accountId);
      const { run, calls, requests } = await syncOnce(accountId);
      console.log(`provider calls, unchanged ${platform} account:`, calls, requests);
      expect(run.full_rescan).toBe(false);
      const after = await stored(accountId);
      expect(after.size).toBe(before.size);
      const refreshed = expectNothingLost(before, after, run);
      expect(refreshed).toBeGreaterThan(0);
      expect(calls).toBeLessThanOrEqual(3);
      expect(Object.keys(requests)).toEqual([expect.stringMatching(/\/(posts|media)$/)]);
      expect(refreshed).toBeLessThan(50);
      // The recent posts' insights came with the listing: every one of them grew since the last sync.
      for (const [id, row] of after)
        if (row.fetched_at >= run.started_at) expect(Number(row.impressions)).toBeGreaterThan(Number(before.get(id)!.impressions));

      const full = await fullRescan(accountId);
      console.log(`provider calls, ${platform} full rescan:`, full.calls);
      expect(full.run).toMatchObject({ full_rescan: true, posts_synced: before.size });
      expect(full.calls).toBe(Math.ceil(before.size / 100)); // listings of 100, insights inside
    }
  });
});
