// The account workflow against the real Temporal dev server and the sandbox, with token lifetimes of
// seconds: first sync, refresh with rotation, reuse detection, 429 with reset, revoked grants,
// reconnect, LinkedIn expiry warnings, Meta 190, continue-as-new, a worker killed mid-sync, disconnect.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAccountStatus } from '../lib/account-workflows.js';
import { Keyring } from '../lib/crypto/keyring.js';
import { seedDemo } from '../lib/db/seed.js';
import { accountWorkflowId } from './contract.js';
import { TEST_KEYS, startTestWorker } from '../test/support/env.js';
import { recordHistories } from '../test/support/histories.js';
import { connect, connectMetaPick, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let businessId: number;
const keyring = new Keyring(TEST_KEYS);

const X_USER = '1700000000000000001';
const X_USER_TWO = '1700000000000000002';
const META_USER = '10000000000000001';
const META_PAGE = '20000000000000002'; // Sandbox Bakery: no other test here connects it

beforeAll(async () => {
  system = await startTestSystem({
    SYNC_INTERVAL_SECONDS: '3600', // syncs here come from connects and triggers, not the clock
    TOKEN_REFRESH_LEAD_SECONDS: '2',
    RECONNECT_WARNING_SECONDS: '4',
    SYNC_HEARTBEAT_TIMEOUT_SECONDS: '3',
    ACCOUNT_MAX_CYCLES_PER_RUN: '3',
    // Every sync reads every post, as the retry, resume and kill cases here need several pages;
    // incremental syncs are activities/sync.test.ts's (decision 018).
    SYNC_FULL_RESCAN_HOURS: '0',
  });
  api = await system.login();
  businessId = system.user.businessId;
});

afterAll(async () => {
  if (process.env.RECORD_HISTORIES === '1' && system) await recordHistories(system);
  await system?.stop();
});

async function connectAccount(platform: string, identity?: string): Promise<number> {
  const res = await connect(api, platform, businessId, 'allow', identity);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.accounts[0].id;
}

const status = (accountId: number) => queryAccountStatus(system.temporal, accountId);
const row = async (accountId: number) => (await system.db.query('SELECT * FROM social_accounts WHERE id = $1', [accountId]))[0];
const runs = (accountId: number) => system.db.query('SELECT * FROM sync_runs WHERE account_id = $1 ORDER BY id', [accountId]);

async function syncNow(): Promise<{ account_id: number; job_id: string }[]> {
  const res = await api(`/api/v1/scheduler/trigger/${businessId}`, { method: 'POST' });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body.triggered;
}

/** Waits until the sync job has finished (its row appears only once the activity starts). */
async function waitForJob(jobId: string, timeout = 30_000): Promise<any> {
  await expect
    .poll(
      async () =>
        ['completed', 'failed'].includes((await (await api(`/api/v1/analytics/sync-progress/${encodeURIComponent(jobId)}`)).json()).status),
      { timeout, interval: 250 },
    )
    .toBe(true);
  return (await api(`/api/v1/analytics/sync-progress/${encodeURIComponent(jobId)}`)).json();
}

describe('account workflow', () => {
  let xAccount: number;

  it('syncs a new X account at once, pages through every post, and is findable by operators', async () => {
    xAccount = await connectAccount('twitter', X_USER);
    await expect.poll(async () => (await status(xAccount)).lastSync?.status, { timeout: 30_000 }).toBe('success');
    const live = await status(xAccount);
    expect(live).toMatchObject({ status: 'active', platform: 'twitter', canRefresh: true });
    expect(live.lastSync!.postsSynced).toBe(250);
    const [run] = await runs(xAccount);
    expect(run).toMatchObject({ status: 'success', trigger: 'connect', posts_synced: 250, progress_done: 250 });
    expect(Number(run.impressions)).toBeGreaterThan(0);
    const [{ n }] = await system.db.query('SELECT count(*)::int AS n FROM post_metrics WHERE account_id = $1', [xAccount]);
    expect(n).toBe(250);

    await expect
      .poll(
        async () => {
          const ids: string[] = [];
          for await (const wf of system.temporal.workflow.list({
            query: `BusinessId = "${businessId}" AND Platform = "twitter" AND AccountStatus = "active"`,
          }))
            ids.push(wf.workflowId);
          return ids;
        },
        { timeout: 15_000 },
      )
      .toContain(accountWorkflowId(xAccount));

    // The dashboard's projection (decision 014) shows what the workflow holds, without querying it.
    await expect
      .poll(async () => (await system.db.query('SELECT * FROM account_sync_state WHERE account_id = $1', [xAccount]))[0], {
        timeout: 10_000,
      })
      .toMatchObject({
        status: 'active',
        current_job_id: null,
        last_sync: expect.objectContaining({ status: 'success', postsSynced: 250 }),
      });
    const syncStatus = await (await api(`/api/v1/analytics/sync-status/${businessId}`)).json();
    expect(syncStatus).toMatchObject({ overall_status: 'success', connected_platforms: 1, stale: false });
    expect(syncStatus.platforms.twitter).toMatchObject({ status: 'success', message: 'Last sync successful', username: 'sandbox_x' });
    expect(syncStatus.platforms.twitter).toMatchObject({
      next_sync_at: (await status(xAccount)).nextSyncAt,
      next_refresh_at: (await status(xAccount)).nextRefreshAt,
      last_sync_summary: { posts_synced: 250 },
    });
    const history = await (await api(`/api/v1/analytics/sync-history/${businessId}?limit=5`)).json();
    expect(history.history[0]).toMatchObject({ status: 'success', platform: 'twitter', posts_synced: 250 });
  });

  it('retries a 429 only after the provider reset, then succeeds', async () => {
    await sandboxAdmin(system, '/faults', { platform: 'twitter', kind: 'rate_limit', times: 1, pathPrefix: '/2/users/', resetSeconds: 3 });
    const [job] = await syncNow();
    const done = await waitForJob(job!.job_id);
    expect(done.status).toBe('completed');
    // The reset is given in whole epoch seconds, 3 s ahead: the retry waited at least two of them.
    const elapsed = Date.parse(done.finished_at) - Date.parse(done.started_at);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    const [only] = (await runs(xAccount)).filter((r: { job_id: string }) => r.job_id === job!.job_id);
    expect(only).toMatchObject({ status: 'success', posts_synced: 250 });
  });

  it('records a sync that fails for good, and the next one recovers', async () => {
    // A 403 is not worth retrying: the sync fails at once and is recorded as an error run.
    await sandboxAdmin(system, '/faults', { platform: 'twitter', kind: 'server_error', status: 403, times: 1, pathPrefix: '/2/users/' });
    const [failed] = await syncNow();
    expect((await waitForJob(failed!.job_id)).status).toBe('failed');
    const live = await status(xAccount);
    expect(live).toMatchObject({ status: 'active' });
    expect(live.lastSync).toMatchObject({ status: 'error' });
    const history = await (await api(`/api/v1/analytics/sync-history/${businessId}?limit=1`)).json();
    expect(history.history[0]).toMatchObject({ status: 'error', job_id: failed!.job_id });
    expect(history.history[0].error_message).toBeTruthy();

    const [next] = await syncNow();
    expect((await waitForJob(next!.job_id)).status).toBe('completed');
    expect((await status(xAccount)).lastSync?.status).toBe('success');
  });

  it('refuses a second Sync Now while one runs, with the reason', async () => {
    await sandboxAdmin(system, '/faults', { platform: 'twitter', kind: 'latency', times: 2, delayMs: 1500 });
    const [job] = await syncNow();
    const refused = await api(`/api/v1/scheduler/trigger/${businessId}`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toContain('already running');
    const progress = await (await api(`/api/v1/analytics/sync-progress/${encodeURIComponent(job!.job_id)}`)).json();
    expect(progress).toMatchObject({ status: 'running', total_steps: 3 }); // queued or already paging
    await expect
      .poll(
        async () =>
          (await (await api(`/api/v1/analytics/sync-progress/${encodeURIComponent(job!.job_id)}`)).json()).estimated_time_remaining,
        { timeout: 10_000, interval: 100 },
      )
      .toBeGreaterThan(0); // from the account's past runs
    await waitForJob(job!.job_id);
  });

  it('refreshes an X token before it expires and stores the rotated pair; a reused refresh token ends in reconnect_required', async () => {
    await sandboxAdmin(system, '/config', { twitter: { accessTokenSeconds: 5 } });
    const accountId = await connectAccount('twitter', X_USER_TWO);
    const first = await row(accountId);
    const firstRefresh = keyring.decrypt(first.refresh_token_enc);
    // Refreshed (lead 2 s) before the 5 s token expired: a new expiry and a new refresh token.
    await expect.poll(async () => (await row(accountId)).refresh_token_enc !== first.refresh_token_enc, { timeout: 15_000 }).toBe(true);
    const after = await row(accountId);
    expect(after.token_expires_at.getTime()).toBeGreaterThan(first.token_expires_at.getTime());
    expect(first.token_expires_at.getTime()).toBeGreaterThan(Date.now() - 1_000); // it had not expired yet
    const issued = await sandboxAdmin(system, '/issued?platform=twitter');
    expect(issued.values).toContain(keyring.decrypt(after.refresh_token_enc));
    await sandboxAdmin(system, '/config', { twitter: { accessTokenSeconds: 7200 } });

    // Put the retired refresh token back, as a lost write or a replay would: the provider refuses it.
    await system.db.query('UPDATE social_accounts SET refresh_token_enc = $2 WHERE id = $1', [accountId, keyring.encrypt(firstRefresh)]);
    const refresh = await api(`/api/v1/oauth/twitter/refresh?business_id=${businessId}&account_id=${accountId}`, { method: 'POST' });
    expect(refresh.status).toBe(409);
    expect((await refresh.json()).error.message).toMatch(/Value passed for the token was invalid/);
    await expect.poll(async () => (await status(accountId)).status).toBe('reconnect_required');
    expect((await row(accountId)).status).toBe('reconnect_required');
    const again = await api(`/api/v1/oauth/twitter/refresh?business_id=${businessId}&account_id=${accountId}`, { method: 'POST' });
    expect((await again.json()).error.message).toContain('must be reconnected');
  });

  it('turns red at the next call after the grant is revoked, and green again after reconnecting', async () => {
    await sandboxAdmin(system, '/grants/revoke', { platform: 'twitter', userId: X_USER });
    const [job] = (await syncNow()).filter((j) => j.account_id === xAccount);
    await waitForJob(job!.job_id);
    await expect.poll(async () => (await status(xAccount)).status).toBe('reconnect_required');
    // The dashboard reads the projection, written by a local activity just after the state changes.
    const syncStatus = async () => (await api(`/api/v1/analytics/sync-status/${businessId}`)).json();
    await expect
      .poll(async () => (await syncStatus()).accounts.find((a: { account_id: number }) => a.account_id === xAccount), { timeout: 10_000 })
      .toMatchObject({ status: 'error', reconnect_required: true });
    expect((await syncStatus()).overall_status).toBe('error');

    const runsBefore = (await runs(xAccount)).length;
    const reconnectedId = await connectAccount('twitter', X_USER);
    expect(reconnectedId).toBe(xAccount); // the same account, updated, never a duplicate
    await expect.poll(async () => (await status(xAccount)).status, { timeout: 15_000 }).toBe('active');
    await expect.poll(async () => (await runs(xAccount)).at(-1)?.status, { timeout: 30_000 }).toBe('success');
    expect((await runs(xAccount)).length).toBe(runsBefore + 1);
    const [{ n }] = await system.db.query(
      `SELECT count(*)::int AS n FROM social_accounts WHERE platform = 'twitter' AND external_id = $1`,
      [X_USER],
    );
    expect(n).toBe(1);
  });

  it('has continued as new along the way, carrying its state', async () => {
    const statuses: string[] = [];
    for await (const wf of system.temporal.workflow.list({ query: `WorkflowId = "${accountWorkflowId(xAccount)}"` }))
      statuses.push(wf.status.name);
    expect(statuses).toContain('CONTINUED_AS_NEW');
    expect(statuses.filter((s) => s === 'RUNNING')).toHaveLength(1);
    const live = await status(xAccount);
    expect(live.syncCount).toBeGreaterThanOrEqual(4);
    expect(live.lastSync?.status).toBe('success');
  });

  it('syncs a LinkedIn organization: posts with their share statistics', async () => {
    const accountId = await connectAccount('linkedin', 'sbxLiMember02');
    await expect.poll(async () => (await status(accountId)).lastSync?.status, { timeout: 30_000 }).toBe('success');
    const [run] = await runs(accountId);
    expect(run).toMatchObject({ status: 'success', posts_synced: 230 });
    const [{ impressions, clicks }] = await system.db.query(
      'SELECT sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks FROM post_metrics WHERE account_id = $1',
      [accountId],
    );
    expect(Number(impressions)).toBeGreaterThan(0);
    expect(Number(clicks)).toBeGreaterThan(0);
  });

  it('refreshes a LinkedIn partner app token with its (non-rotating) refresh token before expiry', async () => {
    await sandboxAdmin(system, '/config', { linkedin: { refreshEnabled: true, accessTokenSeconds: 5 } });
    const partner = await sandboxAdmin(system, '/identities', {
      platform: 'linkedin',
      givenName: 'Partner',
      familyName: 'Member',
      organizations: [{ id: '90000077', name: 'Partner Co' }],
    });
    try {
      const accountId = await connectAccount('linkedin', partner.id);
      const first = await row(accountId);
      expect(first.refresh_token_enc).not.toBeNull();
      await expect.poll(async () => (await status(accountId)).canRefresh).toBe(true);
      await expect
        .poll(async () => (await row(accountId)).token_expires_at.getTime(), { timeout: 15_000 })
        .toBeGreaterThan(first.token_expires_at.getTime());
      const after = await row(accountId);
      expect(keyring.decrypt(after.refresh_token_enc)).toBe(keyring.decrypt(first.refresh_token_enc)); // LinkedIn does not rotate
      expect(after.status).toBe('active');
    } finally {
      await sandboxAdmin(system, '/config', { linkedin: { refreshEnabled: false, accessTokenSeconds: 5_184_000 } });
    }
  });

  it('warns before a LinkedIn token without refresh expires, then requires a reconnect at expiry', async () => {
    await sandboxAdmin(system, '/config', { linkedin: { accessTokenSeconds: 8 } });
    const accountId = await connectAccount('linkedin');
    await sandboxAdmin(system, '/config', { linkedin: { accessTokenSeconds: 5_184_000 } });
    expect((await status(accountId)).canRefresh).toBe(false);
    await expect.poll(async () => (await status(accountId)).warning, { timeout: 15_000 }).toMatch(/cannot be refreshed: reconnect/);
    expect((await status(accountId)).status).not.toBe('reconnect_required');
    await expect.poll(async () => (await status(accountId)).status, { timeout: 15_000 }).toBe('reconnect_required');
    const refresh = await api(`/api/v1/oauth/linkedin/refresh?business_id=${businessId}&account_id=${accountId}`, { method: 'POST' });
    expect(refresh.status).toBe(409);
  });

  it('syncs a Facebook Page and its Instagram account, then moves them to reconnect_required on Graph error 190', async () => {
    const accounts = await connectMetaPick(api, businessId, { pageIds: ['20000000000000001'], instagramIds: ['17841400000000001'] });
    const pageId = accounts.find((a) => a.platform === 'meta')!.id;
    const igId = accounts.find((a) => a.platform === 'instagram')!.id;
    await expect.poll(async () => (await status(pageId)).lastSync?.status, { timeout: 60_000 }).toBe('success');
    await expect.poll(async () => (await status(igId)).lastSync?.status, { timeout: 60_000 }).toBe('success');
    expect((await status(pageId)).lastSync?.postsSynced).toBe(240);
    expect((await status(igId)).lastSync?.postsSynced).toBe(210);
    const [{ views }] = await system.db.query('SELECT sum(impressions)::bigint AS views FROM post_metrics WHERE account_id = $1', [igId]);
    expect(Number(views)).toBeGreaterThan(0); // Instagram `views`, the metric that replaced impressions
    await sandboxAdmin(system, '/grants/revoke', { platform: 'meta' });
    await syncNow();
    await expect.poll(async () => (await status(pageId)).status, { timeout: 30_000 }).toBe('reconnect_required');
    expect((await status(pageId)).statusMessage).toMatch(/190/);
  });

  it("warns before a Meta user's data access runs out, then requires a reconnect", async () => {
    await sandboxAdmin(system, '/config', { meta: { dataAccessSeconds: 10 } });
    try {
      const [page] = await connectMetaPick(api, businessId, { pageIds: ['20000000000000003'] }, '10000000000000002');
      const pageId = page!.id;
      await expect
        .poll(async () => (await status(pageId)).warning, { timeout: 15_000 })
        .toMatch(/This account's data access ends at .* reconnect before then/);
      await expect.poll(async () => (await status(pageId)).status, { timeout: 15_000 }).toBe('reconnect_required');
    } finally {
      await sandboxAdmin(system, '/config', { meta: { dataAccessSeconds: 90 * 86_400 } });
    }
  });

  it("keeps a Facebook grant another business's Page still uses when one business disconnects", async () => {
    const rival = await seedDemo(system.db, { email: 'rival@example.com', password: 'rival-password', businessName: 'Rival Co' });
    const rivalApi = await system.login('rival@example.com', 'rival-password');
    async function connectPage(client: ApiClient, business: number): Promise<number> {
      const { pending_selection } = await (await connect(client, 'meta', business, 'allow', META_USER)).json();
      const res = await client(`/api/v1/oauth/meta/pages?business_id=${business}`, {
        method: 'POST',
        body: JSON.stringify({ pending_id: pending_selection.id, page_ids: [META_PAGE] }),
      });
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body.accounts[0].id;
    }
    const ours = await connectPage(api, businessId);
    const theirs = await connectPage(rivalApi, rival.businessId);
    await expect.poll(async () => (await status(theirs)).lastSync?.status, { timeout: 60_000 }).toBe('success');
    // One grant, two logins: each business holds its own user token, so tokens alone cannot tell.
    expect(keyring.decrypt((await row(ours)).user_token_enc)).not.toBe(keyring.decrypt((await row(theirs)).user_token_enc));

    const res = await api(`/api/v1/oauth/meta/disconnect?business_id=${businessId}&account_id=${ours}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await row(ours)).status).toBe('disconnected');

    const trigger = await rivalApi(`/api/v1/scheduler/trigger/${rival.businessId}`, { method: 'POST' });
    const { triggered } = await trigger.json();
    const job = triggered.find((j: { account_id: number }) => j.account_id === theirs);
    const finished = async () => {
      const [run] = await system.db.query('SELECT status FROM sync_runs WHERE job_id = $1', [job.job_id]);
      return run && run.status !== 'running' ? run.status : null;
    };
    await expect.poll(finished, { timeout: 60_000 }).not.toBeNull();
    expect(await finished()).toBe('success');
    expect((await status(theirs)).status).toBe('active');
  });

  it('finishes a sync after its worker is killed mid-way, with no duplicate rows', async () => {
    const accountId = xAccount;
    await system.worker.stop();
    const env = {
      ...process.env,
      NODE_ENV: 'test' as const,
      DATABASE_URL: system.databaseUrl,
      TEMPORAL_ADDRESS: system.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: system.config.TEMPORAL_TASK_QUEUE,
      TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
      SANDBOX_URL: system.sandbox.url,
      SYNC_HEARTBEAT_TIMEOUT_SECONDS: '3',
      ACCOUNT_MAX_CYCLES_PER_RUN: '3',
      SYNC_FULL_RESCAN_HOURS: '0', // as the test worker: three pages to be killed in the middle of
      LOG_LEVEL: 'warn',
    };
    const doomed = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env, stdio: 'ignore' });
    try {
      await sandboxAdmin(system, '/faults', { platform: 'twitter', kind: 'latency', times: 3, delayMs: 1500, pathPrefix: '/2/users/' });
      const [job] = (await syncNow()).filter((j) => j.account_id === accountId);
      await expect
        .poll(
          async () =>
            (await system.db.query('SELECT progress_done FROM sync_runs WHERE job_id = $1', [job!.job_id]))[0]?.progress_done ?? 0,
          { timeout: 30_000, interval: 100 },
        )
        .toBeGreaterThan(0);
      doomed.kill('SIGKILL');
      // With no worker to answer a status query, the dashboard still answers from the state the workflow
      // wrote (decision 014): the sync running, not `stale`.
      const shown = await (await api(`/api/v1/analytics/sync-status/${businessId}`)).json();
      expect(shown.stale).toBe(false);
      expect(shown.accounts.find((a: { account_id: number }) => a.account_id === accountId)).toMatchObject({
        stale: false,
        status: 'syncing',
        current_job_id: job!.job_id,
        username: 'sandbox_x',
      });
      system.worker = await startTestWorker(system.config, system.db);
      const done = await waitForJob(job!.job_id, 60_000);
      expect(done.status).toBe('completed');
      const jobRuns = await system.db.query('SELECT * FROM sync_runs WHERE job_id = $1', [job!.job_id]);
      expect(jobRuns).toHaveLength(1);
      expect(jobRuns[0].posts_synced).toBe(250);
      const [{ n, distinct }] = await system.db.query(
        'SELECT count(*)::int AS n, count(DISTINCT external_post_id)::int AS distinct FROM post_metrics WHERE account_id = $1',
        [accountId],
      );
      expect(n).toBe(250);
      expect(distinct).toBe(250);
    } finally {
      doomed.kill('SIGKILL');
    }
  });

  it('disconnects: revokes at the provider, deletes the tokens and ends the workflow', async () => {
    const before = await row(xAccount);
    const accessToken = keyring.decrypt(before.access_token_enc);
    const res = await api(`/api/v1/oauth/twitter/disconnect?business_id=${businessId}&account_id=${xAccount}`, { method: 'DELETE' });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ success: true, revoked_at_provider: true });
    const after = await row(xAccount);
    expect(after).toMatchObject({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null });
    const probe = await fetch(`${system.sandbox.url}/x/2/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(probe.status).toBe(401);
    const description = await system.temporal.workflow.getHandle(accountWorkflowId(xAccount)).describe();
    expect(description.status.name).toBe('COMPLETED');
    const oauthStatus = await (await api(`/api/v1/oauth/twitter/status?business_id=${businessId}&account_id=${xAccount}`)).json();
    expect(oauthStatus.is_connected).toBe(false);
  });
});
