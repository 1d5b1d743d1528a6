// The account workflow's clock on the real Temporal dev server and the sandbox, with token lifetimes of
// seconds: refresh lead, reconnect warning, expiry and retry backoff. Each test connects an account of
// its own (a new sandbox identity) and puts back what it changed, so any order works.
//
// Why not @temporalio/testing's time-skipping environment (real durations, skipped): its server is a
// separate binary (temporal-test-server, a native build of the Java SDK's test server) that the SDK
// downloads at run time from Temporal's download site, which this project's machines cannot reach, and
// no npm, Debian or Go package ships it. The dev server the suite already runs has no time skipping.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryAccountStatus } from '../lib/account-workflows.js';
import { connect, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';
import { accountWorkflowId } from './contract.js';

const TOKEN_SECONDS = 10;
const WARNING_SECONDS = 4;

let system: TestSystem;
let api: ApiClient;
let businessId: number;

beforeAll(async () => {
  system = await startTestSystem({
    SYNC_INTERVAL_SECONDS: '3600', // only connects sync here
    TOKEN_REFRESH_LEAD_SECONDS: '60', // longer than the tokens live: the halfway rule decides
    RECONNECT_WARNING_SECONDS: String(WARNING_SECONDS),
  });
  api = await system.login();
  businessId = system.user.businessId;
});

afterAll(async () => {
  await system?.stop();
});

const status = (accountId: number) => queryAccountStatus(system.temporal, accountId);
const row = async (accountId: number) => (await system.db.query('SELECT * FROM social_accounts WHERE id = $1', [accountId]))[0];

const restoreLifetimes = () =>
  sandboxAdmin(system, '/config', { twitter: { accessTokenSeconds: 7200 }, linkedin: { accessTokenSeconds: 5_184_000 } });

/** Connects a new identity of the platform; the sandbox issues its tokens for `seconds` until restoreLifetimes(). */
async function connectNew(platform: 'twitter' | 'linkedin', seconds: number): Promise<number> {
  const tag = `${Date.now() % 1_000_000}`;
  const identity =
    platform === 'twitter'
      ? await sandboxAdmin(system, '/identities', { platform, username: `timing${tag}`, name: `Timing ${tag}` })
      : await sandboxAdmin(system, '/identities', {
          platform,
          givenName: 'Timing',
          familyName: tag,
          organizations: [{ id: `9${tag}`, name: `Timing ${tag}` }],
        });
  await sandboxAdmin(system, '/config', { [platform]: { accessTokenSeconds: seconds } });
  const res = await connect(api, platform, businessId, 'allow', identity.id);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.accounts[0].id;
}

/** Polls until `probe` answers true and returns when it first did. */
async function when(probe: () => Promise<boolean>, timeout: number): Promise<number> {
  await expect.poll(probe, { timeout, interval: 100 }).toBe(true);
  return Date.now();
}

describe('account workflow timing', () => {
  afterEach(restoreLifetimes);

  it('refreshes a token that lives shorter than the lead halfway through its life, not at once and not late', async () => {
    const accountId = await connectNew('twitter', TOKEN_SECONDS);
    const first = await row(accountId);
    const firstExpiry = first.token_expires_at.getTime();
    let secondExpiry = firstExpiry;
    await expect
      .poll(async () => (secondExpiry = (await row(accountId)).token_expires_at.getTime()), { timeout: 20_000, interval: 100 })
      .toBeGreaterThan(firstExpiry);
    await restoreLifetimes();
    // The refresh was given a new 10 s token too, so it happened TOKEN_SECONDS before the new expiry.
    const refreshedAt = secondExpiry - TOKEN_SECONDS * 1000;
    const issuedAt = firstExpiry - TOKEN_SECONDS * 1000;
    expect(refreshedAt - issuedAt).toBeGreaterThanOrEqual((TOKEN_SECONDS * 1000) / 2 - 1_000); // not at once (the 60 s lead would say "now")
    expect(refreshedAt).toBeLessThan(firstExpiry); // before the old token died
    await expect.poll(async () => (await status(accountId)).status).toBe('active');
  });

  it('warns the warning time before a token without refresh expires, and not earlier', async () => {
    const accountId = await connectNew('linkedin', TOKEN_SECONDS);
    await expect.poll(async () => (await status(accountId)).tokenExpiresAt).toBeTruthy();
    const { tokenExpiresAt, canRefresh } = await status(accountId);
    expect(canRefresh).toBe(false);
    const expiresAt = Date.parse(tokenExpiresAt!);
    const warnedAt = await when(async () => (await status(accountId)).warning !== null, TOKEN_SECONDS * 1000 + 5_000);
    expect(warnedAt).toBeGreaterThanOrEqual(expiresAt - WARNING_SECONDS * 1000 - 100);
    const warned = await status(accountId);
    expect(warned.warning).toBe(`The LinkedIn token expires at ${warned.tokenExpiresAt} and cannot be refreshed: reconnect before then.`);
    expect(warned.status).toBe('active');
  });

  it('requires a reconnect at expiry, schedules nothing more and refuses refreshes with the reason', async () => {
    const accountId = await connectNew('linkedin', TOKEN_SECONDS);
    await expect.poll(async () => (await status(accountId)).tokenExpiresAt).toBeTruthy();
    const expiresAt = Date.parse((await status(accountId)).tokenExpiresAt!);
    const requiredAt = await when(async () => (await status(accountId)).status === 'reconnect_required', TOKEN_SECONDS * 1000 + 10_000);
    expect(requiredAt).toBeGreaterThanOrEqual(expiresAt);
    expect(await status(accountId)).toMatchObject({
      statusMessage: 'Reconnect required: the access token expired and cannot be refreshed.',
      nextRefreshAt: null,
      nextSyncAt: null,
    });
    expect((await row(accountId)).status).toBe('reconnect_required');
    await expect
      .poll(
        async () => {
          for await (const wf of system.temporal.workflow.list({
            query: `WorkflowId = "${accountWorkflowId(accountId)}" AND AccountStatus = "reconnect_required"`,
          }))
            return wf.status.name;
          return null;
        },
        { timeout: 15_000 },
      )
      .toBe('RUNNING');
    const refused = await api(`/api/v1/oauth/linkedin/refresh?business_id=${businessId}&account_id=${accountId}`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toBe('The account must be reconnected first.');
  });

  it('backs off between refresh attempts the provider answers 503, then refreshes', async () => {
    const accountId = await connectNew('twitter', 7200);
    await expect.poll(async () => (await status(accountId)).lastSync?.status, { timeout: 30_000 }).toBe('success');
    const before = (await row(accountId)).token_expires_at.getTime();
    await sandboxAdmin(system, '/faults', {
      platform: 'twitter',
      kind: 'server_error',
      status: 503,
      times: 2,
      pathPrefix: '/2/oauth2/token',
    });
    const started = Date.now();
    const res = await api(`/api/v1/oauth/twitter/refresh?business_id=${businessId}&account_id=${accountId}`, { method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(200);
    // The token activity's retry policy: 2 s, then 4 s (backoff coefficient 2).
    expect(Date.now() - started).toBeGreaterThanOrEqual(6_000);
    expect((await row(accountId)).token_expires_at.getTime()).toBeGreaterThan(before);
    const history = await system.temporal.workflow.getHandle(accountWorkflowId(accountId)).fetchHistory();
    const refreshes = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'refreshAccessToken');
    expect(refreshes).toHaveLength(1); // one activity, retried by the server: no extra history per attempt
    const started3 = history.events!.find(
      (e) =>
        e.activityTaskStartedEventAttributes &&
        Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(refreshes[0]!.eventId),
    );
    expect(started3?.activityTaskStartedEventAttributes?.attempt).toBe(3);
  });
});
