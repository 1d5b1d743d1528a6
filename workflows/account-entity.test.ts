// The account's policy on its own, with explicit clock values: refresh lead, reconnect warning, expiry,
// sync cadence, the request queue, status changes and what the validators refuse.
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../activities/index.js';
import { AccountEntity } from './account-entity.js';
import type { AccountPolicy, AccountState } from './contract.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const policy: AccountPolicy = {
  syncIntervalMs: 15 * MINUTE,
  refreshLeadMs: 10 * MINUTE,
  reconnectWarningMs: 7 * DAY,
  syncHeartbeatTimeoutMs: MINUTE,
  maxCyclesPerRun: 3,
};

function facts(overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    accountId: 7,
    businessId: 3,
    platform: 'twitter',
    username: 'sandbox_x',
    status: 'active',
    statusMessage: null,
    tokenExpiresAt: iso(T0 + 2 * HOUR),
    canRefresh: true,
    policy,
    ...overrides,
  };
}

/** A freshly connected account loaded at T0, with what it published to operators. */
function loadedAccount(overrides: Partial<AccountSnapshot> = {}, now = T0) {
  const published: Pick<AccountState, 'status' | 'tokenExpiresAt'>[] = [];
  const account = new AccountEntity({ accountId: 7, businessId: 3, platform: overrides.platform ?? 'twitter' }, (s) =>
    published.push({ status: s.status, tokenExpiresAt: s.tokenExpiresAt }),
  );
  account.reloadPending = false; // as the workflow does before it loads
  account.loaded(facts(overrides), now);
  return { account, published };
}

describe('refresh lead', () => {
  it('refreshes a long-lived token the policy lead before it expires', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 + 2 * HOUR) });
    expect(account.state.nextRefreshAt).toBe(iso(T0 + 2 * HOUR - 10 * MINUTE));
  });

  it("never later than halfway through a short token's remaining life", () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 + 6 * MINUTE) });
    expect(account.state.nextRefreshAt).toBe(iso(T0 + 3 * MINUTE));
  });

  it('keeps the planned refresh when syncs plan again, instead of creeping toward the expiry', () => {
    const plan = (keep: boolean) => {
      const { account } = loadedAccount({ tokenExpiresAt: iso(T0 + 6 * MINUTE) });
      account.keepPlannedRefresh = keep;
      account.schedule(T0); // as at the load, now with the flag the workflow sets
      for (const at of [1, 2, 2.5]) account.schedule(T0 + at * MINUTE); // syncs finishing before the refresh
      return account.state.nextRefreshAt;
    };
    expect(plan(true)).toBe(iso(T0 + 3 * MINUTE));
    // Without the patch (histories recorded before it), halfway through what remains each time.
    expect(plan(false)).toBe(iso(T0 + 2.5 * MINUTE + 1.75 * MINUTE));
  });

  it('refreshes at once a token that has already expired', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 - MINUTE) });
    expect(account.state.nextRefreshAt).toBe(iso(T0));
    expect(account.refreshBeforeSync(T0)).toBe(true);
    expect(account.refreshBeforeSync(T0 - 2 * MINUTE)).toBe(false);
  });

  it('plans no refresh for a token that cannot be refreshed or does not expire', () => {
    expect(loadedAccount({ canRefresh: false, platform: 'linkedin' }).account.state.nextRefreshAt).toBeNull();
    expect(loadedAccount({ tokenExpiresAt: null, platform: 'meta', canRefresh: false }).account.state.nextRefreshAt).toBeNull();
  });

  it('makes the refresh the next thing due when it comes before the sync', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 + 10 * MINUTE) });
    account.takeRequest(); // the connect sync
    expect(account.nextDue()).toEqual({ at: iso(T0 + 5 * MINUTE), job: { kind: 'refresh' } });
  });

  it('reschedules from the new expiry after a refresh', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 + 10 * MINUTE) });
    account.refreshed(iso(T0 + 5 * MINUTE + 2 * HOUR));
    account.schedule(T0 + 5 * MINUTE);
    expect(account.state).toMatchObject({ status: 'active', nextRefreshAt: iso(T0 + 5 * MINUTE + 2 * HOUR - 10 * MINUTE) });
  });
});

describe('tokens that cannot be refreshed', () => {
  const linkedin = { platform: 'linkedin' as const, canRefresh: false, tokenExpiresAt: iso(T0 + 60 * DAY) };

  it("warns the policy's warning time before expiry, once", () => {
    const { account } = loadedAccount(linkedin);
    account.takeRequest();
    expect(account.nextDue()).toEqual({ at: iso(T0 + 15 * MINUTE), job: { kind: 'sync', trigger: 'schedule' } });
    account.state.nextSyncAt = null; // look past the syncs
    expect(account.nextDue()).toEqual({ at: iso(T0 + 53 * DAY), job: { kind: 'warn' } });
    account.warn();
    expect(account.state.warning).toBe(
      `The LinkedIn token expires at ${iso(T0 + 60 * DAY)} and cannot be refreshed: reconnect before then.`,
    );
    expect(account.nextDue()).toEqual({ at: iso(T0 + 60 * DAY), job: { kind: 'expire' } });
  });

  it("speaks of data access for a Page or an Instagram account (their tokens end with the user's data access)", () => {
    const { account } = loadedAccount({ ...linkedin, platform: 'instagram' });
    account.warn();
    expect(account.state.warning).toBe(`This account's data access ends at ${iso(T0 + 60 * DAY)}: reconnect before then.`);
  });

  it('turns reconnect_required at expiry, with nothing scheduled after', () => {
    const { account, published } = loadedAccount(linkedin);
    account.reconnectRequired('the access token expired and cannot be refreshed.');
    expect(account.state).toMatchObject({
      status: 'reconnect_required',
      statusMessage: 'Reconnect required: the access token expired and cannot be refreshed.',
      nextRefreshAt: null,
      nextSyncAt: null,
    });
    expect(account.nextDue()).toBeNull();
    expect(published.at(-1)).toEqual({ status: 'reconnect_required', tokenExpiresAt: linkedin.tokenExpiresAt });
  });

  it('clears the warning when a reconnect brings a new token', () => {
    const { account } = loadedAccount(linkedin);
    account.warn();
    account.loaded(facts({ ...linkedin, tokenExpiresAt: iso(T0 + 120 * DAY) }), T0 + DAY);
    expect(account.state.warning).toBeNull();
  });
});

describe('sync cadence', () => {
  it('syncs at once after a connect, then one interval after the last sync finished', () => {
    const { account } = loadedAccount();
    expect(account.takeRequest()).toEqual({ kind: 'sync', trigger: 'connect' });
    const job = account.startSync('connect', '82bb0226-6eb0-4c1e-9a7d-000000000000', T0);
    expect(job).toEqual({ jobId: 'account:7:sync:82bb0226:1', trigger: 'connect', startedAt: iso(T0) });
    account.syncSucceeded(
      job,
      { status: 'success', postsSynced: 250, impressions: 10, engagements: 1, engagementRate: 10, error: null },
      T0 + MINUTE,
    );
    account.syncEnded();
    account.schedule(T0 + MINUTE);
    expect(account.state.nextSyncAt).toBe(iso(T0 + 16 * MINUTE));
    expect(account.state.lastSync).toMatchObject({ status: 'success', jobId: job.jobId, finishedAt: iso(T0 + MINUTE) });
  });

  it('does not sync again at once when it is already past due', () => {
    const { account } = loadedAccount();
    account.syncFailed(account.startSync('schedule', 'abcdef01', T0), 'boom', T0);
    account.schedule(T0 + HOUR);
    expect(account.state.nextSyncAt).toBe(iso(T0 + HOUR));
    expect(account.state.lastSync).toMatchObject({ status: 'error', error: 'boom', postsSynced: 0 });
  });

  it('numbers sync jobs on across runs', () => {
    const { account } = loadedAccount();
    account.startSync('connect', 'aaaaaaaa-1', T0);
    const carried = new AccountEntity({ accountId: 7, businessId: 3, platform: 'twitter', state: account.carriedState() }, () => {});
    expect(carried.reloadPending).toBe(false);
    expect(carried.startSync('schedule', 'bbbbbbbb-2', T0).jobId).toBe('account:7:sync:bbbbbbbb:2');
  });

  it('resyncs at once only when a reconnect brings a dead or new account back', () => {
    const { account } = loadedAccount();
    account.takeRequest();
    account.loaded(facts(), T0 + MINUTE); // a reconnect of a live account
    expect(account.hasRequests).toBe(false);
    account.reconnectRequired('gone');
    account.loaded(facts(), T0 + 2 * MINUTE);
    expect(account.takeRequest()).toEqual({ kind: 'sync', trigger: 'connect' });
    account.loaded(facts({ status: 'reconnect_required' }), T0 + 3 * MINUTE); // stored tokens still dead
    expect(account.state.status).toBe('reconnect_required');
  });
});

describe('requests and validators', () => {
  it('queues one sync at a time, with the reason for a second', () => {
    const { account } = loadedAccount();
    account.takeRequest();
    expect(() => account.assertCanSync()).not.toThrow();
    account.requestSync();
    expect(() => account.assertCanSync()).toThrow('A sync is already running for this account.');
    expect(account.takeRequest()).toEqual({ kind: 'sync', trigger: 'manual' });
    account.startSync('manual', 'cafe0000', T0);
    expect(() => account.assertCanSync()).toThrow('A sync is already running for this account.');
    account.syncEnded();
    expect(() => account.assertCanSync()).not.toThrow();
  });

  it('refuses a refresh the platform cannot do, saying why', () => {
    expect(() =>
      loadedAccount({ platform: 'linkedin', canRefresh: false, tokenExpiresAt: iso(T0 + DAY) }).account.assertCanRefresh(),
    ).toThrow(`linkedin gives this app no refresh token: reconnect before ${iso(T0 + DAY)}.`);
    expect(() => loadedAccount({ platform: 'meta', canRefresh: false, tokenExpiresAt: null }).account.assertCanRefresh()).toThrow(
      'meta tokens for this account do not expire, so there is nothing to refresh.',
    );
  });

  it('accepts a refresh asked for before the first load, when nothing is known of the tokens yet', () => {
    const fresh = new AccountEntity({ accountId: 7, businessId: 3, platform: 'twitter' }, () => undefined);
    expect(fresh.state).toMatchObject({ status: 'connecting', canRefresh: false });
    expect(() => fresh.assertCanRefresh()).not.toThrow();
    fresh.requestDisconnect();
    expect(() => fresh.assertCanRefresh()).toThrow('The account is disconnected.');
  });

  it('refuses a second refresh while one is queued or running, and answers the waiting one', () => {
    const { account } = loadedAccount();
    const waiting = account.requestRefresh();
    expect(() => account.assertCanRefresh()).toThrow('A refresh is already running.');
    expect(account.takeRequest()).toEqual({ kind: 'sync', trigger: 'connect' });
    expect(account.takeRequest()).toEqual({ kind: 'refresh' });
    account.setStatus('refreshing', null);
    expect(() => account.assertCanRefresh()).toThrow('A refresh is already running.');
    account.refreshRan('provider down');
    expect(waiting).toEqual({ done: true, error: 'provider down' });
    account.refreshRan(undefined); // a later scheduled refresh leaves the answered update alone
    expect(waiting.error).toBe('provider down');
  });

  it('refuses everything but a disconnect once reconnect is required', () => {
    const { account } = loadedAccount();
    account.reconnectRequired('gone');
    expect(() => account.assertCanSync()).toThrow('The account must be reconnected first.');
    expect(() => account.assertCanRefresh()).toThrow('The account must be reconnected first.');
    expect(() => account.assertCanDisconnect()).not.toThrow();
  });

  it('refuses everything once a disconnect is under way', () => {
    const { account } = loadedAccount();
    account.requestDisconnect();
    expect(account.interrupted).toBe(true);
    expect(() => account.assertCanSync()).toThrow('The account is disconnected.');
    expect(() => account.assertCanRefresh()).toThrow('The account is disconnected.');
    expect(() => account.assertCanDisconnect()).toThrow('The account is already being disconnected.');
    account.disconnectedWith({ revoked: false, revokeError: 'HTTP 503' });
    expect(account.state).toMatchObject({
      status: 'disconnected',
      statusMessage: 'Revocation at the provider failed: HTTP 503',
      nextSyncAt: null,
    });
    expect(account.nextDue()).toBeNull();
  });
});

describe('status changes and continue-as-new', () => {
  it('publishes status and expiry to operators only when they change', () => {
    const { account, published } = loadedAccount();
    expect(published).toEqual([{ status: 'active', tokenExpiresAt: iso(T0 + 2 * HOUR) }]);
    account.setStatus('active', 'Last sync failed: boom'); // only the message changed
    account.schedule(T0 + MINUTE);
    expect(published).toHaveLength(1);
    account.setStatus('syncing', null);
    account.refreshed(iso(T0 + 4 * HOUR));
    expect(published.slice(1)).toEqual([
      { status: 'syncing', tokenExpiresAt: iso(T0 + 2 * HOUR) },
      { status: 'active', tokenExpiresAt: iso(T0 + 4 * HOUR) },
    ]);
  });

  it("gives the dashboard's projection only a changed state, stamped with the clock (decision 014)", () => {
    const { account } = loadedAccount();
    const first = account.projectionIfChanged(T0);
    expect(first).toMatchObject({
      accountId: 7,
      status: 'active',
      nextSyncAt: iso(T0 + 15 * MINUTE),
      currentSync: null,
      observedAt: iso(T0),
    });
    expect(account.projectionIfChanged(T0 + 1)).toBeNull(); // nothing visible changed
    const job = account.startSync('schedule', 'run-1', T0 + 2);
    account.setStatus('syncing', null);
    expect(account.projectionIfChanged(T0 + 3)).toMatchObject({ status: 'syncing', currentSync: job, observedAt: iso(T0 + 3) });
    account.syncSucceeded(
      job,
      { status: 'success', postsSynced: 5, impressions: 10, engagements: 1, engagementRate: 10, error: null },
      T0 + 4,
    );
    account.syncEnded();
    account.schedule(T0 + 4);
    expect(account.projectionIfChanged(T0 + 5)).toMatchObject({
      status: 'active',
      currentSync: null,
      lastSync: { status: 'success', postsSynced: 5, jobId: job.jobId, finishedAt: iso(T0 + 4) },
      nextSyncAt: iso(T0 + 4 + 15 * MINUTE),
    });
    expect(account.projectionIfChanged(T0 + 6)).toBeNull();
  });

  it('starts a fresh run by loading the account, and a continued one from its carried state', () => {
    const fresh = new AccountEntity({ accountId: 7, businessId: 3, platform: 'twitter' }, () => {});
    expect(fresh.state).toMatchObject({ status: 'connecting', syncCount: 0, cycles: 0 });
    expect(fresh.reloadPending).toBe(true);
    expect(fresh.interrupted).toBe(true);
  });

  it("continues as new after the policy's cycles or when Temporal suggests it, never with work queued", () => {
    const { account } = loadedAccount();
    expect(account.cycleDone(true)).toBe(false); // the connect sync is still queued
    account.takeRequest();
    expect(account.cycleDone(false)).toBe(false);
    expect(account.cycleDone(false)).toBe(true); // third cycle of maxCyclesPerRun 3
    expect(account.carriedState().cycles).toBe(0);
    const other = loadedAccount().account;
    other.takeRequest();
    expect(other.cycleDone(true)).toBe(true);
  });
});

describe('refresh failures (issue 10 item 4)', () => {
  const backoffPolicy = { ...policy, syncIntervalMs: DAY, refreshRetryInitialMs: MINUTE, refreshRetryMaxMs: HOUR };

  it('retries a refresh that fails for a transient reason exponentially, capped at an hour, and says why', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 - MINUTE), policy: backoffPolicy });
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 9; i++) {
      account.setStatus('refreshing', null);
      account.refreshFailed('503 Service Unavailable', false, now);
      const due = account.nextDue()!;
      expect(due.job).toEqual({ kind: 'refresh' });
      waits.push((Date.parse(due.at) - now) / MINUTE);
      now = Date.parse(due.at);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(account.state).toMatchObject({
      status: 'active',
      statusMessage: 'Token refresh failed: 503 Service Unavailable',
      refreshFailures: 9,
    });
    expect(account.nextDue()!.why).toBe('retry 9 after: Token refresh failed: 503 Service Unavailable');
  });

  it("says the app's credentials were rejected without changing the status", () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 - MINUTE), policy: backoffPolicy });
    account.refreshFailed('invalid_client', true, T0);
    expect(account.state).toMatchObject({
      status: 'active',
      statusMessage: "The app's credentials were rejected by X: invalid_client",
    });
    expect(account.state.nextRefreshAt).toBe(iso(T0 + MINUTE));
  });

  it('retries at the backoff even when the expiry is far (the refresh followed a 401), and at the lead once it succeeds', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 + 2 * HOUR), policy: backoffPolicy });
    account.refreshFailed('timeout', false, T0);
    expect(account.state.nextRefreshAt).toBe(iso(T0 + MINUTE));
    account.refreshed(iso(T0 + 3 * HOUR));
    account.schedule(T0 + MINUTE);
    expect(account.state.nextRefreshAt).toBe(iso(T0 + 3 * HOUR - 10 * MINUTE));
  });

  it('skips a sync while the token is expired and the refresh is backing off, and not otherwise', () => {
    const { account } = loadedAccount({ tokenExpiresAt: iso(T0 - MINUTE), policy: backoffPolicy });
    expect(account.syncBlockedBy(T0)).toBeNull(); // never tried: refresh first
    expect(account.refreshBeforeSync(T0)).toBe(true);
    account.refreshFailed('503', false, T0);
    expect(account.refreshBeforeSync(T0 + 30_000)).toBe(false); // the backoff holds
    expect(account.syncBlockedBy(T0 + 30_000)).toBe(
      'Skipped: the access token expired and could not be refreshed (Token refresh failed: 503).',
    );
    expect(account.refreshBeforeSync(T0 + MINUTE)).toBe(true); // the backoff is over: try again first
    account.refreshed(iso(T0 + 3 * HOUR));
    expect(account.syncBlockedBy(T0 + MINUTE)).toBeNull();
    expect(account.state.refreshFailures).toBe(0);
  });

  it('records a skipped sync with its reason', () => {
    const { account } = loadedAccount();
    account.syncFailed(account.startSync('schedule', 'abcdef01', T0), 'Skipped: no token', T0, 'skipped');
    expect(account.state.lastSync).toMatchObject({ status: 'skipped', error: 'Skipped: no token' });
  });
});

describe('continue-as-new carries pending messages (issue 10 item 6)', () => {
  it('carries a reconnect and queued requests into the next run', () => {
    const { account } = loadedAccount();
    account.takeRequest(); // the connect sync ran
    account.reconnected();
    account.requestSync();
    const carried = new AccountEntity({ accountId: 7, businessId: 3, platform: 'twitter', state: account.carriedState() }, () => {});
    expect(carried.reloadPending).toBe(true);
    expect(carried.takeRequest()).toEqual({ kind: 'sync', trigger: 'manual' });
    expect(carried.state.pending).toBeUndefined(); // taken over, not carried twice
  });

  it('starts a continued run without pending messages from a state that has none (runs from before)', () => {
    const { account } = loadedAccount();
    account.takeRequest();
    const { pending: _, ...old } = account.carriedState();
    const carried = new AccountEntity({ accountId: 7, businessId: 3, platform: 'twitter', state: old }, () => {});
    expect(carried.reloadPending).toBe(false);
    expect(carried.hasRequests).toBe(false);
  });
});

describe('an account disconnected elsewhere (issue 10 item 7)', () => {
  it('ends when the stored account is disconnected, with nothing scheduled', () => {
    const { account } = loadedAccount();
    account.rowChecked(facts({ status: 'active' }));
    expect(account.ending).toBe(false);
    account.rowChecked(facts({ status: 'disconnected' }));
    expect(account.ending).toBe(true);
    expect(account.state).toMatchObject({ status: 'disconnected', nextRefreshAt: null, nextSyncAt: null });
    expect(account.nextDue()).toBeNull();
  });

  it('answers a waiting refresh and refuses a disconnect once it ended that way', () => {
    const { account } = loadedAccount();
    const waiting = account.requestRefresh();
    account.rowChecked(facts({ status: 'disconnected' }));
    expect(waiting).toEqual({ done: true, error: 'The account is disconnected.' });
    expect(() => account.assertCanDisconnect()).toThrow('The account is disconnected.');
  });

  it('ends when a reload finds it disconnected', () => {
    const { account } = loadedAccount({ status: 'disconnected' });
    expect(account.ending).toBe(true);
    expect(account.hasRequests).toBe(false); // no connect sync
  });
});
