import { describe, expect, it } from 'vitest';
import { connectX, sandboxPerTest } from './test-helpers.js';

const PUBLISH = 'tweet.read tweet.write users.read media.write offline.access';
const USER = '1700000000000000001';

const sbx = sandboxPerTest();

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${sbx.url}/x${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
const tweet = (token: string, body: unknown) =>
  api('/2/tweets', token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function imageForm(bytes = 1000, extra: Record<string, string> = {}) {
  const form = new FormData();
  form.set('media', new Blob([new Uint8Array(bytes).fill(7)], { type: 'image/png' }), 'a.png');
  form.set('media_category', 'tweet_image');
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return form;
}

const admin = (path: string, body?: unknown) =>
  fetch(`${sbx.url}/admin${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe('X POST /2/tweets', () => {
  it('publishes text and a reply chain that the timeline and /admin/published show, metrics arriving later', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    const first = await tweet(token, { text: 'A thread, part 1' });
    expect(first.status).toBe(201);
    const one = (await first.json()).data;
    expect(one).toEqual({ id: expect.stringMatching(/^\d{19}$/), text: 'A thread, part 1', edit_history_tweet_ids: [one.id] });
    const second = await tweet(token, { text: 'part 2', reply: { in_reply_to_tweet_id: one.id } });
    expect(second.status).toBe(201);
    const two = (await second.json()).data;
    expect(BigInt(two.id) > BigInt(one.id)).toBe(true);

    const timeline = async () =>
      (await (await api(`/2/users/${USER}/tweets?max_results=5&tweet.fields=public_metrics`, token)).json()).data;
    const firstSync = await timeline();
    expect(firstSync.slice(0, 2).map((t: { id: string }) => t.id)).toEqual([two.id, one.id]);
    expect(firstSync[0].public_metrics.impression_count).toBe(0);
    await timeline();
    const later = await timeline();
    expect(later[0].public_metrics.impression_count).toBeGreaterThan(0);

    const published = (await (await admin('/published?platform=x')).json()).published;
    expect(published).toEqual([
      { platform: 'x', account_id: USER, id: one.id, text: 'A thread, part 1', created_at: expect.any(String) },
      { platform: 'x', account_id: USER, id: two.id, text: 'part 2', created_at: expect.any(String) },
    ]);
  });

  it('refuses duplicate text with X body, unknown replies, and tokens without tweet.write', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    expect((await tweet(token, { text: 'same' })).status).toBe(201);
    const dup = await tweet(token, { text: 'same' });
    expect(dup.status).toBe(403);
    expect(await dup.json()).toEqual({
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
    const reply = await tweet(token, { text: 'hi', reply: { in_reply_to_tweet_id: '1234' } });
    expect(reply.status).toBe(403);
    expect(await reply.json()).toEqual({
      detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
    expect((await tweet(token, {})).status).toBe(400);
    const notJson = await api('/2/tweets', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":',
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).title).toBe('Invalid Request');
    const { access_token: readOnly } = await connectX(sbx.url, 'tweet.read users.read', '1700000000000000002');
    expect((await tweet(readOnly, { text: 'not allowed' })).status).toBe(403);
    expect((await (await admin('/published')).json()).published).toHaveLength(1);
  });
});

describe('X rate limit on POST /2/tweets', () => {
  it('counts posts per user and answers 429 with the reset header past the limit', async () => {
    await admin('/config', { twitter: { rateLimits: { '/2/tweets': 2 } } });
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    const first = await tweet(token, { text: 'one' });
    expect(first.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('1');
    expect((await tweet(token, { text: 'two' })).status).toBe(201);
    const third = await tweet(token, { text: 'three' });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await (await admin('/published')).json()).published).toHaveLength(2);
  });
});

describe('X media upload', () => {
  it('uploads an image in one call and posts it', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    const upload = await api('/2/media/upload', token, { method: 'POST', body: imageForm() });
    expect(upload.status).toBe(200);
    const media = (await upload.json()).data;
    expect(media).toMatchObject({ id: expect.stringMatching(/^\d+$/), media_key: `3_${media.id}`, size: 1000 });
    expect(media.processing_info).toBeUndefined();
    const posted = await tweet(token, { text: 'with a picture', media: { media_ids: [media.id] } });
    expect(posted.status).toBe(201);
    const unknown = await tweet(token, { text: 'bad media', media: { media_ids: ['123'] } });
    expect(unknown.status).toBe(400);
  });

  it('forgets uploads on reset', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    const media = (await (await api('/2/media/upload', token, { method: 'POST', body: imageForm() })).json()).data;
    await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
    const { access_token: again } = await connectX(sbx.url, PUBLISH);
    expect((await tweet(again, { text: 'old media', media: { media_ids: [media.id] } })).status).toBe(400);
  });

  it('needs media.write', async () => {
    const { access_token: token } = await connectX(sbx.url, 'tweet.read tweet.write users.read');
    expect((await api('/2/media/upload', token, { method: 'POST', body: imageForm() })).status).toBe(403);
  });

  it('uploads a video in chunks: initialize, append, finalize, then STATUS until succeeded', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    const init = await api('/2/media/upload/initialize', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ media_type: 'video/mp4', total_bytes: 3000, media_category: 'tweet_video' }),
    });
    expect(init.status).toBe(200);
    const { id } = (await init.json()).data;
    for (const index of [0, 1, 2]) {
      const form = new FormData();
      form.set('segment_index', String(index));
      form.set('media', new Blob([new Uint8Array(1000)]), 'chunk');
      expect((await api(`/2/media/upload/${id}/append`, token, { method: 'POST', body: form })).status).toBe(200);
    }
    const early = await tweet(token, { text: 'too early', media: { media_ids: [id] } });
    expect(early.status).toBe(400);
    const finalized = (await (await api(`/2/media/upload/${id}/finalize`, token, { method: 'POST' })).json()).data;
    expect(finalized.processing_info.state).toBe('in_progress');
    expect((await tweet(token, { text: 'still processing', media: { media_ids: [id] } })).status).toBe(400);
    sbx.clock += 10_000;
    const status = (await (await api(`/2/media/upload?command=STATUS&media_id=${id}`, token)).json()).data;
    expect(status.processing_info.state).toBe('succeeded');
    expect((await tweet(token, { text: 'a video', media: { media_ids: [id] } })).status).toBe(201);
  });

  it('refuses a finalize before every byte arrived', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    const init = await api('/2/media/upload/initialize', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ media_type: 'image/jpeg', total_bytes: 5000 }),
    });
    const { id } = (await init.json()).data;
    expect((await api(`/2/media/upload/${id}/finalize`, token, { method: 'POST' })).status).toBe(400);
  });
});

describe('commit faults', () => {
  it('commit_then_error publishes and then answers 503; commit_then_hang answers late', async () => {
    const { access_token: token } = await connectX(sbx.url, PUBLISH);
    await admin('/faults', { platform: 'x', kind: 'commit_then_error', pathPrefix: '/2/tweets' });
    const failed = await tweet(token, { text: 'committed anyway' });
    expect(failed.status).toBe(503);
    expect((await failed.json()).status).toBe(503);
    expect((await (await admin('/published')).json()).published.map((p: { text: string }) => p.text)).toEqual(['committed anyway']);
    await admin('/faults', { platform: 'x', kind: 'commit_then_hang', pathPrefix: '/2/tweets', delayMs: 700 });
    const started = Date.now();
    const late = await tweet(token, { text: 'late answer' });
    expect(late.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect((await (await admin('/published')).json()).published).toHaveLength(2);
  });
});
