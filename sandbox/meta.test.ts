import { describe, expect, it } from 'vitest';
import { basic, consent, form, sandboxPerTest } from './test-helpers.js';

const CLIENT = 'sandbox-meta-client';
const SECRET = 'sandbox-meta-secret';
const REDIRECT = 'http://localhost:8000/api/v1/oauth/meta/callback';
const SCOPE = 'pages_show_list,pages_read_engagement,read_insights,instagram_basic,instagram_manage_insights';
const PAGE_WITH_IG = '20000000000000001';
const IG_USER = '17841400000000001';

const sbx = sandboxPerTest();

const graph = (path: string, token?: string, init: RequestInit = {}) => {
  const url = new URL(`${sbx.url}/meta/graph/v21.0/${path}`);
  if (token) url.searchParams.set('access_token', token);
  return fetch(url, init);
};

function dialogUrl(params: Record<string, string> = {}) {
  const url = new URL(`${sbx.url}/meta/www/v21.0/dialog/oauth`);
  for (const [k, v] of Object.entries({
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    state: 'meta-state',
    scope: SCOPE,
    response_type: 'code',
    ...params,
  }))
    url.searchParams.set(k, v);
  return url.toString();
}

async function shortLived() {
  const result = await consent(dialogUrl());
  const code = result.location?.searchParams.get('code') as string;
  const res = await fetch(
    `${sbx.url}/meta/graph/v21.0/oauth/access_token?${form({
      client_id: CLIENT,
      client_secret: SECRET,
      redirect_uri: REDIRECT,
      code,
    })}`,
  );
  expect(res.status).toBe(200);
  return (await res.json()).access_token as string;
}

async function longLived() {
  const token = await shortLived();
  const res = await graph(
    `oauth/access_token?${form({
      grant_type: 'fb_exchange_token',
      client_id: CLIENT,
      client_secret: SECRET,
      fb_exchange_token: token,
    })}`,
  );
  return (await res.json()).access_token as string;
}

async function pageToken(userToken: string, pageId = PAGE_WITH_IG) {
  const accounts = await (await graph('me/accounts', userToken)).json();
  return accounts.data.find((p: { id: string }) => p.id === pageId).access_token as string;
}

describe('Facebook Login', () => {
  it('consents, exchanges the code (GET), then makes a long-lived token', async () => {
    const result = await consent(dialogUrl());
    expect(result.status).toBe(302);
    expect(result.location?.hash).toBe('#_=_');
    expect(result.location?.searchParams.get('state')).toBe('meta-state');
    const code = result.location?.searchParams.get('code') as string;

    const res = await fetch(
      `${sbx.url}/meta/graph/v21.0/oauth/access_token?${form({
        client_id: CLIENT,
        client_secret: SECRET,
        redirect_uri: REDIRECT,
        code,
      })}`,
    );
    const short = await res.json();
    expect(short).toMatchObject({ token_type: 'bearer', expires_in: 3600 });

    const exchange = await fetch(`${sbx.url}/meta/graph/v19.0/oauth/access_token`, {
      method: 'POST',
      body: form({ grant_type: 'fb_exchange_token', fb_exchange_token: short.access_token }),
      headers: { authorization: basic(CLIENT, SECRET) },
    });
    const long = await exchange.json();
    expect(long).toMatchObject({ token_type: 'bearer', expires_in: 5184000 });
    expect(long.access_token).not.toBe(short.access_token);

    const me = await (await graph('me?fields=id,name', long.access_token)).json();
    expect(me).toEqual({ id: '10000000000000001', name: 'Sandbox Meta User' });
    const viaHeader = await graph('me', undefined, { headers: { authorization: `Bearer ${long.access_token}` } });
    expect((await viaHeader.json()).id).toBe('10000000000000001');
  });

  it('accepts the code exchange as a POST form and answers Graph errors for bad secrets and reused codes', async () => {
    const code = (await consent(dialogUrl())).location?.searchParams.get('code') as string;
    const post = (body: Record<string, string>) =>
      fetch(`${sbx.url}/meta/graph/v21.0/oauth/access_token`, { method: 'POST', body: form(body) });
    const wrong = await post({ client_id: CLIENT, client_secret: 'nope', redirect_uri: REDIRECT, code });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toMatchObject({
      type: 'OAuthException',
      code: 1,
      message: 'Error validating client secret.',
    });

    expect((await post({ client_id: CLIENT, client_secret: SECRET, redirect_uri: REDIRECT, code })).status).toBe(200);
    const reused = await post({ client_id: CLIENT, client_secret: SECRET, redirect_uri: REDIRECT, code });
    const error = (await reused.json()).error;
    expect(error).toMatchObject({ code: 100, error_subcode: 36009, type: 'OAuthException' });
    expect(typeof error.fbtrace_id).toBe('string');
  });

  it('redirects a denial with Meta’s error parameters and shows errors for bad apps and scopes', async () => {
    const denied = await consent(dialogUrl(), 'deny');
    const params = denied.location?.searchParams;
    expect(params?.get('error')).toBe('access_denied');
    expect(params?.get('error_reason')).toBe('user_denied');
    expect(params?.get('error_description')).toBe('Permissions error');
    expect(params?.get('state')).toBe('meta-state');

    const cases: Record<string, string>[] = [
      { client_id: '123' },
      { redirect_uri: 'https://elsewhere.example/cb' },
      { scope: 'publish_actions' },
    ];
    for (const bad of cases) {
      const res = await fetch(dialogUrl(bad), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('lists Pages with Page tokens and finds the linked Instagram Business account', async () => {
    const user = await longLived();
    const accounts = await (await graph('me/accounts', user)).json();
    expect(accounts.data.map((p: { id: string }) => p.id)).toEqual([PAGE_WITH_IG, '20000000000000002']);
    expect(accounts.data[0]).toMatchObject({
      name: 'Sandbox Coffee Co.',
      category: 'Coffee Shop',
      tasks: expect.arrayContaining(['ANALYZE', 'CREATE_CONTENT']),
    });
    expect(accounts.data[0].access_token).not.toBe(user);
    expect(accounts.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });

    const page = accounts.data[0].access_token as string;
    const linked = await (await graph(`${PAGE_WITH_IG}?fields=instagram_business_account`, page)).json();
    expect(linked).toEqual({ instagram_business_account: { id: IG_USER }, id: PAGE_WITH_IG });
    const unlinked = await (await graph('20000000000000002?fields=instagram_business_account', user)).json();
    expect(unlinked).toEqual({ id: '20000000000000002' });
    const ig = await (await graph(`${IG_USER}?fields=id,name,username,profile_picture_url`, page)).json();
    expect(ig).toMatchObject({ id: IG_USER, username: 'sandbox_coffee', name: 'Sandbox Coffee Co.' });
    expect(ig.profile_picture_url).toMatch(/^http/);
  });

  it('debugs tokens: user tokens expire, Page tokens from long-lived user tokens do not', async () => {
    const user = await longLived();
    const page = await pageToken(user);
    const debug = async (input: string, app = `${CLIENT}|${SECRET}`) =>
      (await graph(`debug_token?${form({ input_token: input, access_token: app })}`)).json();
    const u = (await debug(user)).data;
    expect(u).toMatchObject({ app_id: CLIENT, type: 'USER', is_valid: true, user_id: '10000000000000001' });
    expect(u.expires_at).toBeGreaterThan(Date.now() / 1000 + 59 * 24 * 3600);
    expect(u.data_access_expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(u.scopes).toEqual(expect.arrayContaining(['pages_show_list', 'public_profile']));
    const p = (await debug(page)).data;
    expect(p).toMatchObject({ type: 'PAGE', expires_at: 0, is_valid: true, profile_id: PAGE_WITH_IG });

    const noApp = await graph(`debug_token?${form({ input_token: user })}`);
    expect((await noApp.json()).error.code).toBe(100);
  });

  it('revokes the grant on DELETE /me/permissions: user and Page tokens then fail with 190', async () => {
    const user = await longLived();
    const page = await pageToken(user);
    const deleted = await graph('me/permissions', user, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ success: true });
    for (const token of [user, page]) {
      const res = await graph('me', token);
      expect(res.status).toBe(400);
      const { error } = await res.json();
      expect(error).toMatchObject({ type: 'OAuthException', code: 190, error_subcode: 458 });
    }
    const debug = (await (await graph(`debug_token?${form({ input_token: page, access_token: `${CLIENT}|${SECRET}` })}`)).json()).data;
    expect(debug.is_valid).toBe(false);
  });

  it('answers 190/463 for an expired token and 190/460 after a password change', async () => {
    const short = await shortLived();
    sbx.clock += 3601_000;
    const expired = (await (await graph('me', short)).json()).error;
    expect(expired).toMatchObject({ code: 190, error_subcode: 463 });
    expect(expired.message).toMatch(/^Error validating access token: Session has expired on/);

    sbx.clock = Date.now();
    const user = await longLived();
    await fetch(`${sbx.url}/admin/grants/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'meta', reason: 'password_changed' }),
    });
    expect((await (await graph('me', user)).json()).error).toMatchObject({ code: 190, error_subcode: 460 });
    const exchange = await graph(
      `oauth/access_token?${form({
        grant_type: 'fb_exchange_token',
        client_id: CLIENT,
        client_secret: SECRET,
        fb_exchange_token: user,
      })}`,
    );
    expect(exchange.status).toBe(400);
    expect((await exchange.json()).error).toMatchObject({ code: 190, error_subcode: 460 });
    expect((await (await graph('me', 'EAAnotatoken')).json()).error.code).toBe(190);
  });
});

describe('Facebook and Instagram content', () => {
  it('pages Page posts with cursors and a next link until the last page', async () => {
    const page = await pageToken(await longLived());
    let url: string | undefined = `${sbx.url}/meta/graph/v21.0/${PAGE_WITH_IG}/posts?${form({
      fields: 'id,message,created_time',
      limit: '100',
      access_token: page,
    })}`;
    const ids: string[] = [];
    let pages = 0;
    while (url) {
      const body = await (await fetch(url)).json();
      pages++;
      expect(body.data[0]).toEqual({
        id: expect.stringMatching(new RegExp(`^${PAGE_WITH_IG}_\\d+$`)),
        message: expect.any(String),
        created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
      });
      expect(body.paging.cursors.after).toBeTruthy();
      ids.push(...body.data.map((p: { id: string }) => p.id));
      url = body.paging.next;
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(240);
  });

  it('takes since/until on Page posts (Unix seconds or a date, inclusive), newest first, and refuses a bad one', async () => {
    const page = await pageToken(await longLived());
    const all = (await (await graph(`${PAGE_WITH_IG}/posts?limit=100&fields=id,created_time`, page)).json()).data;
    const cut = all[5].created_time as string;
    const since = Math.floor(Date.parse(cut.replace('+0000', 'Z')) / 1000);
    const recent = (await (await graph(`${PAGE_WITH_IG}/posts?limit=100&fields=id,created_time&since=${since}`, page)).json()).data;
    expect(recent.map((p: { id: string }) => p.id)).toEqual(all.slice(0, 6).map((p: { id: string }) => p.id));
    const older = (await (await graph(`${PAGE_WITH_IG}/posts?limit=2&until=${encodeURIComponent(cut)}`, page)).json()).data;
    expect(older[0].id).toBe(all[5].id);
    const bad = await graph(`${PAGE_WITH_IG}/posts?since=yesterday-ish`, page);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe(100);
  });

  it('expands the insights edge in a listing (insights.metric(...)), with the edge answer in each node', async () => {
    const page = await pageToken(await longLived());
    const fields = encodeURIComponent('id,insights.metric(post_media_view,post_clicks)');
    const posts = (await (await graph(`${PAGE_WITH_IG}/posts?limit=2&fields=${fields}`, page)).json()).data;
    expect(posts).toHaveLength(2);
    const alone = await (await graph(`${posts[1].id}/insights?metric=post_media_view,post_clicks`, page)).json();
    expect(posts[1].insights).toEqual(alone);
    expect(posts[0].insights.data.map((m: { name: string }) => m.name)).toEqual(['post_media_view', 'post_clicks']);
    const retired = await graph(`${PAGE_WITH_IG}/posts?limit=2&fields=${encodeURIComponent('id,insights.metric(post_impressions)')}`, page);
    expect(retired.status).toBe(400);
    expect((await retired.json()).error.code).toBe(100);

    const media = (
      await (await graph(`${IG_USER}/media?limit=3&fields=${encodeURIComponent('id,timestamp,insights.metric(views,likes)')}`, page)).json()
    ).data;
    expect(media).toHaveLength(3);
    for (const m of media) expect(m.insights.data.map((x: { name: string }) => x.name)).toEqual(['views', 'likes']);
  });

  it('serves post insights under current metric names and fails the call on a retired one', async () => {
    const page = await pageToken(await longLived());
    const [post] = (await (await graph(`${PAGE_WITH_IG}/posts?limit=1`, page)).json()).data;
    const insights = await (
      await graph(`${post.id}/insights?metric=post_media_view,post_reactions_by_type_total,post_clicks`, page)
    ).json();
    expect(insights.data.map((m: { name: string }) => m.name)).toEqual(['post_media_view', 'post_reactions_by_type_total', 'post_clicks']);
    expect(insights.data[0]).toMatchObject({
      period: 'lifetime',
      values: [{ value: expect.any(Number) }],
      id: `${post.id}/insights/post_media_view/lifetime`,
    });
    expect(Object.keys(insights.data[1].values[0].value)).toEqual(['like', 'love', 'wow', 'haha', 'sorry', 'anger']);

    const retired = await graph(`${post.id}/insights?metric=post_media_view,post_impressions`, page);
    expect(retired.status).toBe(400);
    expect((await retired.json()).error).toMatchObject({
      code: 100,
      message: '(#100) The value must be a valid insights metric',
    });
  });

  it('pages Instagram media and serves media insights; impressions and plays are retired', async () => {
    const page = await pageToken(await longLived());
    const first = await (await graph(`${IG_USER}/media?fields=id,caption,timestamp,like_count,comments_count&limit=100`, page)).json();
    expect(first.data).toHaveLength(100);
    expect(first.data[0]).toEqual({
      id: expect.any(String),
      caption: expect.any(String),
      timestamp: expect.any(String),
      like_count: expect.any(Number),
      comments_count: expect.any(Number),
    });
    const second = await (await graph(`${IG_USER}/media?fields=id&limit=100&after=${first.paging.cursors.after}`, page)).json();
    const third = await (await fetch(second.paging.next)).json();
    expect(third.data).toHaveLength(10);
    expect(third.paging.next).toBeUndefined();

    const media = first.data[5].id;
    const insights = await (
      await graph(`${media}/insights?metric=views,reach,likes,comments,shares,saved,total_interactions`, page)
    ).json();
    const values = Object.fromEntries(
      insights.data.map((m: { name: string; values: { value: number }[] }) => [m.name, m.values[0]?.value]),
    );
    expect(values.likes).toBe(first.data[5].like_count);
    expect(values.total_interactions).toBe(values.likes + values.comments + values.shares + values.saved);
    for (const retired of ['impressions', 'plays']) {
      const res = await graph(`${media}/insights?metric=views,${retired}`, page);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe(100);
    }
  });

  it('grows metrics between syncs of a Page', async () => {
    const page = await pageToken(await longLived());
    const read = async () => {
      const [post] = (await (await graph(`${PAGE_WITH_IG}/posts?limit=1`, page)).json()).data;
      const insights = await (await graph(`${post.id}/insights?metric=post_media_view`, page)).json();
      return insights.data[0].values[0].value as number;
    };
    const first = await read();
    const second = await read();
    expect(second).toBeGreaterThan(first);
  });
});
