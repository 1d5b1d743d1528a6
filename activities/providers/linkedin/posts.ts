// LinkedIn organization posts (GET /rest/posts?q=author, start/count paging) and their lifetime share
// statistics (organizationalEntityShareStatistics with shares=List(...) / ugcPosts=List(...)).
import { apiRequest, readJson } from '../http.js';
import { ProviderError, type PostPage, type SyncTarget } from '../types.js';
import type { LinkedinClient } from './client.js';

const PAGE_SIZE = 50;
const list = (urns: string[]) => `List(${urns.map(encodeURIComponent).join(',')})`;

export async function linkedinPostsPage(client: LinkedinClient, apiUrl: string, accessToken: string, target: SyncTarget, cursor: string | null): Promise<PostPage> {
  const organization = target.metadata.organizationUrn;
  if (!organization) throw new ProviderError('linkedin', 'rejected', 'The LinkedIn member administers no organization to sync.');
  const start = Number(cursor ?? 0);
  const postsUrl = `${apiUrl}/rest/posts?q=author&author=${encodeURIComponent(organization)}&start=${start}&count=${PAGE_SIZE}`;
  const postsResponse = await apiRequest('linkedin', postsUrl, { accessToken, headers: client.restHeaders });
  if (!postsResponse.ok) await client.fail(postsResponse);
  const { elements = [], paging = {} } = await readJson(postsResponse);

  const shares = elements.map((p: any) => String(p.id)).filter((id: string) => id.startsWith('urn:li:share:'));
  const ugcPosts = elements.map((p: any) => String(p.id)).filter((id: string) => id.startsWith('urn:li:ugcPost:'));
  const stats = new Map<string, Record<string, number>>();
  if (shares.length + ugcPosts.length > 0) {
    // Rest.li 2.0: the List() syntax stays literal, the URNs inside are percent-encoded.
    let statsUrl = `${apiUrl}/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${encodeURIComponent(organization)}`;
    if (shares.length) statsUrl += `&shares=${list(shares)}`;
    if (ugcPosts.length) statsUrl += `&ugcPosts=${list(ugcPosts)}`;
    const statsResponse = await apiRequest('linkedin', statsUrl, { accessToken, headers: client.restHeaders });
    if (!statsResponse.ok) await client.fail(statsResponse);
    for (const element of (await readJson(statsResponse)).elements ?? []) {
      stats.set(String(element.share ?? element.ugcPost), element.totalShareStatistics ?? {});
    }
  }

  const posts = elements.map((post: any) => {
    const s = stats.get(String(post.id)) ?? {};
    const likes = s.likeCount ?? 0;
    const comments = s.commentCount ?? 0;
    const sharesCount = s.shareCount ?? 0;
    const clicks = s.clickCount ?? 0;
    return {
      externalId: String(post.id),
      postedAt: post.publishedAt ? new Date(post.publishedAt) : post.createdAt ? new Date(post.createdAt) : null,
      text: post.commentary ?? null,
      impressions: s.impressionCount ?? 0,
      likes,
      comments,
      shares: sharesCount,
      clicks,
      engagements: likes + comments + sharesCount + clicks,
    };
  });
  const total = typeof paging.total === 'number' ? paging.total : null;
  const next = start + elements.length;
  const more = elements.length > 0 && (total === null ? elements.length === PAGE_SIZE : next < total);
  return { posts, nextCursor: more ? String(next) : null, total };
}
