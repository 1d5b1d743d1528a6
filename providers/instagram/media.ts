// Instagram media (GET /{ig-user-id}/media, cursor paging) with media insights expanded in the listing
// (`views` replaced impressions and plays in April 2025). Acts with the Page token.
import { z } from 'zod';
import type { PostPage, SyncedPost } from '../contract.js';
import { cutAtSince } from '../since.js';
import { insightsAnswer, insightValues, nextCursor, num, paging } from '../meta/insights.js';
import type { GraphGet } from '../meta/posts.js';

const MEDIA_METRICS = 'views,likes,comments,shares,saved,total_interactions';

export const mediaAnswer = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      caption: z.string().optional(),
      timestamp: z.string().optional(),
      like_count: z.number().optional(),
      comments_count: z.number().optional(),
      /** Expanded in the listing's fields; Graph leaves an empty edge (media too young for data) out. */
      insights: insightsAnswer.optional(),
    }),
  ),
  paging,
});

export async function mediaPage(
  get: GraphGet,
  accessToken: string,
  igUserId: string,
  cursor: string | null,
  since?: Date | null,
): Promise<PostPage> {
  const page = await get('a media page', `${igUserId}/media`, accessToken, mediaAnswer, {
    // The insights edge expanded in place (field expansion): one call a page, not one more per media.
    fields: `id,caption,timestamp,like_count,comments_count,insights.metric(${MEDIA_METRICS})`,
    limit: '100',
    ...(cursor ? { after: cursor } : {}),
  });
  // Newest first, cursor paging only: the media older than `since` are dropped here.
  const cut = cutAtSince(page.data, (media) => (media.timestamp ? new Date(media.timestamp) : null), since);
  const posts = cut.posts.map((media) => mediaPost(media, media.insights ?? { data: [] }));
  return { posts, nextCursor: cut.passed ? null : nextCursor(page.paging), total: null };
}

export function mediaPost(media: z.output<typeof mediaAnswer>['data'][number], insights: z.output<typeof insightsAnswer>): SyncedPost {
  const values = insightValues(insights);
  const likes = num(values.likes ?? media.like_count);
  const comments = num(values.comments ?? media.comments_count);
  const shares = num(values.shares);
  return {
    externalId: media.id,
    postedAt: media.timestamp ? new Date(media.timestamp) : null,
    text: media.caption ?? null,
    impressions: num(values.views),
    likes,
    comments,
    shares,
    clicks: 0,
    engagements: num(values.total_interactions) || likes + comments + shares + num(values.saved),
  };
}
