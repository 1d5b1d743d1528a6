// X user timeline with public metrics: GET /2/users/:id/tweets, 100 a page, `pagination_token` paging
// (no next_token on the last page). Partial failures come as 200 with errors[] and no data.
import { z } from 'zod';
import { ProviderError, type PostPage, type Provider } from '../contract.js';

const count = z.number().int().nonnegative().optional();

export const tweetsPageAnswer = z.object({
  data: z
    .array(
      z.object({
        id: z.string().min(1),
        text: z.string().optional(),
        created_at: z.string().optional(),
        public_metrics: z
          .object({
            retweet_count: count,
            reply_count: count,
            like_count: count,
            quote_count: count,
            bookmark_count: count,
            impression_count: count,
          })
          .optional(),
      }),
    )
    .optional(),
  meta: z.object({ next_token: z.string().optional() }).optional(),
  errors: z.array(z.object({ title: z.string().optional(), detail: z.string().optional() })).optional(),
});

export function tweetsPage(provider: Pick<Provider, 'platform'>, body: z.output<typeof tweetsPageAnswer>): PostPage {
  if (!body.data && body.errors?.length) {
    throw new ProviderError(
      provider.platform,
      'rejected',
      `X API: ${body.errors[0]!.detail ?? body.errors[0]!.title ?? 'error without detail'}`,
    );
  }
  const posts = (body.data ?? []).map((tweet) => {
    const m = tweet.public_metrics ?? {};
    const likes = m.like_count ?? 0;
    const comments = m.reply_count ?? 0;
    const shares = (m.retweet_count ?? 0) + (m.quote_count ?? 0);
    return {
      externalId: tweet.id,
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
