import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { connectLinkedIn, silentSandbox } from '../../sandbox/test-helpers.js';
import type { Provider, Publisher, SyncTarget } from '../contract.js';
import { fault, image, memoryJournal, publishedPosts, uploads } from '../publish-test-support.js';
import { linkedinProvider } from './index.js';
import { littleText } from './publish.js';

const MEMBER = 'sbxLiMember01';
const ORG = 'urn:li:organization:90000001';
const organization: SyncTarget = { externalId: MEMBER, metadata: { organizationUrn: ORG } };
const member: SyncTarget = { externalId: MEMBER, metadata: {} };

let sbx: RunningSandbox;
let provider: Provider;
let publisher: Publisher;
let token: string;

beforeAll(async () => {
  sbx = await silentSandbox();
  provider = linkedinProvider(loadConfig({ NODE_ENV: 'test', SANDBOX_URL: sbx.url }))!;
  publisher = provider.publisher!;
});
afterAll(() => sbx.close());
beforeEach(async () => {
  await fetch(`${sbx.url}/admin/reset`, { method: 'POST' });
  token = (await connectLinkedIn(sbx.url)).access_token;
});

describe('the little text format', () => {
  it('escapes every reserved character and keeps #word hashtags (at the start or after a space) as hashtag templates', () => {
    expect(littleText('a\\b|c{d}e@f[g]h(i)j<k>l*m_n~o')).toBe('a\\\\b\\|c\\{d\\}e\\@f\\[g\\]h\\(i\\)j\\<k\\>l\\*m\\_n\\~o');
    expect(littleText('#coffee time, #café #1 (#not)')).toBe('{hashtag|\\#|coffee} time, {hashtag|\\#|café} {hashtag|\\#|1} \\(\\#not\\)');
    expect(littleText('C# and a#b')).toBe('C\\# and a\\#b');
  });
});

describe('publishing to LinkedIn', () => {
  it('connect asks for both publishing scopes', () => {
    const scopes = provider.authorizationUrl({ state: 's', redirectUri: 'http://localhost/cb' }).searchParams.get('scope');
    expect(scopes?.split(' ')).toEqual(expect.arrayContaining(['w_member_social', 'w_organization_social', 'r_organization_social']));
  });

  it('as the organization: reserved characters survive whole in the stored text; permalink and x-restli-id', async () => {
    const text = 'Grand opening (today!) at 10 <sharp> — 50% off *everything* for @friends [really] #coffee ~ a_b {x|y} \\o/';
    const journal = memoryJournal();
    const result = await publisher.publish(token, organization, { text, media: [] }, journal);
    expect(result).toMatchObject({ kind: 'published', post: { providerPostId: expect.stringMatching(/^urn:li:share:\d+$/) } });
    if (result.kind !== 'published') return;
    expect(result.post.permalink).toBe(`https://www.linkedin.com/feed/update/${result.post.providerPostId}/`);
    expect(journal.events).toEqual(['begin']);
    // What a reader sees is the whole text (the hashtag template reads as #coffee): nothing was cut.
    expect(await publishedPosts(sbx.url, 'linkedin')).toEqual([
      expect.objectContaining({ account_id: '90000001', id: result.post.providerPostId, text }),
    ]);
  });

  it('as the member when no organization is stored', async () => {
    const result = await publisher.publish(token, member, { text: 'Personal note (1)', media: [] }, memoryJournal());
    expect(result.kind).toBe('published');
    expect(await publishedPosts(sbx.url, 'linkedin')).toEqual([expect.objectContaining({ account_id: MEMBER, text: 'Personal note (1)' })]);
  });

  it('images: uploaded (initializeUpload, PUT), journaled, attached; a re-run uploads nothing again', async () => {
    const request = { text: 'Three images', media: [image(1), image(2), image(3, undefined, 'image/png')] };
    const journal = memoryJournal();
    await fault(sbx.url, { platform: 'linkedin', kind: 'server_error', pathPrefix: '/rest/posts' });
    await expect(publisher.publish(token, organization, request, journal)).rejects.toMatchObject({ kind: 'transient' });
    expect(journal.events).toEqual(['save media:1', 'save media:2', 'save media:3', 'begin']);
    expect(journal.state['media:1']).toMatch(/^urn:li:image:/);
    expect((await uploads(sbx.url, 'linkedin')).map((m) => m.state)).toEqual(['ready', 'ready', 'ready']);

    const again = memoryJournal(journal.state);
    expect((await publisher.publish(token, organization, request, again)).kind).toBe('published');
    expect(again.events).toEqual(['begin']);
    expect(await uploads(sbx.url, 'linkedin')).toHaveLength(3);
    expect(await publishedPosts(sbx.url, 'linkedin')).toHaveLength(1);
  });

  it('a 422 DUPLICATE_POST is answered as published: the post it names', async () => {
    const first = await publisher.publish(token, organization, { text: 'Once only', media: [] }, memoryJournal());
    const second = await publisher.publish(token, organization, { text: 'Once only', media: [] }, memoryJournal());
    expect(second).toMatchObject({
      kind: 'published',
      post: { providerPostId: first.kind === 'published' ? first.post.providerPostId : '' },
    });
    expect(await publishedPosts(sbx.url, 'linkedin')).toHaveLength(1);
  });

  it('reconcile after commit_then_error finds the organization post; nothing sent is not_published', async () => {
    const startedAt = new Date();
    const request = { text: 'Lost answer (but #posted)', media: [] };
    await fault(sbx.url, { platform: 'linkedin', kind: 'commit_then_error', pathPrefix: '/rest/posts' });
    await expect(publisher.publish(token, organization, request, memoryJournal())).rejects.toMatchObject({ kind: 'transient' });
    const [post] = await publishedPosts(sbx.url, 'linkedin');
    expect(await publisher.reconcile(token, organization, request, { startedAt, state: {} })).toEqual({
      kind: 'published',
      post: { providerPostId: post!.id, permalink: `https://www.linkedin.com/feed/update/${post!.id}/`, publishedAt: expect.any(Date) },
    });
    expect(await publisher.reconcile(token, organization, { text: 'Never sent', media: [] }, { startedAt, state: {} })).toEqual({
      kind: 'not_published',
    });
  });

  it('a member post cannot be read back without r_member_social: unknown, with the reason', async () => {
    const found = await publisher.reconcile(token, member, { text: 'x', media: [] }, { startedAt: new Date(), state: {} });
    expect(found).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/approved partners/) });
    const partner = (await connectLinkedIn(sbx.url, 'openid profile w_member_social r_member_social')).access_token;
    await publisher.publish(partner, member, { text: 'Readable', media: [] }, memoryJournal());
    expect(
      await publisher.reconcile(partner, member, { text: 'Readable', media: [] }, { startedAt: new Date(Date.now() - 1000), state: {} }),
    ).toMatchObject({ kind: 'published' });
  });

  it('without w_organization_social the post is refused in words', async () => {
    const memberOnly = (await connectLinkedIn(sbx.url, 'openid profile w_member_social r_organization_social')).access_token;
    const error = await publisher.publish(memberOnly, organization, { text: 'no', media: [] }, memoryJournal()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^LinkedIn refused the post: /) });
  });
});
