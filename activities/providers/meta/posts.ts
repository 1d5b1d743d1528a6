// Facebook Page posts (GET /{page-id}/posts, cursor paging) with post insights under their current
// names (post_media_view replaced post_impressions), and Instagram media (GET /{ig-user-id}/media) with
// media insights (`views` replaced impressions/plays). Both act with the Page token.
import type { PostPage, SyncTarget } from '../types.js';
import type { MetaClient } from './client.js';

const POST_METRICS = 'post_media_view,post_reactions_by_type_total,post_clicks';
const MEDIA_METRICS = 'views,likes,comments,shares,saved,total_interactions';

/** Graph insights answer `{data:[{name, values:[{value}]}]}`; missing data is an empty set, not 0. */
function insightValues(body: Record<string, any>): Record<string, unknown> {
  return Object.fromEntries((body.data ?? []).map((m: any) => [m.name, m.values?.[0]?.value]));
}
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export async function facebookPostsPage(client: MetaClient, accessToken: string, target: SyncTarget, cursor: string | null): Promise<PostPage> {
  const page = await client.get(`${target.externalId}/posts`, accessToken, { fields: 'id,message,created_time,shares', limit: '100', ...(cursor ? { after: cursor } : {}) });
  const posts = [];
  for (const post of page.data ?? []) {
    const values = insightValues(await client.get(`${post.id}/insights`, accessToken, { metric: POST_METRICS }));
    const reactions = Object.values((values.post_reactions_by_type_total ?? {}) as Record<string, number>).reduce((a, b) => a + num(b), 0);
    const shares = num(post.shares?.count);
    const clicks = num(values.post_clicks);
    posts.push({
      externalId: String(post.id),
      postedAt: post.created_time ? new Date(post.created_time) : null,
      text: post.message ?? null,
      impressions: num(values.post_media_view),
      likes: reactions,
      comments: 0, // needs the comments edge; reactions, shares and clicks make the engagement here
      shares,
      clicks,
      engagements: reactions + shares + clicks,
    });
  }
  return { posts, nextCursor: page.paging?.next ? (page.paging?.cursors?.after ?? null) : null, total: null };
}

export async function instagramPostsPage(client: MetaClient, accessToken: string, target: SyncTarget, cursor: string | null): Promise<PostPage> {
  const page = await client.get(`${target.externalId}/media`, accessToken, {
    fields: 'id,caption,timestamp,like_count,comments_count',
    limit: '100',
    ...(cursor ? { after: cursor } : {}),
  });
  const posts = [];
  for (const media of page.data ?? []) {
    const values = insightValues(await client.get(`${media.id}/insights`, accessToken, { metric: MEDIA_METRICS }));
    const likes = num(values.likes ?? media.like_count);
    const comments = num(values.comments ?? media.comments_count);
    const shares = num(values.shares);
    posts.push({
      externalId: String(media.id),
      postedAt: media.timestamp ? new Date(media.timestamp) : null,
      text: media.caption ?? null,
      impressions: num(values.views),
      likes,
      comments,
      shares,
      clicks: 0,
      engagements: num(values.total_interactions) || likes + comments + shares + num(values.saved),
    });
  }
  return { posts, nextCursor: page.paging?.next ? (page.paging?.cursors?.after ?? null) : null, total: null };
}
