// Facebook Page posts (GET /{page-id}/posts, cursor paging) with post insights expanded in the listing
// (`insights.metric(...)`), under their current names (post_media_view replaced post_impressions).
import { z } from 'zod';
import type { PostPage, SyncedPost } from '../contract.js';
import { cutAtSince } from '../since.js';
import { insightsAnswer, insightValues, nextCursor, num, paging } from './insights.js';

const POST_METRICS = 'post_media_view,post_reactions_by_type_total,post_clicks';

export const pagePostsAnswer = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      message: z.string().optional(),
      created_time: z.string().optional(),
      shares: z.object({ count: z.number().optional() }).optional(),
      /** Expanded in the listing's fields; Graph leaves an empty edge out. */
      insights: insightsAnswer.optional(),
    }),
  ),
  paging,
});

export type GraphGet = <S extends z.ZodType>(
  what: string,
  path: string,
  accessToken: string,
  schema: S,
  params?: Record<string, string>,
) => Promise<z.output<S>>;

/** A Graph POST with form parameters (the publishing edges), its answer checked against `schema`. */
type GraphPost = <S extends z.ZodType>(
  what: string,
  path: string,
  accessToken: string,
  schema: S,
  params: Record<string, string>,
) => Promise<z.output<S>>;

export interface Graph {
  get: GraphGet;
  post: GraphPost;
}

export async function pagePostsPage(
  get: GraphGet,
  accessToken: string,
  pageId: string,
  cursor: string | null,
  since?: Date | null,
): Promise<PostPage> {
  const page = await get('a Page posts page', `${pageId}/posts`, accessToken, pagePostsAnswer, {
    // The insights edge expanded in place (field expansion): one call a page, not one more per post.
    fields: `id,message,created_time,shares,insights.metric(${POST_METRICS})`,
    limit: '100',
    // Graph's time-based paging on a Page's feed: Unix seconds, inclusive.
    ...(since ? { since: String(Math.floor(since.getTime() / 1000)) } : {}),
    ...(cursor ? { after: cursor } : {}),
  });
  const cut = cutAtSince(page.data, (post) => (post.created_time ? new Date(post.created_time) : null), since);
  const posts = cut.posts.map((post) => pagePost(post, post.insights ?? { data: [] }));
  return { posts, nextCursor: cut.passed ? null : nextCursor(page.paging), total: null };
}

export function pagePost(post: z.output<typeof pagePostsAnswer>['data'][number], insights: z.output<typeof insightsAnswer>): SyncedPost {
  const values = insightValues(insights);
  const byType = values.post_reactions_by_type_total;
  const reactions = byType && typeof byType === 'object' ? Object.values(byType).reduce<number>((a, b) => a + num(b), 0) : 0;
  const shares = num(post.shares?.count);
  const clicks = num(values.post_clicks);
  return {
    externalId: post.id,
    postedAt: post.created_time ? new Date(post.created_time) : null,
    text: post.message ?? null,
    impressions: num(values.post_media_view),
    likes: reactions,
    comments: 0, // needs the comments edge; reactions, shares and clicks make the engagement here
    shares,
    clicks,
    engagements: reactions + shares + clicks,
  };
}
