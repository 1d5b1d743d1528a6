import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basic, consent, form, sandboxPerTest } from './test-helpers.js';

const CLIENT = 'sandbox-linkedin-client';
const SECRET = 'sandbox-linkedin-secret';
const REDIRECT = 'http://localhost:8000/api/v1/oauth/linkedin/callback';
const SCOPE = 'openid profile email r_organization_social rw_organization_admin w_organization_social';
const VERSION = (() => {
  const d = new Date();
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
})();

const sbx = sandboxPerTest();

const admin = (path: string, body: unknown) =>
  fetch(`${sbx.url}/admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

function authorizeUrl(params: Record<string, string> = {}) {
  const url = new URL(`${sbx.url}/linkedin/oauth/v2/authorization`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    state: 'li-state',
    scope: SCOPE,
    ...params,
  }))
    url.searchParams.set(k, v);
  return url.toString();
}

const tokenRequest = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${sbx.url}/linkedin/oauth/v2/accessToken`, { method: 'POST', body: form(body), headers });

async function connect(scope = SCOPE) {
  const result = await consent(authorizeUrl({ scope, nonce: 'n-1' }));
  const code = result.location?.searchParams.get('code') as string;
  const res = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    client_id: CLIENT,
    client_secret: SECRET,
  });
  expect(res.status).toBe(200);
  return res.json();
}

const api = (path: string, token: string, rest = true) =>
  fetch(`${sbx.url}/linkedin${path}`, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(rest ? { 'LinkedIn-Version': VERSION, 'X-Restli-Protocol-Version': '2.0.0' } : {}),
    },
  });

describe('LinkedIn OAuth', () => {
  it('consents, exchanges the code and serves OpenID userinfo', async () => {
    const page = await (await fetch(authorizeUrl())).text();
    expect(page).toContain(CLIENT);
    expect(page).toContain('rw_organization_admin');
    expect(page).toContain('Sandbox Member');

    const result = await consent(authorizeUrl());
    expect(result.status).toBe(302);
    expect(result.location?.searchParams.get('state')).toBe('li-state');
    const code = result.location?.searchParams.get('code') as string;

    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.expires_in).toBe(5184000);
    expect(body.scope.split(',')).toContain('rw_organization_admin');
    // Most apps get no refresh token, and LinkedIn's documented response has no token_type.
    expect(body.refresh_token).toBeUndefined();
    expect(body.token_type).toBeUndefined();
    expect(typeof body.id_token).toBe('string');

    const info = await (await api('/v2/userinfo', body.access_token, false)).json();
    expect(info).toEqual({
      sub: 'sbxLiMember01',
      name: 'Sandbox Member',
      given_name: 'Sandbox',
      family_name: 'Member',
      picture: expect.stringMatching(/^http/),
      locale: { country: 'US', language: 'en' },
      email: 'sandbox.member@example.com',
      email_verified: true,
    });
  });

  it('signs an ID token that the published JWKS verifies, with issuer, audience and nonce', async () => {
    const result = await consent(authorizeUrl({ nonce: 'nonce-42' }));
    const res = await tokenRequest(
      {
        grant_type: 'authorization_code',
        code: result.location?.searchParams.get('code') as string,
        redirect_uri: REDIRECT,
      },
      { authorization: basic(CLIENT, SECRET) },
    );
    const { id_token } = await res.json();
    const discovery = await (await fetch(`${sbx.url}/linkedin/oauth/.well-known/openid-configuration`)).json();
    expect(discovery.issuer).toBe(`${sbx.url}/linkedin/oauth`);
    const jwks = await (await fetch(discovery.jwks_uri)).json();
    const [header, payload, signature] = id_token.split('.');
    const ok = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey({ key: jwks.keys[0], format: 'jwk' }),
      Buffer.from(signature, 'base64url'),
    );
    expect(ok).toBe(true);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: discovery.issuer,
      aud: CLIENT,
      sub: 'sbxLiMember01',
      nonce: 'nonce-42',
      email: 'sandbox.member@example.com',
    });
  });

  it('rejects a wrong secret, a reused code and a different redirect_uri', async () => {
    const code = (await consent(authorizeUrl())).location?.searchParams.get('code') as string;
    const wrong = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      client_secret: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');

    const missing = await tokenRequest({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: 'invalid_request',
      error_description: 'A required parameter "code" is missing',
    });

    const ok = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    expect(ok.status).toBe(200);
    const reused = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    expect(reused.status).toBe(400);
    expect((await reused.json()).error_description).toMatch(/^Unable to retrieve access token/);

    const other = (await consent(authorizeUrl())).location?.searchParams.get('code') as string;
    const mismatch = await tokenRequest({
      grant_type: 'authorization_code',
      code: other,
      redirect_uri: `${REDIRECT}/other`,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    expect(mismatch.status).toBe(400);
  });

  it('redirects a denial with user_cancelled_authorize and refuses retired scopes', async () => {
    const denied = await consent(authorizeUrl(), 'deny');
    expect(denied.location?.searchParams.get('error')).toBe('user_cancelled_authorize');
    expect(denied.location?.searchParams.get('error_description')).toBeTruthy();
    expect(denied.location?.searchParams.get('state')).toBe('li-state');

    const retired = await fetch(authorizeUrl({ scope: 'r_liteprofile r_emailaddress' }), { redirect: 'manual' });
    expect(retired.status).toBe(302);
    const location = new URL(retired.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('unauthorized_scope_error');

    const bad: Record<string, string>[] = [{ client_id: 'unknown' }, { redirect_uri: 'https://attacker.example/cb' }];
    for (const params of bad) {
      const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('<html');
    }
  });

  it('gives refresh-enabled partners a non-rotating refresh token fixed from first consent', async () => {
    await admin('/config', { linkedin: { refreshEnabled: true } });
    const first = await connect();
    expect(first.refresh_token_expires_in).toBe(365 * 24 * 3600);

    sbx.clock += 10 * 24 * 3600_000;
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    const refreshed = await res.json();
    expect(res.status).toBe(200);
    expect(refreshed.refresh_token).toBe(first.refresh_token);
    expect(refreshed.refresh_token_expires_in).toBe(355 * 24 * 3600);
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.expires_in).toBe(5184000);

    // A new consent does not reset the refresh token's end either.
    const again = await connect();
    expect(again.refresh_token_expires_in).toBe(355 * 24 * 3600);

    const bad = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: 'nonsense',
      client_id: CLIENT,
      client_secret: SECRET,
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('invalid_request');
  });

  it('introspects and revokes tokens', async () => {
    const { access_token } = await connect();
    const introspect = async () =>
      (
        await fetch(`${sbx.url}/linkedin/oauth/v2/introspectToken`, {
          method: 'POST',
          body: form({ token: access_token, client_id: CLIENT, client_secret: SECRET }),
        })
      ).json();
    expect(await introspect()).toMatchObject({ active: true, status: 'active', client_id: CLIENT, auth_type: '3L' });
    const revoked = await fetch(`${sbx.url}/linkedin/oauth/v2/revoke`, {
      method: 'POST',
      body: form({ token: access_token, client_id: CLIENT, client_secret: SECRET }),
    });
    expect(revoked.status).toBe(200);
    expect(await introspect()).toMatchObject({ active: false, status: 'revoked' });
  });
});

describe('LinkedIn API errors', () => {
  it('answers 65600 for an invalid token, 65601 after revocation, 65602 when expired', async () => {
    const invalid = await api('/v2/userinfo', 'garbage', false);
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toEqual({
      status: 401,
      serviceErrorCode: 65600,
      code: 'INVALID_ACCESS_TOKEN',
      message: 'Invalid access token',
    });

    const a = await connect();
    await admin('/config', { linkedin: { refreshEnabled: true } });
    const withRefresh = await connect();
    expect((await admin('/grants/revoke', { platform: 'linkedin' })).status).toBe(200);
    const revoked = await api('/v2/userinfo', a.access_token, false);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN' });
    const refresh = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: withRefresh.refresh_token,
      client_id: CLIENT,
      client_secret: SECRET,
    });
    expect(refresh.status).toBe(400);
    expect((await refresh.json()).error).toBe('invalid_request');

    const b = await connect();
    sbx.clock += 5184000_000 + 1000;
    const expired = await api('/v2/userinfo', b.access_token, false);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ serviceErrorCode: 65602, code: 'EXPIRED_ACCESS_TOKEN' });
  });

  it('requires LinkedIn-Version and X-Restli-Protocol-Version on /rest', async () => {
    const { access_token } = await connect();
    const url = `${sbx.url}/linkedin/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`;
    const noVersion = await fetch(url, {
      headers: { authorization: `Bearer ${access_token}`, 'X-Restli-Protocol-Version': '2.0.0' },
    });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).code).toBe('VERSION_MISSING');
    const sunset = await fetch(url, {
      headers: {
        authorization: `Bearer ${access_token}`,
        'LinkedIn-Version': '202001',
        'X-Restli-Protocol-Version': '2.0.0',
      },
    });
    expect(sunset.status).toBe(426);
    const noRestli = await fetch(url, {
      headers: { authorization: `Bearer ${access_token}`, 'LinkedIn-Version': VERSION },
    });
    expect(noRestli.status).toBe(400);

    const acls = await (await api('/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED', access_token)).json();
    expect(acls.elements).toEqual([
      {
        roleAssignee: 'urn:li:person:sbxLiMember01',
        state: 'APPROVED',
        role: 'ADMINISTRATOR',
        organization: 'urn:li:organization:90000001',
      },
    ]);
  });
});

describe('LinkedIn content', () => {
  it('pages organization posts with start/count/total and reads share statistics', async () => {
    const { access_token } = await connect();
    const author = encodeURIComponent('urn:li:organization:90000001');
    const seen: string[] = [];
    let start = 0;
    let total = Infinity;
    while (start < total) {
      const body = await (await api(`/rest/posts?q=author&author=${author}&start=${start}&count=100`, access_token)).json();
      total = body.paging.total;
      expect(body.paging.start).toBe(start);
      expect(body.paging.count).toBe(100);
      seen.push(...body.elements.map((e: { id: string }) => e.id));
      if (start + 100 >= total) expect(body.paging.links.some((l: { rel: string }) => l.rel === 'next')).toBe(false);
      start += 100;
    }
    expect(total).toBe(230);
    expect(new Set(seen).size).toBe(230);

    const notMine = await api(`/rest/posts?q=author&author=${encodeURIComponent('urn:li:organization:90000002')}`, access_token);
    expect(notMine.status).toBe(403);

    // sortBy CREATED or LAST_MODIFIED: newest first either way (nothing here is edited); anything else is refused.
    const created = await (await api(`/rest/posts?q=author&author=${author}&count=5&sortBy=CREATED`, access_token)).json();
    expect(created.elements.map((e: { id: string }) => e.id)).toEqual(seen.slice(0, 5));
    const times = created.elements.map((e: { createdAt: number }) => e.createdAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await api(`/rest/posts?q=author&author=${author}&sortBy=OLDEST`, access_token)).status).toBe(400);

    const share = seen.find((id) => id.startsWith('urn:li:share:')) as string;
    const ugc = seen.find((id) => id.startsWith('urn:li:ugcPost:')) as string;
    const stats = await (
      await api(
        `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${author}&shares=List(${encodeURIComponent(
          share,
        )})&ugcPosts=List(${encodeURIComponent(ugc)})`,
        access_token,
      )
    ).json();
    expect(stats.elements).toHaveLength(2);
    expect(stats.elements[0].share).toBe(share);
    expect(stats.elements[1].ugcPost).toBe(ugc);
    const totals = stats.elements[0].totalShareStatistics;
    for (const key of [
      'impressionCount',
      'uniqueImpressionsCount',
      'clickCount',
      'likeCount',
      'commentCount',
      'shareCount',
      'engagement',
    ]) {
      expect(typeof totals[key]).toBe('number');
    }
    expect(totals.impressionCount).toBeGreaterThan(0);

    const lifetime = await (
      await api(`/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${author}`, access_token)
    ).json();
    expect(lifetime.elements).toHaveLength(1);
    expect(lifetime.elements[0].totalShareStatistics.impressionCount).toBeGreaterThan(totals.impressionCount);
  });
});
