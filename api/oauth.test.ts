// The connect journey for every platform, end to end: authorization URL -> sandbox consent page ->
// callback -> code exchange in a Temporal activity -> encrypted account -> account workflow.
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../lib/db/seed.js';
import { createApp } from './app.js';
import {
  connect,
  consentAt,
  sandboxAdmin,
  scanForSecrets,
  startTestSystem,
  type ApiClient,
  type TestSystem,
} from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let businessId: number;

beforeAll(async () => {
  system = await startTestSystem();
  api = await system.login();
  businessId = system.user.businessId;
});

afterAll(async () => {
  await system?.stop();
});

describe('connect X (OAuth 2.0 with PKCE)', () => {
  it('issues an authorization URL with state and an S256 challenge, keeping the verifier server-side', async () => {
    const res = await api(`/api/v1/oauth/x/authorize?business_id=${businessId}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.platform).toBe('twitter');
    const url = new URL(body.authorization_url);
    expect(url.pathname).toBe('/x/i/oauth2/authorize');
    expect(url.searchParams.get('state')).toBe(body.state);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${system.apiUrl}/api/v1/oauth/twitter/callback`);
    const [row] = await system.db.query('SELECT state_hash, code_verifier_enc FROM oauth_states ORDER BY id DESC LIMIT 1');
    expect(row.state_hash).not.toBe(body.state);
    expect(row.code_verifier_enc).toMatch(/^v1\./);
  });

  it('connects through the consent page and stores the account with encrypted tokens', async () => {
    const res = await connect(api, 'twitter', businessId);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ success: true, platform: 'twitter', business_id: businessId });
    expect(body.accounts).toHaveLength(1);
    const [account] = await system.db.query('SELECT * FROM social_accounts WHERE id = $1', [body.accounts[0].id]);
    expect(account.status).toBe('active');
    expect(account.access_token_enc).toMatch(/^v1\.test1\./);
    expect(account.refresh_token_enc).toMatch(/^v1\.test1\./);

    const status = await (await api(`/api/v1/oauth/twitter/status?business_id=${businessId}`)).json();
    expect(status).toMatchObject({ platform: 'twitter', is_connected: true, username: account.username, requires_refresh: false });
    expect(status.accounts[0]).toMatchObject({ can_refresh: true }); // X rotates, and a refresh token is stored
    expect(Date.parse(status.expires_at)).toBeGreaterThan(Date.now());
  });

  it('a reconnect shows in sync-status as soon as the callback answers, before the account workflow writes', async () => {
    const accountId = (await (await api(`/api/v1/oauth/twitter/status?business_id=${businessId}`)).json()).accounts[0].id;
    const syncStatusOf = async () =>
      ((await (await api(`/api/v1/analytics/sync-status/${businessId}`)).json()).accounts as { account_id: number }[]).find(
        (a) => a.account_id === accountId,
      );
    // The workflow's projection says reconnect_required, observed far ahead, so no write of the workflow
    // can change it: what the test then sees is the connect's own write.
    await expect
      .poll(async () => (await system.db.query('SELECT 1 FROM account_sync_state WHERE account_id = $1', [accountId])).length)
      .toBe(1);
    await system.db.query(
      `UPDATE account_sync_state SET status = 'reconnect_required', status_message = 'the grant was revoked', warning = 'soon',
         observed_at = now() + interval '1 day' WHERE account_id = $1`,
      [accountId],
    );
    expect(await syncStatusOf()).toMatchObject({ account_status: 'reconnect_required', reconnect_required: true });
    try {
      expect((await connect(api, 'twitter', businessId)).status).toBe(200);
      const [row] = await system.db.query('SELECT token_expires_at FROM social_accounts WHERE id = $1', [accountId]);
      expect(await syncStatusOf()).toMatchObject({
        account_status: 'active',
        reconnect_required: false,
        status_message: null,
        warning: null,
        token_expires_at: row.token_expires_at.toISOString(),
      });
    } finally {
      await system.db.query(`UPDATE account_sync_state SET observed_at = now() WHERE account_id = $1`, [accountId]);
    }
  });
});

describe('connect resumes', () => {
  it('a profile call that fails once is retried from the stored tokens, never sending the single-use code again', async () => {
    const issuedTokens = async () =>
      (await sandboxAdmin(system, '/issued?platform=twitter')).issued.filter(
        (e: { kind: string; direction: string }) => e.kind === 'access_token' && e.direction === 'issued',
      ).length;
    const before = await issuedTokens();
    await sandboxAdmin(system, '/faults', { platform: 'twitter', kind: 'server_error', times: 1, pathPrefix: '/2/users/me' });
    const res = await connect(api, 'twitter', businessId);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect((await sandboxAdmin(system, '/faults')).faults).toHaveLength(0); // the 503 was served
    expect((await issuedTokens()) - before).toBe(1); // one code exchange
    const [state] = await system.db.query('SELECT code_enc, tokens_enc, outcome FROM oauth_states ORDER BY id DESC LIMIT 1');
    expect(state).toMatchObject({ code_enc: null, tokens_enc: null });
    expect(state.outcome.accounts[0].id).toBe(body.accounts[0].id);
  });
});

describe('connect LinkedIn (no PKCE, OpenID userinfo)', () => {
  it('stores the member with its organization and a 60-day token', async () => {
    const res = await connect(api, 'linkedin', businessId);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const [account] = await system.db.query('SELECT * FROM social_accounts WHERE id = $1', [body.accounts[0].id]);
    expect(account).toMatchObject({ platform: 'linkedin', external_id: 'sbxLiMember01', status: 'active' });
    // Shown as the page it posts as (the organization lookup), not as the member's email.
    expect(account).toMatchObject({ username: 'sandbox-coffee', display_name: 'Sandbox Coffee Co.' });
    expect(account.metadata).toEqual({ organizationUrn: 'urn:li:organization:90000001' });
    expect(account.refresh_token_enc).toBeNull(); // most apps get no refresh token
    const days = (account.token_expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(59);
    const status = await (await api(`/api/v1/oauth/linkedin/status?business_id=${businessId}`)).json();
    expect(status).toMatchObject({ is_connected: true, requires_refresh: false });
    expect(status.accounts[0]).toMatchObject({ can_refresh: false }); // LinkedIn refreshes, but this app got no refresh token
  });
});

describe('connect Meta (Pages and Instagram through the page picker)', () => {
  it('lists the Pages with their Instagram accounts, then connects the picks', async () => {
    const res = await connect(api, 'meta', businessId);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.accounts).toEqual([]);
    const pending = body.pending_selection;
    expect(pending.pages).toEqual([
      expect.objectContaining({ pageId: '20000000000000001', instagram: { id: '17841400000000001', username: 'sandbox_coffee' } }),
      expect.objectContaining({ pageId: '20000000000000002', instagram: null }),
    ]);

    const listed = await (await api(`/api/v1/oauth/meta/pages?business_id=${businessId}&pending_id=${pending.id}`)).json();
    expect(listed.pages).toEqual(pending.pages);
    // Without an id (a callback that answered connect_pending never told the browser it), the newest open one.
    const newest = await (await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`)).json();
    expect(newest).toMatchObject({ pending_id: pending.id, pages: pending.pages });

    const picked = await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
      method: 'POST',
      body: JSON.stringify({ pending_id: pending.id, page_ids: ['20000000000000001'], instagram_ids: ['17841400000000001'] }),
    });
    const result = await picked.json();
    expect(picked.status, JSON.stringify(result)).toBe(200);
    expect(result.accounts.map((a: { platform: string }) => a.platform).sort()).toEqual(['instagram', 'meta']);
    const rows = await system.db.query(
      `SELECT platform, external_id, parent_account_id, token_expires_at, access_token_enc FROM social_accounts WHERE platform IN ('meta', 'instagram') ORDER BY platform`,
    );
    expect(rows).toHaveLength(2);
    const page = rows.find((r: { platform: string }) => r.platform === 'meta');
    const ig = rows.find((r: { platform: string }) => r.platform === 'instagram');
    expect(ig.parent_account_id).not.toBeNull();
    // Page tokens do not expire, but data access does (90 days): that is when the business must reconnect.
    const days = (page.token_expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    expect(ig.access_token_enc).toMatch(/^v1\./);

    // The selection is single-use.
    const again = await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
      method: 'POST',
      body: JSON.stringify({ pending_id: pending.id, page_ids: ['20000000000000002'] }),
    });
    expect(again.status).toBe(404);
    expect((await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`)).status).toBe(404); // none open any more

    // Its outcome is recorded with it (and the user token dropped), so a retry of the pick after a lost
    // completion (a worker killed right after the commit) finds the same accounts and starts their workflows.
    const [kept] = await system.db.query('SELECT user_token_enc, outcome FROM pending_connections WHERE id = $1', [pending.id]);
    expect(kept.user_token_enc).toBeNull();
    expect(kept.outcome.accounts.map((a: { id: number }) => a.id).sort()).toEqual(result.accounts.map((a: { id: number }) => a.id).sort());
    const retried = await system.temporal.workflow.execute('connectWorkflow', {
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      workflowId: `connect:meta-selection:${pending.id}:retry`,
      args: [{ kind: 'meta_selection', pendingId: pending.id, businessId, userId: system.user.userId, pageIds: ['x'], instagramIds: [] }],
    });
    expect(retried.accounts).toEqual(kept.outcome.accounts);

    const igStatus = await (await api(`/api/v1/oauth/instagram/status?business_id=${businessId}`)).json();
    expect(igStatus).toMatchObject({ is_connected: true, username: 'sandbox_coffee' });
  });
});

async function accountCount(): Promise<number> {
  return (await system.db.query('SELECT count(*)::int AS n FROM social_accounts'))[0].n;
}

describe('callback failures store nothing and say why', () => {
  async function authorize(platform = 'twitter'): Promise<{ url: string; state: string; cookie: string }> {
    const res = await api(`/api/v1/oauth/${platform}/authorize?business_id=${businessId}`);
    const body = await res.json();
    return { url: body.authorization_url, state: body.state, cookie: res.headers.getSetCookie()[0] ?? '' };
  }
  /** `name=value` of a Set-Cookie header. */
  const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;
  // The callback as the browser that started the flow opens it: with the client's cookies.
  const callback = (platform: string, query: Record<string, string>, accept = 'application/json') =>
    api.visit(`${system.apiUrl}/api/v1/oauth/${platform}/callback?${new URLSearchParams(query)}`, {
      headers: { accept },
      redirect: 'manual',
    });

  it.each([
    ['twitter', 'access_denied'],
    ['linkedin', 'access_denied'],
    ['meta', 'access_denied'],
  ])('%s: Deny on the consent page answers %s and burns the state', async (platform) => {
    const before = await accountCount();
    const { url, state } = await authorize(platform);
    const redirect = await consentAt(url, 'deny');
    const res = await api.visit(redirect, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('access_denied');
    expect(await accountCount()).toBe(before);
    const replay = await callback(platform, { code: 'x', state });
    expect((await replay.json()).error.code).toBe('invalid_state');
  });

  it('a missing code, an unknown state, an expired one, a replayed one and one for another platform', async () => {
    const before = await accountCount();
    const { state } = await authorize();
    expect((await (await callback('twitter', { state })).json()).error.code).toBe('missing_code');
    expect((await (await callback('twitter', { code: 'c', state: 'forged' })).json()).error.code).toBe('invalid_state');
    expect((await (await callback('twitter', { code: 'c' })).json()).error.code).toBe('missing_state');
    expect((await (await callback('linkedin', { code: 'c', state })).json()).error.code).toBe('state_platform_mismatch');

    const expired = await authorize();
    await system.db.query(`UPDATE oauth_states SET expires_at = now() - interval '1 minute' WHERE expires_at > now()`);
    expect((await (await callback('twitter', { code: 'c', state: expired.state })).json()).error.code).toBe('state_expired');

    // A real code, used twice: the second callback is refused before anything reaches the provider.
    const fresh = await authorize();
    const redirect = await consentAt(fresh.url);
    expect((await api.visit(redirect, { headers: { accept: 'application/json' } })).status).toBe(200);
    const replayed = await api.visit(redirect, { headers: { accept: 'application/json', cookie: cookieOf(fresh.cookie) } });
    expect(replayed.status).toBe(400);
    expect((await replayed.json()).error.code).toBe('state_already_used');
    expect(await accountCount()).toBe(before); // the X account was connected above: this was a reconnect
  });

  it('a code the provider rejects answers 400 token_exchange_failed and stores no account', async () => {
    const before = await accountCount();
    const { state } = await authorize('linkedin');
    const res = await callback('linkedin', { code: 'not-a-code-the-provider-issued', state });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('token_exchange_failed');
    expect(await accountCount()).toBe(before);
  });

  it('a browser is sent back to the dashboard with the error code', async () => {
    const { url } = await authorize();
    const redirect = await consentAt(url, 'deny');
    const res = await api.visit(redirect, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`http://web.test/b/${businessId}/connections?error=access_denied&platform=twitter`);
  });
});

describe('the flow is bound to the browser that started it (RFC 9700, 4.7.1)', () => {
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
  const stateRow = async (state: string) =>
    (
      await system.db.query('SELECT business_id, consumed_at, code_enc, browser_binding_hash FROM oauth_states WHERE state_hash = $1', [
        sha256(state),
      ])
    )[0];
  let attacker: ApiClient;
  let attackerBusinessId: number;

  beforeAll(async () => {
    ({ businessId: attackerBusinessId } = await seedDemo(system.db, {
      email: 'attacker@example.com',
      password: 'attacker-password',
      businessName: 'Attacker Co',
    }));
    attacker = await system.login('attacker@example.com', 'attacker-password');
  });

  it('authorize sets an HttpOnly, SameSite=Lax cookie for the callback path alone, whose SHA-256 is stored with the state', async () => {
    const res = await api(`/api/v1/oauth/instagram/authorize?business_id=${businessId}`);
    const { state } = await res.json();
    const [setCookie, ...others] = res.headers.getSetCookie();
    expect(others).toEqual([]);
    const attributes = setCookie!.split('; ');
    const value = /^social_sync_oauth=([A-Za-z0-9_-]{43})$/.exec(attributes[0]!)![1]!;
    expect(attributes.slice(1).filter((a) => !a.startsWith('Expires='))).toEqual([
      'Max-Age=600',
      'Path=/api/v1/oauth/meta/callback', // Instagram connects through Meta's app and callback
      'HttpOnly',
      'SameSite=Lax',
    ]);
    const row = await stateRow(state);
    expect(row.browser_binding_hash).toBe(sha256(value));
    expect(JSON.stringify(await system.db.query('SELECT * FROM oauth_states'))).not.toContain(value);
  });

  it('the cookie is Secure when the public API URL is https', async () => {
    const app = createApp({
      db: system.db,
      temporal: system.temporal,
      config: { ...system.config, PUBLIC_API_URL: 'https://api.example.test' },
      logger: system.apiLog.logger,
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/oauth/x/authorize?business_id=${businessId}`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()[0]).toMatch(/; Path=\/api\/v1\/oauth\/twitter\/callback; .*Secure/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("a tenant's sign-in link finished in another browser is refused: nothing stored, the state not consumed", async () => {
    const before = await accountCount();
    const started = await attacker(`/api/v1/oauth/linkedin/authorize?business_id=${attackerBusinessId}`);
    const { authorization_url, state } = await started.json();
    // The victim opens the tenant's link and consents (LinkedIn shows no consent screen to a member who granted the app before).
    const callback = await consentAt(authorization_url, 'allow');

    // An API client: JSON, 403, in the error shape.
    const res = await api.visit(callback, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: 'browser_mismatch', message: expect.stringContaining('another browser') });
    expect(res.headers.getSetCookie()).toEqual([]);

    // A browser without the API's cookie is handed to the dashboard, with the provider's answer sealed.
    const browser = await fetch(callback, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('referrer-policy')).toBe('no-referrer');
    const relay = new URL(browser.headers.get('location')!);
    expect(`${relay.origin}${relay.pathname}`).toBe('http://web.test/oauth/linkedin/callback');
    expect([...relay.searchParams.keys()]).toEqual(['relay']);
    expect(relay.href).not.toContain(state);
    expect(relay.href).not.toContain(callback.searchParams.get('code'));
    // ... whose own copy of the cookie is the victim's, i.e. none: refused the same way.
    const relayed = await fetch(`${system.apiUrl}/api/v1/oauth/linkedin/callback${relay.search}`, {
      headers: { accept: 'application/json' },
    });
    expect(relayed.status).toBe(403);
    expect((await relayed.json()).error.code).toBe('browser_mismatch');

    // A browser holding some other flow's cookie: the dashboard's error page, and that cookie left alone.
    const ours = await api(`/api/v1/oauth/linkedin/authorize?business_id=${businessId}`);
    const wrong = await api.visit(callback, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('http://web.test/?error=browser_mismatch&platform=linkedin');
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expect(ours.status).toBe(200);

    expect(await accountCount()).toBe(before);
    const [{ n }] = await system.db.query('SELECT count(*)::int AS n FROM social_accounts WHERE business_id = $1', [attackerBusinessId]);
    expect(n).toBe(0);
    expect(await stateRow(state)).toMatchObject({ business_id: attackerBusinessId, consumed_at: null, code_enc: null });
  });

  it("a link to someone's state finished elsewhere does not consume it: the browser that started it still connects", async () => {
    const started = await api(`/api/v1/oauth/twitter/authorize?business_id=${businessId}`);
    const { authorization_url, state } = await started.json();
    // Someone who learned the state (a leaked URL) calls the callback with it from their own cookie jar.
    await attacker(`/api/v1/oauth/twitter/authorize?business_id=${attackerBusinessId}`); // their jar holds their own binding
    const forged = await attacker.visit(`${system.apiUrl}/api/v1/oauth/twitter/callback?${new URLSearchParams({ state, code: 'c' })}`);
    expect(forged.status).toBe(403);
    expect((await stateRow(state)).consumed_at).toBeNull();

    const callback = await consentAt(authorization_url, 'allow');
    const res = await api.visit(callback, { headers: { accept: 'application/json' } });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.business_id).toBe(businessId);
    // The cookie did its work: cleared, and the state consumed.
    expect(res.headers.getSetCookie()[0]).toMatch(
      /^social_sync_oauth=; Path=\/api\/v1\/oauth\/twitter\/callback; Expires=Thu, 01 Jan 1970/,
    );
    expect(api.jar.header(callback)).toBe('');
    expect((await stateRow(state)).consumed_at).not.toBeNull();
  });

  it("the dashboard's relay finishes with the browser's kept cookie; a relay for another app or a tampered one is refused", async () => {
    const started = await api(`/api/v1/oauth/twitter/authorize?business_id=${businessId}`);
    const kept = api.jar.header(`${system.apiUrl}/api/v1/oauth/twitter/callback`);
    const callback = await consentAt((await started.json()).authorization_url, 'allow');
    const browser = await fetch(callback, { headers: { accept: 'text/html' }, redirect: 'manual' });
    const { search } = new URL(browser.headers.get('location')!);
    const relay = new URLSearchParams(search).get('relay')!;
    const asDashboard = (platform: string, sealed: string) =>
      fetch(`${system.apiUrl}/api/v1/oauth/${platform}/callback?${new URLSearchParams({ relay: sealed })}`, {
        headers: { accept: 'application/json', cookie: kept },
      });
    expect((await (await asDashboard('linkedin', relay)).json()).error.code).toBe('invalid_state');
    expect((await (await asDashboard('twitter', `${relay.slice(0, -4)}AAAA`)).json()).error.code).toBe('invalid_state');
    const res = await asDashboard('twitter', relay);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ platform: 'twitter', business_id: businessId });
    expect(res.headers.getSetCookie()[0]).toMatch(/^social_sync_oauth=;/);
  });
});

describe('tenancy', () => {
  it('answers 404 for every business-scoped route called for another business', async () => {
    const other = await seedDemo(system.db, { email: 'rival@example.com', password: 'rival-password', businessName: 'Rival Co' });
    const routes: [string, string][] = [
      ['GET', `/api/v1/oauth/twitter/authorize?business_id=${other.businessId}`],
      ['GET', `/api/v1/oauth/twitter/status?business_id=${other.businessId}`],
      ['POST', `/api/v1/oauth/twitter/refresh?business_id=${other.businessId}`],
      ['DELETE', `/api/v1/oauth/twitter/disconnect?business_id=${other.businessId}`],
      ['GET', `/api/v1/oauth/meta/pages?business_id=${other.businessId}&pending_id=1`],
      ['GET', `/api/v1/analytics/sync-status/${other.businessId}`],
      ['GET', `/api/v1/analytics/sync-history/${other.businessId}`],
      ['GET', `/api/v1/analytics/timeseries/${other.businessId}`],
      ['POST', `/api/v1/scheduler/trigger/${other.businessId}`],
    ];
    for (const [method, path] of routes) {
      const res = await api(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
    // And a rival cannot read this business's accounts by id.
    const rival = await system.login('rival@example.com', 'rival-password');
    const res = await rival(`/api/v1/oauth/twitter/status?business_id=${businessId}`);
    expect(res.status).toBe(404);
  });
});

describe('secrets', () => {
  it('no token, code, verifier or client secret the sandbox saw is in the database, the API logs or any Temporal history', async () => {
    const { values } = await sandboxAdmin(system, '/issued');
    expect(values.length).toBeGreaterThan(10);
    const hits = await scanForSecrets(system, values);
    expect(hits).toEqual([]);
  });
});
