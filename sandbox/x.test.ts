import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basic, consent, form, sandboxPerTest } from './test-helpers.js';

const CLIENT = 'sandbox-twitter-client';
const SECRET = 'sandbox-twitter-secret';
const REDIRECT = 'http://localhost:8000/api/v1/oauth/twitter/callback';
const REUSE_ERROR = { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' };

const sbx = sandboxPerTest();

function authorizeUrl(params: Record<string, string>) {
  const url = new URL(`${sbx.url}/x/i/oauth2/authorize`);
  const defaults = {
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    state: 'state-123',
    scope: 'tweet.read users.read offline.access',
  };
  for (const [k, v] of Object.entries({ ...defaults, ...params })) url.searchParams.set(k, v);
  return url.toString();
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function authorize(verifier: string, method: 'S256' | 'plain' = 'S256', extra: Record<string, string> = {}) {
  const challenge = method === 'S256' ? s256(verifier) : verifier;
  const result = await consent(authorizeUrl({ code_challenge: challenge, code_challenge_method: method, ...extra }));
  expect(result.status).toBe(302);
  return result.location as URL;
}

function token(body: Record<string, string>, auth: string | null = basic(CLIENT, SECRET)) {
  return fetch(`${sbx.url}/x/2/oauth2/token`, {
    method: 'POST',
    body: form(body),
    headers: auth ? { authorization: auth } : {},
  });
}

async function connect(scope = 'tweet.read users.read offline.access') {
  const verifier = 'v'.repeat(50);
  const location = await authorize(verifier, 'S256', { scope });
  const res = await token({
    grant_type: 'authorization_code',
    code: location.searchParams.get('code') as string,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe('X OAuth 2.0 with PKCE', () => {
  it('renders a consent page, redirects with code and state, exchanges the code and reads the profile', async () => {
    const verifier = 'a-verifier-that-is-long-enough-0123456789-abcdefghijkl';
    const page = await fetch(authorizeUrl({ code_challenge: s256(verifier), code_challenge_method: 'S256' }));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(CLIENT);
    expect(html).toContain('offline.access');
    expect(html).toContain('@sandbox_x');
    expect(html).toMatch(/<button[^>]*value="allow"[^>]*>Allow<\/button>/);
    expect(html).toMatch(/<button[^>]*value="deny"[^>]*>Deny<\/button>/);

    const location = await authorize(verifier);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('state-123');
    const code = location.searchParams.get('code') as string;
    expect(code.length).toBeGreaterThan(40);

    const res = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 7200,
      scope: 'tweet.read users.read offline.access',
    });
    expect(typeof body.refresh_token).toBe('string');

    const me = await fetch(`${sbx.url}/x/2/users/me?user.fields=profile_image_url,public_metrics`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    const profile = await me.json();
    expect(me.status).toBe(200);
    expect(profile.data).toMatchObject({ id: '1700000000000000001', username: 'sandbox_x', name: 'Sandbox X' });
    expect(profile.data.profile_image_url).toMatch(/^http/);
    expect(profile.data.public_metrics).toMatchObject({ followers_count: 1280, tweet_count: 250 });
    expect(Number(me.headers.get('x-rate-limit-limit'))).toBe(75);
    expect(Number(me.headers.get('x-rate-limit-remaining'))).toBe(74);
    expect(Number(me.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);

    const plain = await fetch(`${sbx.url}/x/2/users/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect((await plain.json()).data).toEqual({ id: '1700000000000000001', name: 'Sandbox X', username: 'sandbox_x' });
    expect(plain.headers.get('x-rate-limit-remaining')).toBe('73');
  });

  it('consents as the identity chosen on the page', async () => {
    const result = await consent(
      authorizeUrl({ code_challenge: 'plain-verifier-plain-verifier-plain-verifier', code_challenge_method: 'plain' }),
      'allow',
      '1700000000000000002',
    );
    const code = result.location?.searchParams.get('code') as string;
    const res = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: 'plain-verifier-plain-verifier-plain-verifier',
    });
    const { access_token } = await res.json();
    const me = await (await fetch(`${sbx.url}/x/2/users/me`, { headers: { authorization: `Bearer ${access_token}` } })).json();
    expect(me.data.username).toBe('sandbox_x_two');
  });

  it('checks the verifier for S256 and plain', async () => {
    for (const method of ['S256', 'plain'] as const) {
      const verifier = `verifier-${method}-0123456789-0123456789-0123456789`;
      const wrong = await token({
        grant_type: 'authorization_code',
        code: (await authorize(verifier, method)).searchParams.get('code') as string,
        redirect_uri: REDIRECT,
        code_verifier: `${verifier}x`,
      });
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toEqual({
        error: 'invalid_request',
        error_description: 'Value passed for the code verifier did not match the code challenge.',
      });
      const right = await token({
        grant_type: 'authorization_code',
        code: (await authorize(verifier, method)).searchParams.get('code') as string,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
      expect(right.status).toBe(200);
    }
  });

  it('needs HTTP Basic client authentication at the token endpoint', async () => {
    const verifier = 'basic-auth-verifier-0123456789-0123456789-01234';
    const code = (await authorize(verifier)).searchParams.get('code') as string;
    const params = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: CLIENT,
    };
    for (const auth of [null, basic(CLIENT, 'wrong-secret')]) {
      const res = await token(params, auth);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: 'unauthorized_client',
        error_description: 'Missing valid authorization header',
      });
    }
    expect((await token(params)).status).toBe(200);
  });

  it('makes codes single-use and short-lived (30 s)', async () => {
    const verifier = 'single-use-verifier-0123456789-0123456789-0123';
    const code = (await authorize(verifier)).searchParams.get('code') as string;
    const params = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    expect((await token(params)).status).toBe(200);
    const again = await token(params);
    expect(again.status).toBe(400);
    expect((await again.json()).error_description).toBe('Value passed for the authorization code was invalid.');

    const late = (await authorize(verifier)).searchParams.get('code') as string;
    sbx.clock += 31_000;
    const expired = await token({ ...params, code: late });
    expect(expired.status).toBe(400);
    expect((await expired.json()).error).toBe('invalid_request');
  });

  it('rotates refresh tokens: the used one dies with the observed error', async () => {
    const first = await connect();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    const second = await refreshed.json();
    expect(refreshed.status).toBe(200);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expires_in).toBe(7200);

    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual(REUSE_ERROR);

    const third = await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expect(third.status).toBe(200);
  });

  it('gives a refresh token only with offline.access', async () => {
    const body = await connect('tweet.read users.read');
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe('tweet.read users.read');
  });

  it('answers 401 with the documented problem body for bad, expired and revoked tokens', async () => {
    const unauthorized = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
    const me = (t: string) => fetch(`${sbx.url}/x/2/users/me`, { headers: { authorization: `Bearer ${t}` } });
    const bad = await me('not-a-token');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual(unauthorized);

    const a = await connect();
    sbx.clock += 7201_000;
    const expired = await me(a.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual(unauthorized);

    const b = await connect();
    const revoke = await fetch(`${sbx.url}/x/2/oauth2/revoke`, {
      method: 'POST',
      body: form({ token: b.access_token, token_type_hint: 'access_token' }),
      headers: { authorization: basic(CLIENT, SECRET) },
    });
    expect(await revoke.json()).toEqual({ revoked: true });
    expect((await me(b.access_token)).status).toBe(401);
  });

  it('redirects a denial with error=access_denied and the state', async () => {
    const result = await consent(authorizeUrl({ code_challenge: 'c'.repeat(43), code_challenge_method: 'plain' }), 'deny');
    expect(result.status).toBe(302);
    expect(result.location?.searchParams.get('error')).toBe('access_denied');
    expect(result.location?.searchParams.get('state')).toBe('state-123');
    expect(result.location?.searchParams.get('code')).toBeNull();
  });

  it('shows an error page, never a redirect, for a bad client, callback or state', async () => {
    const cases: Record<string, string>[] = [
      { client_id: 'nope' },
      { redirect_uri: 'https://evil.example/cb' },
      { state: 's'.repeat(501) },
      { code_challenge: '' },
    ];
    for (const params of cases) {
      const res = await fetch(authorizeUrl({ code_challenge: 'c'.repeat(43), ...params }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
    }
  });

  it('validates max_results and pages through the timeline with next_token', async () => {
    const { access_token } = await connect();
    const auth = { authorization: `Bearer ${access_token}` };
    const userId = '1700000000000000001';
    const tooFew = await fetch(`${sbx.url}/x/2/users/${userId}/tweets?max_results=4`, { headers: auth });
    expect(tooFew.status).toBe(400);
    expect((await tooFew.json()).errors[0].message).toBe('The `max_results` query parameter value [4] is not between 5 and 100');

    const ids: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const url = new URL(`${sbx.url}/x/2/users/${userId}/tweets`);
      url.searchParams.set('max_results', '100');
      url.searchParams.set('tweet.fields', 'public_metrics,created_at');
      if (next) url.searchParams.set('pagination_token', next);
      const body = await (await fetch(url, { headers: auth })).json();
      pages++;
      expect(body.meta.result_count).toBe(body.data.length);
      expect(body.meta.newest_id).toBe(body.data[0].id);
      expect(body.meta.oldest_id).toBe(body.data[body.data.length - 1].id);
      expect(Object.keys(body.data[0].public_metrics).sort()).toEqual([
        'bookmark_count',
        'impression_count',
        'like_count',
        'quote_count',
        'reply_count',
        'retweet_count',
      ]);
      expect(Date.parse(body.data[0].created_at)).toBeGreaterThan(0);
      ids.push(...body.data.map((t: { id: string }) => t.id));
      next = body.meta.next_token;
    } while (next);
    expect(pages).toBe(3);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    const sorted = [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
    expect(ids).toEqual(sorted);
  });

  it('lets metrics grow from one sync to the next, the same for the same seed', async () => {
    const { access_token } = await connect();
    const read = async () =>
      (
        await (
          await fetch(`${sbx.url}/x/2/users/1700000000000000001/tweets?max_results=5&tweet.fields=public_metrics`, {
            headers: { authorization: `Bearer ${access_token}` },
          })
        ).json()
      ).data[0];
    const first = await read();
    const second = await read();
    expect(second.id).toBe(first.id);
    expect(second.public_metrics.impression_count).toBeGreaterThan(first.public_metrics.impression_count);

    // Back to the seeded state: the first sync sees exactly the same tweet and numbers again.
    await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
    const again = await connect();
    const replay = await (
      await fetch(`${sbx.url}/x/2/users/1700000000000000001/tweets?max_results=5&tweet.fields=public_metrics`, {
        headers: { authorization: `Bearer ${again.access_token}` },
      })
    ).json();
    expect(replay.data[0]).toEqual(first);
  });

  it('enforces the per-user rate limit window when configured low', async () => {
    await fetch(`${sbx.url}/admin/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ twitter: { rateLimits: { '/2/users/me': 2 } } }),
    });
    const { access_token } = await connect();
    const me = () => fetch(`${sbx.url}/x/2/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    const limited = await me();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      title: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
      detail: 'Too Many Requests',
    });
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    sbx.clock += 901_000;
    expect((await me()).status).toBe(200);
  });
});
