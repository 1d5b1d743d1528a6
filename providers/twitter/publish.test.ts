import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { connectX, silentSandbox } from '../../sandbox/test-helpers.js';
import { DuplicatePostError, type Provider, type Publisher, type SyncTarget } from '../contract.js';
import { fault, image, memoryJournal, publishedPosts, uploads } from '../publish-test-support.js';
import { twitterProvider } from './index.js';

const USER = '1700000000000000001';
const target: SyncTarget = { externalId: USER, metadata: { username: 'sandbox_x' } };

let sbx: RunningSandbox;
let provider: Provider;
let publisher: Publisher;
let token: string;

beforeAll(async () => {
  sbx = await silentSandbox();
  provider = twitterProvider(loadConfig({ NODE_ENV: 'test', SANDBOX_URL: sbx.url }))!;
  publisher = provider.publisher!;
});
afterAll(() => sbx.close());
beforeEach(async () => {
  await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
  token = (await connectX(sbx.url, 'tweet.read tweet.write users.read media.write offline.access')).access_token;
});

describe('publishing to X', () => {
  it('connect asks for tweet.write and media.write; publishing requires them', () => {
    const scopes = provider
      .authorizationUrl({ state: 's', redirectUri: 'http://localhost/cb', codeChallenge: 'c' })
      .searchParams.get('scope');
    expect(scopes?.split(' ')).toEqual(expect.arrayContaining(['tweet.write', 'media.write', 'offline.access']));
    expect(publisher.requiredScopes).toEqual(expect.arrayContaining(['tweet.write', 'media.write']));
    expect(provider.metadata.capabilities.publishing).toBe(true);
  });

  it('a text post: published with its x.com permalink, listed by the sandbox; the mutation is journaled first', async () => {
    const journal = memoryJournal();
    const result = await publisher.publish(token, target, { text: 'Hello from Social Sync', media: [] }, journal);
    expect(result).toMatchObject({ kind: 'published', post: { providerPostId: expect.stringMatching(/^\d{19}$/) } });
    if (result.kind !== 'published') return;
    expect(result.post.permalink).toBe(`https://x.com/sandbox_x/status/${result.post.providerPostId}`);
    expect(journal.events).toEqual(['begin']);
    expect(await publishedPosts(sbx.url, 'x')).toEqual([
      expect.objectContaining({ account_id: USER, id: result.post.providerPostId, text: 'Hello from Social Sync' }),
    ]);
  });

  it('images: each upload journaled before the post; a re-run with those ids uploads nothing again', async () => {
    const journal = memoryJournal();
    const request = { text: 'Two pictures', media: [image(11), image(12, undefined, 'image/png')] };
    // The first attempt dies at the post itself (before X takes it): the uploads are journaled already.
    await fault(sbx.url, { platform: 'x', kind: 'server_error', pathPrefix: '/2/tweets' });
    await expect(publisher.publish(token, target, request, journal)).rejects.toMatchObject({ kind: 'transient' });
    expect(journal.events).toEqual(['save media:11', 'save media:12', 'begin']);
    expect(await uploads(sbx.url, 'x')).toHaveLength(2);
    expect(await publishedPosts(sbx.url, 'x')).toEqual([]);

    const again = memoryJournal(journal.state);
    const result = await publisher.publish(token, target, request, again);
    expect(result.kind).toBe('published');
    expect(again.events).toEqual(['begin']);
    expect(await uploads(sbx.url, 'x')).toHaveLength(2);
    expect(await publishedPosts(sbx.url, 'x')).toHaveLength(1);
  });

  it('duplicate content is a DuplicatePostError in words; a read-back finds our own earlier post', async () => {
    const startedAt = new Date();
    await publisher.publish(token, target, { text: 'Same words twice', media: [] }, memoryJournal());
    const error = await publisher.publish(token, target, { text: 'Same words twice', media: [] }, memoryJournal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicatePostError);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^X refused the post: duplicate content/) });
    const found = await publisher.reconcile(token, target, { text: 'Same words twice', media: [] }, { startedAt, state: {} });
    expect(found.kind).toBe('published');
    expect(await publishedPosts(sbx.url, 'x')).toHaveLength(1);
  });

  it('after commit_then_error the post exists: the 5xx is transient, and reconcile finds it', async () => {
    const startedAt = new Date();
    await fault(sbx.url, { platform: 'x', kind: 'commit_then_error', pathPrefix: '/2/tweets' });
    const request = { text: 'Committed & then the answer was lost <3', media: [] };
    await expect(publisher.publish(token, target, request, memoryJournal())).rejects.toMatchObject({ kind: 'transient' });
    const [post] = await publishedPosts(sbx.url, 'x');
    const found = await publisher.reconcile(token, target, request, { startedAt, state: {} });
    expect(found).toEqual({
      kind: 'published',
      post: { providerPostId: post!.id, permalink: `https://x.com/sandbox_x/status/${post!.id}`, publishedAt: expect.any(Date) },
    });
  });

  it('reconcile when nothing was posted: not_published (the same text before the attempt does not count)', async () => {
    await publisher.publish(token, target, { text: 'An old post', media: [] }, memoryJournal());
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await publisher.reconcile(token, target, { text: 'An old post', media: [] }, { startedAt: later, state: {} })).toEqual({
      kind: 'not_published',
    });
    expect(await publisher.reconcile(token, target, { text: 'Never sent', media: [] }, { startedAt: new Date(), state: {} })).toEqual({
      kind: 'not_published',
    });
  });

  it('a token without media.write: the upload is refused in words, before anything is posted', async () => {
    const readOnly = (await connectX(sbx.url, 'tweet.read tweet.write users.read')).access_token;
    const journal = memoryJournal();
    const error = await publisher.publish(readOnly, target, { text: 'pic', media: [image(1)] }, journal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^X refused the post: /) });
    expect(journal.events).toEqual([]);
  });

  it('a rate limit waits for x-rate-limit-reset', async () => {
    await fault(sbx.url, { platform: 'x', kind: 'rate_limit', pathPrefix: '/2/tweets', resetSeconds: 120 });
    const error = await publisher.publish(token, target, { text: 'later', media: [] }, memoryJournal()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited' });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100_000);
  });

  /** The sandbox's tweets of the user, oldest first, with what each replies to and its conversation. */
  async function timelineTweets() {
    const response = await fetch(`${sbx.url}/x/2/users/${USER}/tweets?max_results=100&tweet.fields=referenced_tweets,conversation_id`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as {
      data: { id: string; text: string; conversation_id: string; referenced_tweets?: { type: string; id: string }[] }[];
    };
    const ours = new Set((await publishedPosts(sbx.url, 'x')).map((p) => p.id));
    return body.data
      .filter((t) => ours.has(t.id))
      .reverse()
      .map((t) => ({ id: t.id, text: t.text, conversation: t.conversation_id, replyTo: t.referenced_tweets?.[0]?.id ?? null }));
  }

  it('a thread: a reply chain, each tweet journaled as it exists; the target is the first tweet', async () => {
    const journal = memoryJournal();
    const request = { text: 'Thread 1/3', media: [image(21)], thread: ['Thread 2/3', 'Thread 3/3'] };
    const result = await publisher.publish(token, target, request, journal);
    const tweets = await timelineTweets();
    expect(tweets.map((t) => t.text)).toEqual(['Thread 1/3', 'Thread 2/3', 'Thread 3/3']);
    const [one, two, three] = tweets.map((t) => t.id);
    expect(tweets.map((t) => t.replyTo)).toEqual([null, one, two]);
    expect(tweets.map((t) => t.conversation)).toEqual([one, one, one]);
    expect(result).toEqual({
      kind: 'published',
      post: { providerPostId: one, permalink: `https://x.com/sandbox_x/status/${one}`, publishedAt: expect.any(Date) },
    });
    expect(journal.events).toEqual(['save media:21', 'begin', 'save tweets', 'save tweets', 'save tweets']);
    expect(journal.state.tweets).toEqual([one, two, three]);
  });

  it('a thread whose answer was lost after tweet 2: read back, then only tweet 3 is sent (3 tweets, none twice)', async () => {
    const startedAt = new Date();
    const request = { text: 'Crash 1/3', media: [], thread: ['Crash 2/3', 'Crash 3/3'] };
    const journal = memoryJournal();
    // Tweet 2 is created, then its answer is lost (a 5xx after the commit): the journal holds tweet 1 only.
    const save = journal.save.bind(journal);
    journal.save = async (update) => {
      await save(update);
      if (journal.events.filter((e) => e === 'save tweets').length === 1)
        await fault(sbx.url, { platform: 'x', kind: 'commit_then_error', pathPrefix: '/2/tweets' });
    };
    await expect(publisher.publish(token, target, request, journal)).rejects.toMatchObject({ kind: 'transient' });
    expect(journal.state.tweets).toHaveLength(1);
    expect(await publishedPosts(sbx.url, 'x')).toHaveLength(2);

    const found = await publisher.reconcile(token, target, request, { startedAt, state: journal.state });
    const [one, two] = (await timelineTweets()).map((t) => t.id);
    expect(found).toEqual({ kind: 'not_published', state: { tweets: [one, two] } });

    const again = memoryJournal({ ...journal.state, ...(found.kind === 'not_published' ? found.state : {}) });
    const result = await publisher.publish(token, target, request, again);
    expect(result).toMatchObject({ kind: 'published', post: { providerPostId: one } });
    const tweets = await timelineTweets();
    expect(tweets.map((t) => t.text)).toEqual(['Crash 1/3', 'Crash 2/3', 'Crash 3/3']);
    expect(tweets.map((t) => t.replyTo)).toEqual([null, one, two]);
    expect(await publishedPosts(sbx.url, 'x')).toHaveLength(3);
    // Read back once more with an old journal: the whole chain is found, nothing is to send.
    expect(await publisher.reconcile(token, target, request, { startedAt, state: {} })).toMatchObject({
      kind: 'published',
      post: { providerPostId: one },
    });
  });

  it('a thread reads back only its own chain: the same text outside the chain does not count', async () => {
    const startedAt = new Date();
    await publisher.publish(token, target, { text: 'Lone 2/2', media: [] }, memoryJournal());
    const request = { text: 'Lone 1/2', media: [], thread: ['Lone 2/2'] };
    await publisher.publish(token, target, { text: 'Lone 1/2', media: [] }, memoryJournal());
    expect(await publisher.reconcile(token, target, request, { startedAt, state: {} })).toEqual({
      kind: 'not_published',
      state: { tweets: [(await timelineTweets())[1]!.id] },
    });
  });

  it('validate delegates to the compose rules', () => {
    expect(publisher.validate({ text: 'a'.repeat(281), media: [] })).toHaveLength(1);
    expect(publisher.validate({ text: 'ok', media: [] })).toEqual([]);
  });
});
