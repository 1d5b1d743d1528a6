import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { connectMeta, silentSandbox } from '../../sandbox/test-helpers.js';
import { DuplicatePostError, type Provider, type Publisher, type SyncTarget } from '../contract.js';
import { fault, image, imageServer, memoryJournal, publishedPosts, uploads } from '../publish-test-support.js';
import { metaProvider } from './index.js';

const PAGE = '20000000000000001';
const target: SyncTarget = { externalId: PAGE, metadata: {} };

let sbx: RunningSandbox;
let images: Awaited<ReturnType<typeof imageServer>>;
let provider: Provider;
let publisher: Publisher;
let token: string;

beforeAll(async () => {
  [sbx, images] = await Promise.all([silentSandbox(), imageServer()]);
  provider = metaProvider(loadConfig({ NODE_ENV: 'test', SANDBOX_URL: sbx.url }))!;
  publisher = provider.publisher!;
});
afterAll(async () => {
  await sbx.close();
  await images.close();
});
beforeEach(async () => {
  await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
  token = (await connectMeta(sbx.url)).pageTokens[PAGE]!;
});

describe('publishing to a Facebook Page', () => {
  it('connect asks for the Page and Instagram publishing permissions', () => {
    const scopes = provider.authorizationUrl({ state: 's', redirectUri: 'http://localhost/cb' }).searchParams.get('scope')?.split(',');
    expect(scopes).toEqual(expect.arrayContaining(['pages_manage_posts', 'pages_read_engagement', 'instagram_content_publish']));
  });

  it('a text post: the {page}_{post} id, its facebook.com permalink, listed by the sandbox', async () => {
    const journal = memoryJournal();
    const result = await publisher.publish(token, target, { text: 'Fresh beans today', media: [] }, journal);
    expect(result).toMatchObject({ kind: 'published', post: { providerPostId: expect.stringMatching(new RegExp(`^${PAGE}_\\d+$`)) } });
    if (result.kind !== 'published') return;
    expect(result.post.permalink).toBe(`https://www.facebook.com/${result.post.providerPostId}`);
    expect(journal.events).toEqual(['begin']);
    expect(await publishedPosts(sbx.url, 'facebook')).toEqual([
      expect.objectContaining({ account_id: PAGE, id: result.post.providerPostId, text: 'Fresh beans today' }),
    ]);
  });

  it('photos: unpublished photos journaled before the post, attached; a re-run uploads none again', async () => {
    const request = { text: 'Two photos', media: [image(1, images), image(2, images, 'image/png')] };
    const journal = memoryJournal();
    await fault(sbx.url, { platform: 'meta', kind: 'rate_limit', pathPrefix: `/${PAGE}/feed` });
    await expect(publisher.publish(token, target, request, journal)).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(journal.events).toEqual(['save media:1', 'save media:2', 'begin']);
    expect(await uploads(sbx.url, 'facebook')).toHaveLength(2);

    const again = memoryJournal(journal.state);
    expect((await publisher.publish(token, target, request, again)).kind).toBe('published');
    expect(again.events).toEqual(['begin']);
    expect(await uploads(sbx.url, 'facebook')).toHaveLength(2);
    expect(await publishedPosts(sbx.url, 'facebook')).toHaveLength(1);
  });

  it('a photo Facebook cannot fetch is refused in words before the post', async () => {
    const journal = memoryJournal();
    const error = await publisher.publish(token, target, { text: 'x', media: [image(9)] }, journal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^Facebook Pages refused the post: Graph error 324/) });
    expect(journal.events).toEqual([]);
  });

  it('#506 and #368 duplicates are DuplicatePostErrors; the read-back finds our own post', async () => {
    const startedAt = new Date();
    await publisher.publish(token, target, { text: 'Say it once', media: [] }, memoryJournal());
    const latest = await publisher.publish(token, target, { text: 'Say it once', media: [] }, memoryJournal()).catch((e: unknown) => e);
    expect(latest).toBeInstanceOf(DuplicatePostError);
    expect((latest as Error).message).toMatch(/^Facebook Pages refused the post as a duplicate: /);
    await publisher.publish(token, target, { text: 'Something else', media: [] }, memoryJournal());
    const recent = await publisher.publish(token, target, { text: 'Say it once', media: [] }, memoryJournal()).catch((e: unknown) => e);
    expect(recent).toBeInstanceOf(DuplicatePostError);
    expect((recent as Error).message).toMatch(/already posted|identical/i);
    expect(await publisher.reconcile(token, target, { text: 'Say it once', media: [] }, { startedAt, state: {} })).toMatchObject({
      kind: 'published',
    });
  });

  it('after commit_then_error (500, code 2) the post exists: transient, and reconcile finds it; nothing sent is not_published', async () => {
    const startedAt = new Date();
    const request = { text: 'Created, then a 500', media: [] };
    await fault(sbx.url, { platform: 'meta', kind: 'commit_then_error', pathPrefix: `/${PAGE}/feed` });
    await expect(publisher.publish(token, target, request, memoryJournal())).rejects.toMatchObject({ kind: 'transient' });
    const [post] = await publishedPosts(sbx.url, 'facebook');
    expect(await publisher.reconcile(token, target, request, { startedAt, state: {} })).toEqual({
      kind: 'published',
      post: { providerPostId: post!.id, permalink: `https://www.facebook.com/${post!.id}`, publishedAt: expect.any(Date) },
    });
    expect(await publisher.reconcile(token, target, { text: 'Never sent', media: [] }, { startedAt, state: {} })).toEqual({
      kind: 'not_published',
    });
  });

  it('a Page token without pages_manage_posts is refused in words', async () => {
    const readOnly = (await connectMeta(sbx.url, 'pages_show_list,pages_read_engagement')).pageTokens[PAGE]!;
    const error = await publisher.publish(readOnly, target, { text: 'no', media: [] }, memoryJournal()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^Facebook Pages refused the post: Graph error 200/) });
  });
});
