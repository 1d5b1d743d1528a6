import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from './server.js';
import { connectLinkedIn, connectMeta, connectX, linkedinHeaders, silentSandbox } from './test-helpers.js';

let sbx: RunningSandbox;
beforeAll(async () => {
  sbx = await silentSandbox();
});
afterAll(() => sbx.close());

/** Adds `count` identities, 1,000 per admin call; returns the last one. */
async function mint(count: number, body: (n: number) => unknown) {
  let last: unknown;
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => body(start + i));
    const res = await fetch(`${sbx.url}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(201);
    const added = (await res.json()) as unknown[];
    expect(added).toHaveLength(batch.length);
    last = added[added.length - 1];
  }
  return last as { id: string; organizations?: { id: string }[]; pages?: { id: string; instagram?: { id: string } }[] };
}

describe('identities at scale', () => {
  it('mints 10,000 X identities with ids of at most 19 digits, and the last one syncs', async () => {
    const last = await mint(10_000, (n) => ({ platform: 'x', username: `user${n}`, name: `User ${n}` }));
    expect(last.id).toMatch(/^\d{19}$/);
    const identities = (await (await fetch(`${sbx.url}/admin/identities`)).json()) as { twitter: { id: string }[] };
    const ids = identities.twitter.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^\d{1,19}$/.test(id))).toBe(true);

    const token = await connectX(sbx.url, 'tweet.read users.read offline.access', last.id);
    const tweets = await fetch(`${sbx.url}/x/2/users/${last.id}/tweets?max_results=5`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(tweets.status).toBe(200);
    expect((await tweets.json()).data).toHaveLength(5);
  }, 120_000);

  it('mints LinkedIn members with organizations and Meta users with Pages and Instagram accounts', async () => {
    const member = await mint(300, (n) => ({
      platform: 'linkedin',
      givenName: 'Member',
      familyName: String(n),
      organizations: [{ name: `Org ${n}` }],
    }));
    const orgId = member.organizations?.[0]?.id as string;
    expect(orgId).toMatch(/^\d{9}$/);
    const li = await connectLinkedIn(sbx.url, 'openid profile r_organization_social', member.id);
    const posts = await fetch(
      `${sbx.url}/linkedin/rest/posts?q=author&author=${encodeURIComponent(`urn:li:organization:${orgId}`)}&count=5`,
      { headers: { authorization: `Bearer ${li.access_token}`, ...linkedinHeaders() } },
    );
    expect(posts.status).toBe(200);

    const user = await mint(300, (n) => ({
      platform: 'meta',
      name: `Meta ${n}`,
      pages: [{ name: `Page ${n}`, instagram: { username: `ig_${n}` } }],
    }));
    const page = user.pages?.[0];
    expect(user.id).toMatch(/^\d{17}$/);
    expect(page?.id).toMatch(/^\d{17}$/);
    expect(page?.instagram?.id).toMatch(/^17841\d{12}$/);
    const meta = await connectMeta(sbx.url, undefined, user.id);
    const media = await fetch(`${sbx.url}/meta/graph/v21.0/${page?.instagram?.id}/media?limit=5&access_token=${meta.userToken}`);
    expect(media.status).toBe(200);
    expect(Object.keys(meta.pageTokens)).toEqual([page?.id]);
  }, 120_000);
});
