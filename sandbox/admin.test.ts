import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basic, capturingLogger, consent, form, sandboxPerTest, silentSandbox } from './test-helpers.js';

const X_REDIRECT = 'http://localhost:8000/api/v1/oauth/twitter/callback';
const LI_REDIRECT = 'http://localhost:8000/api/v1/oauth/linkedin/callback';
const META_REDIRECT = 'http://localhost:8000/api/v1/oauth/meta/callback';
const VERSION = `${new Date().getUTCFullYear()}${String(new Date().getUTCMonth() + 1).padStart(2, '0')}`;

const capture = capturingLogger();
const sbx = sandboxPerTest({ logger: capture.logger });

const admin = (path: string, body?: unknown, method = 'POST') =>
  fetch(`${sbx.url}/admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function xToken() {
  const verifier = 'admin-test-verifier-0123456789-0123456789-0123';
  const url = new URL(`${sbx.url}/x/i/oauth2/authorize`);
  url.search = form({
    response_type: 'code',
    client_id: 'sandbox-twitter-client',
    redirect_uri: X_REDIRECT,
    state: 's',
    scope: 'tweet.read users.read offline.access',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const code = (await consent(url.toString())).location?.searchParams.get('code') as string;
  const res = await fetch(`${sbx.url}/x/2/oauth2/token`, {
    method: 'POST',
    body: form({ grant_type: 'authorization_code', code, redirect_uri: X_REDIRECT, code_verifier: verifier }),
    headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
  });
  return { ...(await res.json()), code, verifier };
}

async function linkedinToken() {
  const url = new URL(`${sbx.url}/linkedin/oauth/v2/authorization`);
  url.search = form({
    response_type: 'code',
    client_id: 'sandbox-linkedin-client',
    redirect_uri: LI_REDIRECT,
    state: 's',
    scope: 'openid profile rw_organization_admin',
  }).toString();
  const code = (await consent(url.toString())).location?.searchParams.get('code') as string;
  const res = await fetch(`${sbx.url}/linkedin/oauth/v2/accessToken`, {
    method: 'POST',
    body: form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: LI_REDIRECT,
      client_id: 'sandbox-linkedin-client',
      client_secret: 'sandbox-linkedin-secret',
    }),
  });
  return (await res.json()).access_token as string;
}

async function metaToken() {
  const url = new URL(`${sbx.url}/meta/www/v21.0/dialog/oauth`);
  url.search = form({
    client_id: 'sandbox-meta-client',
    redirect_uri: META_REDIRECT,
    state: 's',
    scope: 'pages_show_list',
  }).toString();
  const code = (await consent(url.toString())).location?.searchParams.get('code') as string;
  const res = await fetch(
    `${sbx.url}/meta/graph/v21.0/oauth/access_token?${form({
      client_id: 'sandbox-meta-client',
      client_secret: 'sandbox-meta-secret',
      redirect_uri: META_REDIRECT,
      code,
    })}`,
  );
  return (await res.json()).access_token as string;
}

const xMe = (token: string) => fetch(`${sbx.url}/x/2/users/me`, { headers: { authorization: `Bearer ${token}` } });
const liMe = (token: string) => fetch(`${sbx.url}/linkedin/v2/userinfo`, { headers: { authorization: `Bearer ${token}` } });
const metaMe = (token: string) => fetch(`${sbx.url}/meta/graph/v21.0/me/accounts?access_token=${token}`);

describe('faults', () => {
  it('X: 429 with the observed body and reset header, for the next N calls only', async () => {
    const { access_token } = await xToken();
    expect((await admin('/faults', { platform: 'x', kind: 'rate_limit', times: 2, resetSeconds: 30 })).status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const res = await xMe(access_token);
      expect(res.status).toBe(429);
      expect(await res.json()).toEqual({
        title: 'Too Many Requests',
        type: 'about:blank',
        status: 429,
        detail: 'Too Many Requests',
      });
      expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
      const reset = Number(res.headers.get('x-rate-limit-reset'));
      expect(reset - Date.now() / 1000).toBeGreaterThan(25);
      expect(reset - Date.now() / 1000).toBeLessThan(35);
    }
    expect((await xMe(access_token)).status).toBe(200);
  });

  it('LinkedIn: 429 with serviceErrorCode 101 and Retry-After; 5xx with a chosen status', async () => {
    const token = await linkedinToken();
    await admin('/faults', { platform: 'linkedin', kind: 'rate_limit', resetSeconds: 120 });
    const limited = await liMe(token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('120');
    expect(await limited.json()).toMatchObject({ status: 429, serviceErrorCode: 101 });
    await admin('/faults', {
      platform: 'linkedin',
      kind: 'server_error',
      status: 503,
      pathPrefix: '/rest/organizationAcls',
    });
    expect((await liMe(token)).status).toBe(200);
    const acls = await fetch(`${sbx.url}/linkedin/rest/organizationAcls?q=roleAssignee`, {
      headers: { authorization: `Bearer ${token}`, 'LinkedIn-Version': VERSION, 'X-Restli-Protocol-Version': '2.0.0' },
    });
    expect(acls.status).toBe(503);
  });

  it('Meta: throttling code 4 or 32 with usage headers, and transient 5xx', async () => {
    const token = await metaToken();
    await admin('/faults', { platform: 'meta', kind: 'rate_limit', resetSeconds: 300 });
    const app = await metaMe(token);
    expect(app.status).toBe(403);
    expect((await app.json()).error).toMatchObject({ code: 4, type: 'OAuthException', is_transient: true });
    expect(JSON.parse(app.headers.get('x-app-usage') as string).call_count).toBe(100);

    await admin('/faults', {
      platform: 'meta',
      kind: 'rate_limit',
      code: 32,
      resetSeconds: 300,
      pathPrefix: '/20000000000000001',
    });
    const page = await fetch(`${sbx.url}/meta/graph/v21.0/20000000000000001?access_token=${token}`);
    expect((await page.json()).error.code).toBe(32);
    const usage = JSON.parse(page.headers.get('x-business-use-case-usage') as string);
    expect(usage['20000000000000001'][0]).toMatchObject({
      type: 'pages',
      call_count: 100,
      estimated_time_to_regain_access: 5,
    });

    await admin('/faults', { platform: 'meta', kind: 'server_error' });
    const down = await metaMe(token);
    expect(down.status).toBe(500);
    expect((await down.json()).error).toMatchObject({ code: 2, is_transient: true });
    const ok = await metaMe(token);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.headers.get('x-app-usage') as string).call_count).toBeLessThan(100);
  });

  it('adds latency, leaves OAuth endpoints alone unless targeted, and can be cleared', async () => {
    const { access_token } = await xToken();
    await admin('/faults', { platform: 'twitter', kind: 'latency', delayMs: 300 });
    const started = Date.now();
    expect((await xMe(access_token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await admin('/faults', { platform: 'twitter', kind: 'server_error' });
    const refresh = (token: string) =>
      fetch(`${sbx.url}/x/2/oauth2/token`, {
        method: 'POST',
        body: form({ grant_type: 'refresh_token', refresh_token: token }),
        headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
      });
    const { refresh_token } = await xToken();
    const refreshed = await refresh(refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await admin('/faults', undefined, 'DELETE').then((r) => r.json())).cleared).toBe(1);
    expect((await xMe(access_token)).status).toBe(200);

    await admin('/faults', { platform: 'x', kind: 'server_error', pathPrefix: '/x/2/oauth2/token', status: 502 });
    const failed = await refresh((await refreshed.json()).refresh_token);
    expect(failed.status).toBe(502);
    expect((await failed.json()).status).toBe(502);
  });

  it('refuses the app at the token endpoint (invalid_client) the given number of times, leaving the grant alive', async () => {
    const { refresh_token } = await xToken();
    await admin('/faults', { platform: 'x', kind: 'invalid_client', pathPrefix: '/2/oauth2/token', times: 1 });
    const refresh = (token: string) =>
      fetch(`${sbx.url}/x/2/oauth2/token`, {
        method: 'POST',
        body: form({ grant_type: 'refresh_token', refresh_token: token }),
        headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
      });
    const refused = await refresh(refresh_token as string);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized_client' });
    expect((await refresh(refresh_token as string)).status).toBe(200);

    await admin('/faults', { platform: 'meta', kind: 'invalid_client', pathPrefix: '/oauth/access_token' });
    const meta = await fetch(`${sbx.url}/meta/graph/v21.0/oauth/access_token?grant_type=client_credentials&client_id=sandbox-meta-client`);
    expect(meta.status).toBe(400);
    expect((await meta.json()).error).toMatchObject({ code: 1, message: 'Error validating client secret.' });
  });
});

describe('admin API', () => {
  it('lists what was issued and received, and the sandbox log holds none of it', async () => {
    const x = await xToken();
    const li = await linkedinToken();
    const meta = await metaToken();
    const { issued, values } = await (await fetch(`${sbx.url}/admin/issued`)).json();
    for (const value of [x.access_token, x.refresh_token, x.code, x.verifier, li, meta, 'sandbox-meta-secret'])
      expect(values).toContain(value);
    const kinds = new Set(issued.map((e: { kind: string }) => e.kind));
    for (const kind of ['access_token', 'refresh_token', 'code', 'code_verifier', 'code_challenge', 'client_secret'])
      expect(kinds).toContain(kind);
    expect(issued.find((e: { value: string }) => e.value === x.verifier).direction).toBe('received');

    const log = capture.lines.join('');
    expect(log).toContain('sandbox_request');
    for (const value of values as string[]) expect(log).not.toContain(value);
  });

  it('counts provider calls by method and path, never the query, until cleared', async () => {
    const x = await xToken();
    const timeline = `/x/2/users/1700000000000000001/tweets`;
    for (let i = 0; i < 2; i++)
      await fetch(`${sbx.url}${timeline}?max_results=5`, { headers: { authorization: `Bearer ${x.access_token}` } });
    const { requests, total } = await (await fetch(`${sbx.url}/admin/requests`)).json();
    expect(requests[`GET ${timeline}`]).toBe(2);
    expect(requests['POST /x/2/oauth2/token']).toBe(1);
    expect(total).toBe(Object.values(requests as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(JSON.stringify(requests)).not.toContain(x.access_token);
    expect(Object.keys(requests).some((key) => key.includes('?') || key.includes('/admin'))).toBe(false);
    await admin('/requests', undefined, 'DELETE');
    expect(await (await fetch(`${sbx.url}/admin/requests`)).json()).toEqual({ requests: {}, total: 0 });
  });

  it('sets lifetimes and expires or revokes tokens on demand', async () => {
    const config = await (await admin('/config', { twitter: { accessTokenSeconds: 60 }, linkedin: { refreshEnabled: true } })).json();
    expect(config.twitter.accessTokenSeconds).toBe(60);
    expect((await xToken()).expires_in).toBe(60);
    expect((await admin('/config', { twitter: { accessTokenSeconds: -1 } })).status).toBe(400);

    const { access_token } = await xToken();
    expect((await (await admin('/tokens/expire', { platform: 'x' })).json()).expired).toBeGreaterThan(0);
    expect((await xMe(access_token)).status).toBe(401);

    const second = await xToken();
    expect((await (await admin('/grants/revoke', { platform: 'twitter', userId: '1700000000000000001' })).json()).revoked).toBe(1);
    expect((await xMe(second.access_token)).status).toBe(401);
    const refresh = await fetch(`${sbx.url}/x/2/oauth2/token`, {
      method: 'POST',
      body: form({ grant_type: 'refresh_token', refresh_token: second.refresh_token }),
      headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Value passed for the token was invalid.',
    });
  });

  it('adds identities that the consent page then offers, and publishes new content', async () => {
    const added = await (await admin('/identities', { platform: 'x', username: 'new_sbx', name: 'New Sandbox' })).json();
    expect(added.id).toMatch(/^\d{19}$/);
    const url = new URL(`${sbx.url}/x/i/oauth2/authorize`);
    url.search = form({
      response_type: 'code',
      client_id: 'sandbox-twitter-client',
      redirect_uri: X_REDIRECT,
      state: 's',
      scope: 'tweet.read',
      code_challenge: 'c'.repeat(43),
    }).toString();
    expect(await (await fetch(url)).text()).toContain('@new_sbx');
    expect((await admin('/identities', { platform: 'x', id: added.id, username: 'dup', name: 'Dup' })).status).toBe(409);

    const { access_token } = await xToken();
    await admin('/content/publish', { kind: 'x', accountId: '1700000000000000001', count: 2 });
    const tweets = await (
      await fetch(`${sbx.url}/x/2/users/1700000000000000001/tweets?max_results=5&tweet.fields=created_at`, {
        headers: { authorization: `Bearer ${access_token}` },
      })
    ).json();
    expect(Date.now() - Date.parse(tweets.data[0].created_at)).toBeLessThan(60_000);
  });

  // Codes minted for two X users with one PKCE verifier, and X's token endpoint, for the tests below.
  const verifier = 'admin-test-verifier-0123456789-0123456789-0123';
  const mintXCodes = (body: object = {}) =>
    admin('/grants/codes', {
      platform: 'x',
      identities: ['1700000000000000001', '1700000000000000002'],
      scopes: ['tweet.read', 'users.read', 'offline.access'],
      redirect_uri: X_REDIRECT,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...body,
    });
  const xTokenCall = async (grant: Record<string, string>) =>
    (await (
      await fetch(`${sbx.url}/x/2/oauth2/token`, {
        method: 'POST',
        body: form(grant),
        headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
      })
    ).json()) as { access_token: string; expires_in: number; refresh_token: string };

  it('mints consented codes that the token endpoint exchanges, and seeds fewer posts when configured', async () => {
    const minted = await mintXCodes();
    expect(minted.status).toBe(201);
    const { codes } = await minted.json();
    expect(codes.map((c: { identity: string }) => c.identity)).toEqual(['1700000000000000001', '1700000000000000002']);
    const { access_token, refresh_token } = await xTokenCall({
      grant_type: 'authorization_code',
      code: codes[1].code,
      redirect_uri: X_REDIRECT,
      code_verifier: verifier,
    });
    expect(refresh_token).toBeTruthy();
    expect((await (await xMe(access_token)).json()).data.id).toBe('1700000000000000002');
    expect(
      (await admin('/grants/codes', { platform: 'linkedin', identities: ['nobody'], scopes: ['openid'], redirect_uri: LI_REDIRECT }))
        .status,
    ).toBe(404);

    await admin('/config', { content: { seededPosts: { x: 7 } } });
    const page = await (
      await fetch(`${sbx.url}/x/2/users/1700000000000000002/tweets?max_results=100`, {
        headers: { authorization: `Bearer ${access_token}` },
      })
    ).json();
    expect(page.meta.result_count).toBe(7);
  });

  it('mints X codes whose first access token lives as long as asked, and refuses a lifetime list that does not fit', async () => {
    const { codes } = await (await mintXCodes({ access_token_seconds: [1500, 6000] })).json();
    const lifetimes = [];
    for (const { code } of codes) {
      lifetimes.push(
        (await xTokenCall({ grant_type: 'authorization_code', code, redirect_uri: X_REDIRECT, code_verifier: verifier })).expires_in,
      );
    }
    expect(lifetimes).toEqual([1500, 6000]);
    // Only the first token: a refresh gets the configured lifetime (7200 s by default).
    const first = await xTokenCall({
      grant_type: 'authorization_code',
      code: (await (await mintXCodes({ access_token_seconds: [60, 60] })).json()).codes[0].code,
      redirect_uri: X_REDIRECT,
      code_verifier: verifier,
    });
    expect(first.expires_in).toBe(60);
    expect((await xTokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).expires_in).toBe(7200);

    expect((await mintXCodes({ access_token_seconds: [1500] })).status).toBe(400);
    expect((await mintXCodes({ platform: 'linkedin', access_token_seconds: [1500, 1500] })).status).toBe(400);
  });

  it('resets to the seeded state but keeps the issued log until it is cleared', async () => {
    const { access_token } = await xToken();
    await admin('/config', { twitter: { accessTokenSeconds: 5 } });
    await admin('/reset');
    expect((await xMe(access_token)).status).toBe(401);
    expect((await (await fetch(`${sbx.url}/admin/config`)).json()).twitter.accessTokenSeconds).toBe(7200);
    const after = await (await fetch(`${sbx.url}/admin/issued`)).json();
    expect(after.values).toContain(access_token);

    await admin('/issued', undefined, 'DELETE');
    const { issued } = await (await fetch(`${sbx.url}/admin/issued`)).json();
    expect(issued.every((e: { kind: string }) => e.kind === 'client_secret')).toBe(true);
  });

  it('refuses every admin route when the app is created with admin: false', async () => {
    const locked = await silentSandbox({ admin: false });
    try {
      for (const [path, method] of [
        ['/admin/issued', 'GET'],
        ['/admin/reset', 'POST'],
        ['/admin/faults', 'POST'],
      ] as const) {
        const res = await fetch(`${locked.url}${path}`, { method });
        expect(res.status).toBe(403);
      }
    } finally {
      await locked.close();
    }
  });
});
