import { describe, expect, it } from 'vitest';
import { parseLittleText } from './little-text.js';
import { connectLinkedIn, linkedinHeaders, sandboxPerTest } from './test-helpers.js';

const MEMBER = 'urn:li:person:sbxLiMember01';
const ORG = 'urn:li:organization:90000001';

const sbx = sandboxPerTest();

const rest = (path: string, token: string, init: RequestInit = {}, headers = linkedinHeaders()) =>
  fetch(`${sbx.url}/linkedin/rest${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers, ...init.headers },
  });

const post = (token: string, author: string, commentary: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  rest(
    '/posts',
    token,
    {
      method: 'POST',
      body: JSON.stringify({
        author,
        commentary,
        visibility: 'PUBLIC',
        distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
        lifecycleState: 'PUBLISHED',
        isReshareDisabledByAuthor: false,
        ...extra,
      }),
    },
    headers,
  );

const published = async () =>
  (await (await fetch(`${sbx.url}/admin/published?platform=linkedin`)).json()).published as {
    account_id: string;
    id: string;
    text: string;
  }[];

describe('LinkedIn POST /rest/posts', () => {
  it('publishes for an organization (201, URN in x-restli-id) and the posts finder shows it with zero metrics', async () => {
    const { access_token: token } = await connectLinkedIn(
      sbx.url,
      'openid profile w_organization_social r_organization_social rw_organization_admin',
    );
    const res = await post(token, ORG, 'Hello from the org');
    expect(res.status).toBe(201);
    const urn = res.headers.get('x-restli-id') as string;
    expect(urn).toMatch(/^urn:li:share:\d+$/);
    const list = await (await rest(`/posts?q=author&author=${encodeURIComponent(ORG)}&count=3`, token)).json();
    expect(list.elements[0]).toMatchObject({ id: urn, author: ORG, commentary: 'Hello from the org' });
    const stats = await (
      await rest(
        `/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${encodeURIComponent(ORG)}&shares=List(${encodeURIComponent(urn)})`,
        token,
      )
    ).json();
    expect(stats.elements[0].totalShareStatistics.impressionCount).toBe(0);
    expect(await published()).toEqual([expect.objectContaining({ account_id: '90000001', id: urn, text: 'Hello from the org' })]);
  });

  it('publishes for the member with w_member_social; reading back needs r_member_social', async () => {
    const { access_token: token } = await connectLinkedIn(sbx.url, 'openid profile w_member_social');
    const res = await post(token, MEMBER, 'Member post');
    expect(res.status).toBe(201);
    expect((await rest(`/posts?q=author&author=${encodeURIComponent(MEMBER)}`, token)).status).toBe(403);
    const { access_token: reader } = await connectLinkedIn(sbx.url, 'openid profile w_member_social r_member_social');
    const list = await (await rest(`/posts?q=author&author=${encodeURIComponent(MEMBER)}&count=1`, reader)).json();
    expect(list.elements[0].id).toBe(res.headers.get('x-restli-id'));
    // Not as an organization without w_organization_social, nor as somebody else.
    expect((await post(token, ORG, 'nope')).status).toBe(403);
    expect((await post(token, 'urn:li:person:sbxLiMember02', 'nope')).status).toBe(403);
  });

  it('needs the LinkedIn-Version and X-Restli-Protocol-Version headers', async () => {
    const { access_token: token } = await connectLinkedIn(sbx.url);
    const { 'LinkedIn-Version': version } = linkedinHeaders();
    expect((await post(token, MEMBER, 'x', {}, { 'X-Restli-Protocol-Version': '2.0.0' })).status).toBe(400);
    expect((await post(token, MEMBER, 'x', {}, { 'LinkedIn-Version': version as string })).status).toBe(400);
    expect(await published()).toEqual([]);
  });

  it('answers 422 DUPLICATE_POST naming the existing URN', async () => {
    const { access_token: token } = await connectLinkedIn(sbx.url);
    const first = await post(token, ORG, 'Twice');
    const urn = first.headers.get('x-restli-id');
    const again = await post(token, ORG, 'Twice');
    expect(again.status).toBe(422);
    const body = await again.json();
    expect(body.message).toContain(`Content is a duplicate of ${urn}`);
    expect(body.errorDetails.inputErrors[0].code).toBe('DUPLICATE_POST');
  });

  it('silently truncates the commentary at an unescaped reserved character; escaped ones survive', async () => {
    const { access_token: token } = await connectLinkedIn(sbx.url);
    expect((await post(token, ORG, 'Open now (until 6pm) #coffee')).status).toBe(201);
    expect((await post(token, ORG, 'Open now \\(until 6pm\\) \\#coffee')).status).toBe(201);
    expect((await published()).map((p) => p.text)).toEqual(['Open now ', 'Open now (until 6pm) #coffee']);
    const list = await (await rest(`/posts?q=author&author=${encodeURIComponent(ORG)}&count=2`, token)).json();
    expect(list.elements.map((e: { commentary: string }) => e.commentary)).toEqual(['Open now \\(until 6pm\\) \\#coffee', 'Open now ']);
  });

  it('uploads an image (initializeUpload, then PUT) and posts it', async () => {
    const { access_token: token } = await connectLinkedIn(sbx.url);
    const init = await rest('/images?action=initializeUpload', token, {
      method: 'POST',
      body: JSON.stringify({ initializeUploadRequest: { owner: ORG } }),
    });
    expect(init.status).toBe(200);
    const { value } = await init.json();
    expect(value.image).toMatch(/^urn:li:image:/);
    expect((await post(token, ORG, 'too early', { content: { media: { id: value.image } } })).status).toBe(422);
    const put = await fetch(value.uploadUrl, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: new Uint8Array(2048),
    });
    expect(put.status).toBe(201);
    const image = await (await rest(`/images/${encodeURIComponent(value.image)}`, token)).json();
    expect(image.status).toBe('AVAILABLE');
    const res = await post(token, ORG, 'With a picture', { content: { media: { id: value.image, title: 'pic' } } });
    expect(res.status).toBe(201);
  });
});

describe('the little text format', () => {
  it('keeps mentions and hashtag templates, unescapes, and cuts at the first bad reserved character', () => {
    expect(parseLittleText('Hi @[Sandbox Coffee](urn:li:organization:90000001) {hashtag|\\#|coffee} a\\_b')).toEqual({
      commentary: 'Hi @[Sandbox Coffee](urn:li:organization:90000001) {hashtag|\\#|coffee} a\\_b',
      text: 'Hi Sandbox Coffee #coffee a_b',
      truncated: false,
    });
    for (const ch of ['\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~'])
      expect(parseLittleText(`before${ch}after`)).toMatchObject({ commentary: 'before', truncated: true });
  });
});

describe('LinkedIn commit faults', () => {
  it('commit_then_error publishes, then answers 500 without the x-restli-id header', async () => {
    const { access_token: token } = await connectLinkedIn(sbx.url);
    await fetch(`${sbx.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'linkedin', kind: 'commit_then_error', pathPrefix: '/rest/posts' }),
    });
    // A read does not use up a fault meant for mutations.
    expect((await rest(`/posts?q=author&author=${encodeURIComponent(ORG)}&count=1`, token)).status).toBe(200);
    const res = await post(token, ORG, 'Did it post?');
    expect(res.status).toBe(500);
    expect(res.headers.get('x-restli-id')).toBeNull();
    const [only] = await published();
    expect(only?.text).toBe('Did it post?');
    // The retry a client should not make blindly meets the duplicate, which names the post.
    const retry = await post(token, ORG, 'Did it post?');
    expect(retry.status).toBe(422);
    expect((await retry.json()).message).toContain(only?.id);
  });
});
