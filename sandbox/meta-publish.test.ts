import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from './server.js';
import { connectMeta, silentSandbox } from './test-helpers.js';

const PAGE = '20000000000000001';
const IG = '17841400000000001';

let sbx: RunningSandbox;
let images: Server;
let imageBase = '';
let clock = Date.now();
beforeAll(async () => {
  sbx = await silentSandbox({ now: () => clock });
  // Where Meta fetches media from: a JPEG, a PNG, and a 404 for anything else.
  images = createServer((req, res) => {
    if (req.url === '/photo.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(512, 1));
    if (req.url === '/photo.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(512, 1));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sbx.close();
  await new Promise((resolve) => images.close(resolve));
});
beforeEach(async () => {
  clock = Date.now();
  await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
});

const graph = (path: string, token: string, params: Record<string, string> = {}, method = 'POST') =>
  fetch(`${sbx.url}/meta/graph/v21.0/${path}${method === 'GET' ? `?${new URLSearchParams({ ...params, access_token: token })}` : ''}`, {
    method,
    ...(method === 'GET' ? {} : { body: new URLSearchParams({ ...params, access_token: token }) }),
  });
const json = async (res: Promise<Response>) => (await res).json();
const published = async (platform: string) =>
  (await (await fetch(`${sbx.url}/admin/published?platform=${platform}`)).json()).published as {
    account_id: string;
    id: string;
    text: string;
  }[];

describe('Facebook Page publishing', () => {
  it('posts a message with a link to the feed and the Page posts show it with zero metrics', async () => {
    const { pageTokens } = await connectMeta(sbx.url);
    const token = pageTokens[PAGE] as string;
    const res = await graph(`${PAGE}/feed`, token, { message: 'Hello Page', link: 'https://example.com' });
    expect(res.status).toBe(200);
    const { id } = await res.json();
    expect(id).toMatch(new RegExp(`^${PAGE}_\\d+$`));
    const feed = await json(graph(`${PAGE}/feed`, token, { fields: 'id,message,created_time', limit: '2' }, 'GET'));
    expect(feed.data[0]).toMatchObject({ id, message: 'Hello Page' });
    const insights = await json(graph(`${id}/insights`, token, { metric: 'post_media_view' }, 'GET'));
    expect(insights.data[0].values[0].value).toBe(0);
    expect(await published('facebook')).toEqual([expect.objectContaining({ account_id: PAGE, id, text: 'Hello Page' })]);
  });

  it('uploads unpublished photos and attaches them with attached_media (JSON body)', async () => {
    const { pageTokens } = await connectMeta(sbx.url);
    const token = pageTokens[PAGE] as string;
    const photo = await json(graph(`${PAGE}/photos`, token, { url: `${imageBase}/photo.jpg`, published: 'false' }));
    expect(photo).toEqual({ id: expect.stringMatching(/^\d+$/) });
    expect((await graph(`${PAGE}/photos`, token, { url: `${imageBase}/missing.jpg`, published: 'false' })).status).toBe(400);
    const res = await fetch(`${sbx.url}/meta/graph/v21.0/${PAGE}/feed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ message: 'Two photos', attached_media: [{ media_fbid: photo.id }] }),
    });
    expect(res.status).toBe(200);
    const bad = await json(
      graph(`${PAGE}/feed`, token, { message: 'reuse', 'attached_media[0]': JSON.stringify({ media_fbid: photo.id }) }),
    );
    expect(bad.error.code).toBe(100);
  });

  it('refuses duplicates with #506 (same as the latest) and #368 (posted recently)', async () => {
    const { pageTokens } = await connectMeta(sbx.url);
    const token = pageTokens[PAGE] as string;
    await graph(`${PAGE}/feed`, token, { message: 'Once' });
    const latest = await json(graph(`${PAGE}/feed`, token, { message: 'Once' }));
    expect(latest.error).toMatchObject({ code: 506, type: 'OAuthException' });
    await graph(`${PAGE}/feed`, token, { message: 'Something else' });
    const recent = await json(graph(`${PAGE}/feed`, token, { message: 'Once' }));
    expect(recent.error).toMatchObject({ code: 368 });
    expect(await published('facebook')).toHaveLength(2);
  });

  it('needs a Page token with pages_manage_posts', async () => {
    const { userToken } = await connectMeta(sbx.url);
    expect((await json(graph(`${PAGE}/feed`, userToken, { message: 'as user' }))).error.code).toBe(200);
    const { pageTokens } = await connectMeta(sbx.url, 'pages_show_list,pages_read_engagement');
    const res = await graph(`${PAGE}/feed`, pageTokens[PAGE] as string, { message: 'no scope' });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe(200);
  });
});

describe('Instagram publishing', () => {
  it('creates a container, waits for FINISHED, publishes once, and the media list shows it', async () => {
    const { userToken: token } = await connectMeta(sbx.url);
    const container = await json(graph(`${IG}/media`, token, { image_url: `${imageBase}/photo.jpg`, caption: 'Latte art' }));
    const status = () => json(graph(container.id, token, { fields: 'status_code,status' }, 'GET'));
    expect((await status()).status_code).toBe('IN_PROGRESS');
    const early = await json(graph(`${IG}/media_publish`, token, { creation_id: container.id }));
    expect(early.error).toMatchObject({ code: 9007, error_subcode: 2207027 });
    clock += 5_000;
    expect(await status()).toMatchObject({ id: container.id, status_code: 'FINISHED' });
    const media = await json(graph(`${IG}/media_publish`, token, { creation_id: container.id }));
    expect(media.id).toMatch(/^\d+$/);
    expect((await status()).status_code).toBe('PUBLISHED');
    expect((await json(graph(`${IG}/media_publish`, token, { creation_id: container.id }))).error.code).toBe(9007);
    const list = await json(graph(`${IG}/media`, token, { fields: 'id,caption,like_count', limit: '1' }, 'GET'));
    expect(list.data[0]).toEqual({ id: media.id, caption: 'Latte art', like_count: 0 });
    expect(await published('instagram')).toEqual([expect.objectContaining({ account_id: IG, id: media.id })]);
  });

  it('publishes a carousel of two items', async () => {
    const { userToken: token } = await connectMeta(sbx.url);
    const children = [];
    for (let i = 0; i < 2; i++)
      children.push((await json(graph(`${IG}/media`, token, { image_url: `${imageBase}/photo.jpg`, is_carousel_item: 'true' }))).id);
    const carousel = await json(graph(`${IG}/media`, token, { media_type: 'CAROUSEL', children: children.join(','), caption: 'Two' }));
    expect((await json(graph(`${IG}/media_publish`, token, { creation_id: children[0] }))).error.code).toBe(100);
    clock += 5_000;
    expect((await json(graph(`${IG}/media_publish`, token, { creation_id: carousel.id }))).id).toMatch(/^\d+$/);
  });

  it('fails a media URL it cannot fetch, turns a non-JPEG to ERROR, and expires containers after 24 h', async () => {
    const { userToken: token } = await connectMeta(sbx.url);
    const missing = await json(graph(`${IG}/media`, token, { image_url: `${imageBase}/missing.jpg` }));
    expect(missing.error).toMatchObject({ code: 9004, error_subcode: 2207052 });
    const png = await json(graph(`${IG}/media`, token, { image_url: `${imageBase}/photo.png` }));
    clock += 5_000;
    expect((await json(graph(png.id, token, { fields: 'status_code' }, 'GET'))).status_code).toBe('ERROR');
    const old = await json(graph(`${IG}/media`, token, { image_url: `${imageBase}/photo.jpg` }));
    clock += 24 * 3_600_000;
    expect((await json(graph(old.id, token, { fields: 'status_code' }, 'GET'))).status_code).toBe('EXPIRED');
    expect((await json(graph(`${IG}/media_publish`, token, { creation_id: old.id }))).error).toMatchObject({
      code: -2,
      error_subcode: 2207020,
    });
  });

  it('counts the daily quota in content_publishing_limit and refuses past it', async () => {
    await fetch(`${sbx.url}/admin/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ meta: { igDailyQuota: 1, igContainerSeconds: 0 } }),
    });
    const { userToken: token } = await connectMeta(sbx.url);
    const limit = () => json(graph(`${IG}/content_publishing_limit`, token, { fields: 'quota_usage,config' }, 'GET'));
    expect(await limit()).toEqual({ data: [{ quota_usage: 0, config: { quota_total: 1, quota_duration: 86400 } }] });
    for (const caption of ['one', 'two']) {
      const c = await json(graph(`${IG}/media`, token, { image_url: `${imageBase}/photo.jpg`, caption }));
      const res = await json(graph(`${IG}/media_publish`, token, { creation_id: c.id }));
      if (caption === 'one') expect(res.id).toBeDefined();
      else expect(res.error).toMatchObject({ code: 9, error_subcode: 2207042 });
    }
    expect((await limit()).data[0].quota_usage).toBe(1);
    const asDocumented = await json(graph(`${IG}/content_publishing_limit`, token, { fields: 'quota_usage,rate_limit_settings' }, 'GET'));
    expect(asDocumented).toEqual({ data: [{ quota_usage: 1, config: { quota_total: 1, quota_duration: 86400 } }] });
  });

  it('needs instagram_content_publish', async () => {
    const { userToken: token } = await connectMeta(sbx.url, 'pages_show_list,instagram_basic');
    const res = await graph(`${IG}/media`, token, { image_url: `${imageBase}/photo.jpg` });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe(10);
  });
});
