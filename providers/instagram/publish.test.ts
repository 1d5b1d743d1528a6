import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { connectMeta, silentSandbox } from '../../sandbox/test-helpers.js';
import type { Provider, Publisher, PublishRequest, PublishResult, SyncTarget } from '../contract.js';
import { fault, image, imageServer, memoryJournal, publishedPosts, uploads, type MemoryJournal } from '../publish-test-support.js';
import { instagramProvider } from './index.js';

const PAGE = '20000000000000001';
const IG = '17841400000000001';
const target: SyncTarget = { externalId: IG, metadata: { pageId: PAGE } };

let sbx: RunningSandbox;
let images: Awaited<ReturnType<typeof imageServer>>;
let provider: Provider;
let publisher: Publisher;
let token: string;
let clock = Date.now();

beforeAll(async () => {
  [sbx, images] = await Promise.all([silentSandbox({ now: () => clock }), imageServer()]);
  provider = instagramProvider(loadConfig({ NODE_ENV: 'test', SANDBOX_URL: sbx.url }))!;
  publisher = provider.publisher!;
});
afterAll(async () => {
  await sbx.close();
  await images.close();
});
beforeEach(async () => {
  clock = Date.now();
  await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
  token = (await connectMeta(sbx.url)).pageTokens[PAGE]!;
});

const config = (meta: Record<string, unknown>) =>
  fetch(`${sbx.url}/admin/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ meta }) });

/** Publishes until the container is processed (the sandbox's clock moves past igContainerSeconds between calls). */
async function publishThrough(request: PublishRequest, journal: MemoryJournal): Promise<PublishResult> {
  const first = await publisher.publish(token, target, request, journal);
  expect(first).toMatchObject({ kind: 'pending', checkAfterMs: expect.any(Number), reason: expect.stringMatching(/processing/) });
  expect(journal.events).not.toContain('begin');
  clock += 5_000;
  return publisher.publish(token, target, request, journal);
}

describe('publishing to Instagram', () => {
  it('one image: container journaled, pending while IN_PROGRESS, then media_publish; the Graph permalink', async () => {
    const journal = memoryJournal();
    const result = await publishThrough({ text: 'Latte art #coffee', media: [image(1, images)] }, journal);
    expect(result).toMatchObject({
      kind: 'published',
      post: { providerPostId: expect.any(String), permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\/p\//) },
    });
    expect(journal.events).toEqual(['save container', 'begin']);
    expect(await publishedPosts(sbx.url, 'instagram')).toEqual([expect.objectContaining({ account_id: IG, text: 'Latte art #coffee' })]);
    expect(await uploads(sbx.url, 'instagram')).toHaveLength(1);
  });

  it('a carousel: children journaled one by one, then the CAROUSEL container; re-runs create none again', async () => {
    const journal = memoryJournal();
    const request = { text: 'Three views', media: [image(1, images), image(2, images), image(3, images)] };
    const result = await publishThrough(request, journal);
    expect(result.kind).toBe('published');
    expect(journal.events).toEqual(['save child:1', 'save child:2', 'save child:3', 'save container', 'begin']);
    expect((await uploads(sbx.url, 'instagram')).map((c) => c.state)).toEqual([
      'carousel_item',
      'carousel_item',
      'carousel_item',
      'carousel',
    ]);
    expect(await publishedPosts(sbx.url, 'instagram')).toHaveLength(1);
  });

  it('a container in ERROR (a PNG) is refused in words and forgotten, so a retry starts anew', async () => {
    const journal = memoryJournal();
    const request = { text: 'png', media: [image(1, images, 'image/png')] };
    const error = await publisher.publish(token, target, request, journal).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/^Instagram refused the post: Instagram could not process the image/),
    });
    expect(journal.state.container).toBe('');
    expect(journal.events).toEqual(['save container', 'save container']);
    // The retry makes a new container rather than asking about the failed one again.
    await publisher.publish(token, target, request, journal).catch(() => undefined);
    expect(await uploads(sbx.url, 'instagram')).toHaveLength(2);
  });

  it('an EXPIRED container (24 h unpublished) is refused in words', async () => {
    const journal = memoryJournal();
    const request = { text: 'late', media: [image(1, images)] };
    await publisher.publish(token, target, request, journal);
    clock += 25 * 3_600_000;
    const error = await publisher.publish(token, target, request, journal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/expired/) });
    expect(await publishedPosts(sbx.url, 'instagram')).toEqual([]);
  });

  it('the daily quota read before any container: used up is rate_limited with a wait, and nothing is created', async () => {
    await config({ igDailyQuota: 1 });
    await publishThrough({ text: 'first', media: [image(1, images)] }, memoryJournal());
    const journal = memoryJournal();
    const error = await publisher.publish(token, target, { text: 'second', media: [image(2, images)] }, journal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3_600_000, message: expect.stringMatching(/publishing limit/) });
    expect(journal.events).toEqual([]);
    expect(await uploads(sbx.url, 'instagram')).toHaveLength(1);
  });

  it('reconcile reads the container: PUBLISHED after commit_then_error is published; FINISHED or none is not_published', async () => {
    const startedAt = new Date(clock);
    const journal = memoryJournal();
    const request = { text: 'Answer lost', media: [image(1, images)] };
    await publisher.publish(token, target, request, journal);
    clock += 5_000;
    expect(await publisher.reconcile(token, target, request, { startedAt, state: journal.state })).toEqual({ kind: 'not_published' });
    await fault(sbx.url, { platform: 'meta', kind: 'commit_then_error', pathPrefix: `/${IG}/media_publish` });
    await expect(publisher.publish(token, target, request, journal)).rejects.toMatchObject({ kind: 'transient' });
    const [post] = await publishedPosts(sbx.url, 'instagram');
    expect(await publisher.reconcile(token, target, request, { startedAt, state: journal.state })).toMatchObject({
      kind: 'published',
      post: { providerPostId: post!.id, permalink: expect.stringMatching(/instagram\.com\/p\//) },
    });
    // A later publish call with the same journal sees PUBLISHED and answers the post, never publishing twice.
    expect(await publisher.publish(token, target, request, journal)).toMatchObject({
      kind: 'published',
      post: { providerPostId: post!.id },
    });
    expect(await publishedPosts(sbx.url, 'instagram')).toHaveLength(1);
    expect(await publisher.reconcile(token, target, request, { startedAt, state: {} })).toEqual({ kind: 'not_published' });
  });

  it('no text-only posts', async () => {
    expect(publisher.validate({ text: 'words only', media: [] })).toEqual([
      'Instagram needs at least one image: it has no text-only posts.',
    ]);
    await expect(publisher.publish(token, target, { text: 'words only', media: [] }, memoryJournal())).rejects.toMatchObject({
      kind: 'rejected',
    });
  });
});
