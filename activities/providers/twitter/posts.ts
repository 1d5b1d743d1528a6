// X user timeline with public metrics: GET /2/users/:id/tweets, 100 a page, `pagination_token` paging.
import { apiRequest, readJson } from '../http.js';
import { ProviderError, type PostPage, type SyncTarget } from '../types.js';
import type { TwitterClient } from './client.js';

export async function twitterPostsPage(client: TwitterClient, apiUrl: string, accessToken: string, target: SyncTarget, cursor: string | null): Promise<PostPage> {
  const url = new URL(`${apiUrl}/2/users/${encodeURIComponent(target.externalId)}/tweets`);
  url.searchParams.set('max_results', '100');
  url.searchParams.set('tweet.fields', 'public_metrics,created_at');
  if (cursor) url.searchParams.set('pagination_token', cursor);
  const response = await apiRequest('twitter', url, { accessToken });
  if (!response.ok) await client.fail(response);
  const body = await readJson(response);
  // X reports some failures as 200 with errors[] and no data.
  if (!body.data && Array.isArray(body.errors) && body.errors.length > 0) {
    throw new ProviderError('twitter', 'rejected', `X API: ${body.errors[0].detail ?? body.errors[0].title}`);
  }
  const posts = (body.data ?? []).map((tweet: any) => {
    const m = tweet.public_metrics ?? {};
    const likes = m.like_count ?? 0;
    const comments = m.reply_count ?? 0;
    const shares = (m.retweet_count ?? 0) + (m.quote_count ?? 0);
    return {
      externalId: String(tweet.id),
      postedAt: tweet.created_at ? new Date(tweet.created_at) : null,
      text: tweet.text ?? null,
      impressions: m.impression_count ?? 0,
      likes,
      comments,
      shares,
      clicks: 0, // not in public metrics
      engagements: likes + comments + shares + (m.bookmark_count ?? 0),
    };
  });
  return { posts, nextCursor: body.meta?.next_token ?? null, total: null };
}
