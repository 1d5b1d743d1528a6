// Proves the provider contract is the whole story: a fifth platform, in memory and registered by this
// test alone, connects, refreshes and syncs through the real API, worker and account workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAccountStatus } from '../../lib/account-workflows.js';
import { Keyring } from '../../lib/crypto/keyring.js';
import { TEST_KEYS } from '../../test/support/env.js';
import { startTestSystem, type ApiClient, type TestSystem } from '../../test/support/system.js';
import { registerProvider } from '../registry.js';
import { createFakeProvider, FAKE_METADATA } from './index.js';

const fake = createFakeProvider({ accessTokenSeconds: 5, posts: 25, pageSize: 10 });
const unregister = registerProvider(FAKE_METADATA, () => fake.provider);
const keyring = new Keyring(TEST_KEYS);
let system: TestSystem;
let api: ApiClient;

beforeAll(async () => {
  system = await startTestSystem({ SYNC_INTERVAL_SECONDS: '3600', TOKEN_REFRESH_LEAD_SECONDS: '2', TOKEN_REFRESH_RETRY_SECONDS: '1' });
  api = await system.login();
});

afterAll(async () => {
  await system?.stop();
  unregister();
});

const row = async (id: number) => (await system.db.query('SELECT * FROM social_accounts WHERE id = $1', [id]))[0];

describe('a fifth provider registered at run time', () => {
  let accountId: number;

  it('is listed, and connects through the API callback and the connect workflow (PKCE checked)', async () => {
    const platforms = await (await api('/api/v1/oauth/platforms')).json();
    expect(platforms.platforms).toContainEqual({
      name: 'fakebook',
      display_name: 'Fakebook',
      oauth_provider: 'fakebook',
      configured: true,
    });

    const authorize = await (await api(`/api/v1/oauth/fakebook/authorize?business_id=${system.user.businessId}`)).json();
    expect(new URL(authorize.authorization_url).searchParams.get('code_challenge')).toBeTruthy();
    const res = await api.visit(fake.consent(authorize.authorization_url), { headers: { accept: 'application/json' } });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.accounts).toEqual([expect.objectContaining({ platform: 'fakebook', username: 'fake_user', reconnected: false })]);
    accountId = body.accounts[0].id;
    const stored = await row(accountId);
    expect(stored).toMatchObject({ platform: 'fakebook', external_id: 'fake-user-1', status: 'active' });
    expect(stored.access_token_enc).toMatch(/^v1\./);
  });

  it('syncs every page at once through the real workflow and worker', async () => {
    await expect
      .poll(async () => (await queryAccountStatus(system.temporal, accountId)).lastSync?.status, { timeout: 30_000 })
      .toBe('success');
    const live = await queryAccountStatus(system.temporal, accountId);
    expect(live).toMatchObject({ platform: 'fakebook', canRefresh: true });
    expect(live.lastSync!.postsSynced).toBe(25);
    const [{ n }] = await system.db.query('SELECT count(*)::int AS n FROM post_metrics WHERE account_id = $1', [accountId]);
    expect(n).toBe(25);
  });

  it('refreshes before expiry and stores the rotated pair', async () => {
    const before = await row(accountId);
    await expect.poll(async () => (await row(accountId)).refresh_token_enc !== before.refresh_token_enc, { timeout: 20_000 }).toBe(true);
    const after = await row(accountId);
    expect(after.token_expires_at.getTime()).toBeGreaterThan(before.token_expires_at.getTime());
    expect(keyring.decrypt(after.refresh_token_enc)).not.toBe(keyring.decrypt(before.refresh_token_enc));
    expect(fake.counts.refreshes).toBeGreaterThanOrEqual(1);
  });

  it('syncs again on request with the refreshed token', async () => {
    const pagesBefore = fake.counts.pages;
    const trigger = await api(`/api/v1/scheduler/trigger/${system.user.businessId}`, { method: 'POST' });
    expect(trigger.status).toBe(202);
    const [job] = (await trigger.json()).triggered;
    await expect
      .poll(async () => (await system.db.query('SELECT status FROM sync_runs WHERE job_id = $1', [job.job_id]))[0]?.status, {
        timeout: 30_000,
      })
      .toBe('success');
    // Incremental (decision 018): nothing is newer than the newest known post, so the first page ends it.
    expect(fake.counts.pages).toBe(pagesBefore + 1);
  });

  it('an app-credential failure on refresh retries and never asks for a reconnect', async () => {
    const refreshes = fake.counts.refreshes;
    fake.failRefreshes('app_misconfigured', 2);
    // Two refused attempts, retried by the workflow's backoff (1 s, then 2 s here), then a refresh that works.
    await expect.poll(() => fake.counts.refreshes, { timeout: 30_000 }).toBeGreaterThan(refreshes);
    expect((await row(accountId)).status).toBe('active');
    expect((await queryAccountStatus(system.temporal, accountId)).status).not.toBe('reconnect_required');
    const failed = system.workerLog
      .lines()
      .filter((l) => l.event_type === 'token_refresh' && l.account_id === accountId && l.outcome === 'failed');
    expect(failed.map((l) => l.error_type)).toEqual(['AppCredentialsRejected', 'AppCredentialsRejected']);
  });

  it('a dead grant on refresh moves the account to reconnect_required', async () => {
    fake.failRefreshes('grant_dead', 1);
    await expect
      .poll(async () => (await queryAccountStatus(system.temporal, accountId)).status, { timeout: 20_000 })
      .toBe('reconnect_required');
    await expect.poll(async () => (await row(accountId)).status, { timeout: 10_000 }).toBe('reconnect_required');
  });
});
