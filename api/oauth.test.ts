// The connect journey for every platform, end to end: authorization URL -> sandbox consent page ->
// callback -> code exchange in a Temporal activity -> encrypted account -> account workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../lib/db/seed.js';
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

    const igStatus = await (await api(`/api/v1/oauth/instagram/status?business_id=${businessId}`)).json();
    expect(igStatus).toMatchObject({ is_connected: true, username: 'sandbox_coffee' });
  });
});

describe('callback failures store nothing and say why', () => {
  async function accountCount(): Promise<number> {
    return (await system.db.query('SELECT count(*)::int AS n FROM social_accounts'))[0].n;
  }
  async function authorize(platform = 'twitter'): Promise<{ url: string; state: string }> {
    const body = await (await api(`/api/v1/oauth/${platform}/authorize?business_id=${businessId}`)).json();
    return { url: body.authorization_url, state: body.state };
  }
  const callback = (platform: string, query: Record<string, string>, accept = 'application/json') =>
    fetch(`${system.apiUrl}/api/v1/oauth/${platform}/callback?${new URLSearchParams(query)}`, { headers: { accept }, redirect: 'manual' });

  it.each([
    ['twitter', 'access_denied'],
    ['linkedin', 'access_denied'],
    ['meta', 'access_denied'],
  ])('%s: Deny on the consent page answers %s and burns the state', async (platform) => {
    const before = await accountCount();
    const { url, state } = await authorize(platform);
    const redirect = await consentAt(url, 'deny');
    const res = await fetch(redirect, { headers: { accept: 'application/json' } });
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
    expect((await fetch(redirect, { headers: { accept: 'application/json' } })).status).toBe(200);
    const replayed = await fetch(redirect, { headers: { accept: 'application/json' } });
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
    const res = await fetch(redirect, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`http://web.test/b/${businessId}/connections?error=access_denied&platform=twitter`);
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
