// LinkedIn organization posts (GET /rest/posts?q=author, start/count paging, newest created first) and their lifetime share
// statistics (organizationalEntityShareStatistics with shares=List(...) / ugcPosts=List(...)).
import { z } from 'zod';
import { ProviderError, type PostPage, type Provider, type SyncTarget } from '../contract.js';
import { apiCall } from '../http.js';
import { cutAtSince } from '../since.js';

export const PAGE_SIZE = 50;
const list = (urns: string[]) => `List(${urns.map(encodeURIComponent).join(',')})`;

export const postsAnswer = z.object({
  elements: z.array(
    z.object({
      id: z.string().min(1),
      commentary: z.string().optional(),
      publishedAt: z.number().optional(),
      createdAt: z.number().optional(),
    }),
  ),
  paging: z.object({ total: z.number().optional() }).optional(),
});
const stat = z.number().nonnegative().optional();
export const statisticsAnswer = z.object({
  elements: z.array(
    z.object({
      share: z.string().optional(),
      ugcPost: z.string().optional(),
      totalShareStatistics: z
        .object({ impressionCount: stat, likeCount: stat, commentCount: stat, shareCount: stat, clickCount: stat })
        .optional(),
    }),
  ),
});

export async function organizationPostsPage(
  provider: Provider,
  rest: { apiUrl: string; headers: Record<string, string> },
  accessToken: string,
  target: SyncTarget,
  cursor: string | null,
  since?: Date | null,
): Promise<PostPage> {
  const organization = target.metadata.organizationUrn;
  if (!organization) throw new ProviderError('linkedin', 'rejected', 'The LinkedIn member administers no organization to sync.');
  const start = Number(cursor ?? 0);
  const postsUrl = `${rest.apiUrl}/rest/posts?q=author&author=${encodeURIComponent(organization)}&start=${start}&count=${PAGE_SIZE}&sortBy=CREATED`;
  const listed = await apiCall(provider, 'a posts page', postsUrl, postsAnswer, { accessToken, headers: rest.headers });
  // No time filter on this finder: posts older than `since` are dropped before their statistics are read.
  const cut = cutAtSince(listed.elements, postedAt, since);
  const page = { ...listed, elements: cut.posts };
  const ids = page.elements.map((p) => p.id);
  const shares = ids.filter((id) => id.startsWith('urn:li:share:'));
  const ugcPosts = ids.filter((id) => id.startsWith('urn:li:ugcPost:'));
  let statistics: z.output<typeof statisticsAnswer> = { elements: [] };
  if (shares.length + ugcPosts.length > 0) {
    // Rest.li 2.0: the List() syntax stays literal, the URNs inside are percent-encoded.
    let statsUrl = `${rest.apiUrl}/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${encodeURIComponent(organization)}`;
    if (shares.length) statsUrl += `&shares=${list(shares)}`;
    if (ugcPosts.length) statsUrl += `&ugcPosts=${list(ugcPosts)}`;
    statistics = await apiCall(provider, 'share statistics', statsUrl, statisticsAnswer, { accessToken, headers: rest.headers });
  }
  const result = postsPageFrom(page, statistics, start);
  return cut.passed ? { ...result, nextCursor: null } : result;
}

function postedAt(post: z.output<typeof postsAnswer>['elements'][number]): Date | null {
  const at = post.publishedAt ?? post.createdAt;
  return at ? new Date(at) : null;
}

/** Posts with their statistics; more pages while the total (or, without one, a full page) says so. */
export function postsPageFrom(page: z.output<typeof postsAnswer>, statistics: z.output<typeof statisticsAnswer>, start: number): PostPage {
  const stats = new Map(statistics.elements.map((e) => [e.share ?? e.ugcPost ?? '', e.totalShareStatistics ?? {}]));
  const posts = page.elements.map((post) => {
    const s = stats.get(post.id) ?? {};
    const likes = s.likeCount ?? 0;
    const comments = s.commentCount ?? 0;
    const shares = s.shareCount ?? 0;
    const clicks = s.clickCount ?? 0;
    return {
      externalId: post.id,
      postedAt: postedAt(post),
      text: post.commentary ?? null,
      impressions: s.impressionCount ?? 0,
      likes,
      comments,
      shares,
      clicks,
      engagements: likes + comments + shares + clicks,
    };
  });
  const total = page.paging?.total ?? null;
  const next = start + page.elements.length;
  const more = page.elements.length > 0 && (total === null ? page.elements.length === PAGE_SIZE : next < total);
  return { posts, nextCursor: more ? String(next) : null, total };
}
