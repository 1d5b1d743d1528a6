// Token refresh through the real activity (in the SDK's activity context) against a real Postgres and
// the sandbox, which rotates X refresh tokens and answers the documented reuse error: concurrent
// refreshes, a database outage after the provider answered, an interrupted refresh, a lost race.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../lib/crypto/keyring.js';
import type { Provider } from '../providers/contract.js';
import { providersFor, type Providers } from '../providers/registry.js';
import { TEST_KEYS } from '../test/support/env.js';
import { connect, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';
import { tokenRefresh } from './token-refresh.js';

let system: TestSystem;
let api: ApiClient;
const keyring = new Keyring(TEST_KEYS);

beforeAll(async () => {
  system = await startTestSystem();
  api = await system.login();
});
afterAll(() => system?.stop());

/** A new sandbox X identity, connected: its account id. */
async function connectX(): Promise<number> {
  const identity = await sandboxAdmin(system, '/identities', { platform: 'x', username: `r${Date.now() % 1e9}`, name: 'Refresh' });
  const res = await connect(api, 'twitter', system.user.businessId, 'allow', identity.id);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.accounts[0].id;
}

/** The real providers, counting refresh calls; `before` runs ahead of each real call. */
function counted(before?: (refreshToken: string) => Promise<void>): { providers: Providers; calls: () => number } {
  const real = providersFor(system.config);
  let calls = 0;
  return {
    calls: () => calls,
    providers: {
      get(platform) {
        const provider = real.get(platform);
        if (!provider?.refresh) return provider;
        const wrapped: Provider = Object.create(provider);
        wrapped.refresh = async (token: string) => {
          calls++;
          await before?.(token);
          return provider.refresh!(token);
        };
        return wrapped;
      },
    },
  };
}

/** Runs the refresh activity as a worker would: an attempt with a one-minute start-to-close timeout. */
function refresh(providers: Providers, accountId: number): Promise<{ tokenExpiresAt: string | null }> {
  const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 60_000, currentAttemptScheduledTimestampMs: Date.now() });
  return env.run(tokenRefresh({ db: system.db, keyring, providers }), accountId);
}

const row = async (accountId: number) => (await system.db.query('SELECT * FROM social_accounts WHERE id = $1', [accountId]))[0];

/** An X account whose last refresh was interrupted: the provider rotated the token, the process died before storing it. */
async function interruptedX(): Promise<number> {
  const accountId = await connectX();
  const stored = await row(accountId);
  await providersFor(system.config).get('twitter')!.refresh!(keyring.decrypt(stored.refresh_token_enc));
  await system.db.query(
    `UPDATE social_accounts SET refresh_started_at = '2026-01-02T03:04:05Z', refresh_finished_at = NULL WHERE id = $1`,
    [accountId],
  );
  return accountId;
}

describe('token refresh', () => {
  it('serialises concurrent refreshes of one X account: one provider call, both succeed, the stored token works', async () => {
    const accountId = await connectX();
    await sandboxAdmin(system, '/faults', { platform: 'x', kind: 'latency', delayMs: 500, pathPrefix: '/x/2/oauth2/token' });
    const run = counted();
    const [a, b] = await Promise.all([refresh(run.providers, accountId), refresh(run.providers, accountId)]);
    expect(run.calls()).toBe(1);
    expect(a.tokenExpiresAt).not.toBeNull();
    expect(b).toEqual(a);
    expect(await row(accountId)).toMatchObject({ status: 'active', refresh_outcome: 'success' });
    await expect(refresh(run.providers, accountId)).resolves.toMatchObject({ tokenExpiresAt: expect.any(String) });
    expect(run.calls()).toBe(2);
  });

  it('keeps retrying the write after the provider answered, through seconds of database failure', async () => {
    const accountId = await connectX();
    const before = await row(accountId);
    // A real Postgres error on every write of a new refresh token for the next 6 seconds.
    await system.db.query(`CREATE TABLE IF NOT EXISTS refresh_outage (until timestamptz NOT NULL)`);
    await system.db.query(`INSERT INTO refresh_outage VALUES (now() + interval '6 seconds')`);
    await system.db.query(`CREATE OR REPLACE FUNCTION refresh_outage_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM refresh_outage WHERE until > now()) THEN RAISE EXCEPTION 'simulated database outage'; END IF;
        RETURN NEW;
      END $$`);
    await system.db.query(`CREATE TRIGGER refresh_outage BEFORE UPDATE ON social_accounts FOR EACH ROW
      WHEN (OLD.refresh_token_enc IS DISTINCT FROM NEW.refresh_token_enc) EXECUTE FUNCTION refresh_outage_fail()`);
    try {
      const run = counted();
      const started = Date.now();
      await expect(refresh(run.providers, accountId)).resolves.toMatchObject({ tokenExpiresAt: expect.any(String) });
      expect(Date.now() - started).toBeGreaterThan(5_000);
      expect(run.calls()).toBe(1);
      const after = await row(accountId);
      expect(after.refresh_token_enc).not.toBe(before.refresh_token_enc);
      expect(after).toMatchObject({ status: 'active', refresh_outcome: 'success' });
      await expect(refresh(run.providers, accountId)).resolves.toMatchObject({ tokenExpiresAt: expect.any(String) }); // the grant survived
    } finally {
      await system.db.query('DROP TRIGGER refresh_outage ON social_accounts');
      await system.db.query('DROP TABLE refresh_outage');
    }
  });

  it('names an interrupted refresh as the reason when the next one meets a dead grant', async () => {
    const accountId = await interruptedX();
    const failure = await refresh(counted().providers, accountId).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      type: 'GrantRevoked',
      message: expect.stringMatching(
        /^The previous refresh was interrupted during the provider call at 2026-01-02T03:04:05\.000Z; X may have rotated the token\./,
      ),
    });
    expect(await row(accountId)).toMatchObject({ refresh_outcome: 'grant_dead' });
  });

  it('still names the interrupted refresh after a refresh in between was refused for the app credentials', async () => {
    const accountId = await interruptedX();
    await sandboxAdmin(system, '/faults', { platform: 'x', kind: 'invalid_client', pathPrefix: '/2/oauth2/token', times: 1 });
    expect(await refresh(counted().providers, accountId).catch((error: unknown) => error)).toMatchObject({
      type: 'AppCredentialsRejected',
    });
    expect(await refresh(counted().providers, accountId).catch((error: unknown) => error)).toMatchObject({
      type: 'GrantRevoked',
      message: expect.stringMatching(/^The previous refresh was interrupted during the provider call at 2026-01-02T03:04:05\.000Z;/),
    });
  });

  it('treats a refused refresh as a lost race, not a dead grant, when the stored token changed meanwhile', async () => {
    const accountId = await connectX();
    const real = providersFor(system.config).get('twitter')!;
    // While this refresh runs, another writer (a reconnect, or a refresh that did not take the lock)
    // uses the same refresh token and stores the new pair: the provider then refuses ours as reused.
    const run = counted(async (token) => {
      const theirs = await real.refresh!(token);
      await system.db.query(
        'UPDATE social_accounts SET access_token_enc = $2, refresh_token_enc = $3, token_expires_at = $4 WHERE id = $1',
        [accountId, keyring.encrypt(theirs.accessToken), keyring.encryptOptional(theirs.refreshToken), theirs.expiresAt],
      );
    });
    await expect(refresh(run.providers, accountId)).resolves.toMatchObject({ tokenExpiresAt: expect.any(String) });
    expect(await row(accountId)).toMatchObject({ status: 'active', refresh_outcome: 'race' });
    await expect(refresh(counted().providers, accountId)).resolves.toMatchObject({ tokenExpiresAt: expect.any(String) });
  });
});
