// Facebook Page posts and their insights, Instagram media and their insights, with Graph's cursor
// paging. Metric names are the current ones; retired names fail the whole call with code 100, as the
// real API does (post_impressions -> post_media_view, Nov 2025; IG impressions/plays -> views, Apr 2025).
import { bumpEpoch, decodeCursor, encodeCursor, engagement, listPosts, type Post } from './content.js';
import type { ContentKind } from './published.js';
import type { InstagramAccount, MetaPage } from './identities.js';
import { GraphFieldError, graphError, graphTime, missingPermission, selectFields, type Caller, type GraphContext } from './meta-common.js';
import type { SandboxState } from './store.js';

export const fbPostId = (page: MetaPage, post: Post) => `${page.id}_1220${String(post.serial).padStart(12, '0')}`;
/** 17 digits like Instagram's: 17, publish second, account shard, sequence. */
export const igMediaId = (post: Post) =>
  `17${String(Math.floor(post.publishedAt / 1000) % 1e10).padStart(10, '0')}${String(post.shard % 100).padStart(
    2,
    '0',
  )}${String(post.serial % 1000).padStart(3, '0')}`;

const has = (caller: Caller, scopes: string[]) => scopes.some((s) => caller.token.scopes.includes(s));

/** Cursor-paged list of `items` (Graph's `data` + `paging{cursors,next,previous}`). */
export function pagedList<T>(
  ctx: GraphContext,
  edgePath: string,
  account: string,
  items: T[],
  render: (item: T) => Record<string, unknown> | undefined,
  onFirstPage: () => void,
) {
  const { params, res, state } = ctx;
  const limit = params.limit === undefined ? 25 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1)
    return graphError(res, { message: '(#100) The parameter limit must be a positive integer', code: 100 });
  const size = Math.min(limit, 100);
  let offset = 0;
  if (params.after !== undefined) {
    const decoded = decodeCursor(account, params.after);
    if (decoded === undefined) return graphError(res, { message: '(#100) The after cursor is not valid', code: 100 });
    offset = decoded;
  } else if (params.before !== undefined) {
    const decoded = decodeCursor(account, params.before);
    if (decoded === undefined) return graphError(res, { message: '(#100) The before cursor is not valid', code: 100 });
    offset = Math.max(0, decoded - size);
  } else {
    onFirstPage();
  }
  const data: Record<string, unknown>[] = [];
  for (const item of items.slice(offset, offset + size)) {
    const rendered = render(item);
    if (!rendered) return; // render already answered with an error
    data.push(rendered);
  }
  const link = (cursor: Record<string, string>) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && k !== 'after' && k !== 'before') query.set(k, v);
    query.set('limit', String(size));
    for (const [k, v] of Object.entries(cursor)) query.set(k, v);
    // Graph's paging links carry the access_token of the request, like the real ones do.
    return `${state.publicUrl}/meta/graph${ctx.version ? `/${ctx.version}` : ''}/${edgePath}?${query.toString()}`;
  };
  const paging: Record<string, unknown> = {};
  if (data.length > 0) {
    const before = encodeCursor(account, offset);
    const after = encodeCursor(account, offset + data.length);
    paging.cursors = { before, after };
    if (offset > 0) paging.previous = link({ before });
    if (offset + data.length < items.length) paging.next = link({ after });
  }
  res.json({ data, paging });
}

function postFields(ctx: GraphContext, caller: Caller, page: MetaPage, post: Post) {
  const e = () => engagement(ctx.state, 'facebook', page.id, post);
  const summary = (n: number) => ({ data: [], summary: { total_count: n, can_comment: true } });
  return selectFields(
    ctx,
    'PagePost',
    {
      id: () => fbPostId(page, post),
      message: () => post.text,
      created_time: () => graphTime(post.publishedAt),
      updated_time: () => graphTime(post.publishedAt),
      permalink_url: () => `https://www.facebook.com/${fbPostId(page, post).replace('_', '/posts/')}`,
      status_type: () => 'mobile_status_update',
      is_published: () => true,
      full_picture: () => undefined,
      shares: () => ({ count: e().shares }),
      reactions: () => summary(Object.values(e().reactions).reduce((a, b) => a + b, 0)),
      likes: () => summary(e().reactions.like),
      comments: () => summary(e().comments),
      insights: (spec) =>
        expandedInsights(
          spec,
          has(caller, ['read_insights', 'pages_read_engagement']),
          'read_insights',
          postInsightsAnswer(ctx, page, post),
        ),
    },
    ['created_time', 'message', 'id'],
  );
}

export function pagePosts(ctx: GraphContext, caller: Caller, page: MetaPage, edge: string) {
  if (!has(caller, ['pages_read_engagement', 'pages_read_user_content'])) return missingPermission(ctx.res, 'pages_read_engagement');
  // Time-based paging (`since`/`until`: Unix seconds or a strtotime date), as Graph's feed edges take it.
  const bounds: Record<'since' | 'until', number | undefined> = { since: undefined, until: undefined };
  for (const name of ['since', 'until'] as const) {
    const value = ctx.params[name];
    if (value === undefined) continue;
    const at = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    if (Number.isNaN(at)) return graphError(ctx.res, { message: `(#100) The parameter ${name} must be a valid time`, code: 100 });
    bounds[name] = at;
  }
  const posts = listPosts(ctx.state, 'facebook', page.id).filter(
    (p) => (bounds.since === undefined || p.publishedAt >= bounds.since) && (bounds.until === undefined || p.publishedAt <= bounds.until),
  );
  pagedList(
    ctx,
    `${page.id}/${edge}`,
    `facebook:${page.id}`,
    posts,
    (post) => postFields(ctx, caller, page, post),
    () => bumpEpoch(ctx.state, 'facebook', page.id),
  );
}

export function pagePost(ctx: GraphContext, caller: Caller, page: MetaPage, post: Post) {
  if (!has(caller, ['pages_read_engagement', 'pages_read_user_content'])) return missingPermission(ctx.res, 'pages_read_engagement');
  const out = postFields(ctx, caller, page, post);
  if (out) ctx.res.json(out);
}

export function findFacebookPost(state: SandboxState, page: MetaPage, id: string): Post | undefined {
  return listPosts(state, 'facebook', page.id).find((p) => fbPostId(page, p) === id);
}

type Metric = { title: string; description: string; value: (e: ReturnType<typeof engagement>) => unknown };

const REACTIONS = ['like', 'love', 'wow', 'haha', 'sorry', 'anger'] as const;

/** post_reactions_<type>_total for each reaction type Graph counts. */
function reactionMetrics(): Record<string, Metric> {
  return Object.fromEntries(
    REACTIONS.map((type) => {
      const name = type[0]!.toUpperCase() + type.slice(1);
      return [
        `post_reactions_${type}_total`,
        {
          title: `Lifetime Total ${name} Reactions of a post.`,
          description: `Lifetime: Total ${type} reactions of a post.`,
          value: (e) => e.reactions[type],
        },
      ];
    }),
  );
}

const postMetrics: Record<string, Metric> = {
  post_media_view: {
    title: 'Views',
    description: 'Lifetime: The number of times your post was on screen.',
    value: (e) => e.impressions,
  },
  post_total_media_view_unique: {
    title: 'Viewers',
    description: 'Lifetime: The number of people who saw your post.',
    value: (e) => e.uniqueImpressions,
  },
  post_reactions_by_type_total: {
    title: 'Lifetime Total post Reactions by Type.',
    description: 'Lifetime: Total post reactions by type.',
    value: (e) => e.reactions,
  },
  ...reactionMetrics(),
  post_clicks: {
    title: 'Lifetime Matched Audience Targeting Consumptions on Post',
    description: 'Lifetime: The number of clicks anywhere in your post.',
    value: (e) => e.clicks,
  },
  post_clicks_by_type: {
    title: 'Lifetime Matched Audience Targeting Consumptions by Type',
    description: 'Lifetime: The number of clicks anywhere in the post, by type.',
    value: (e) => ({
      'other clicks': Math.floor(e.clicks / 2),
      'link clicks': Math.floor(e.clicks / 3),
      'photo view': e.clicks - Math.floor(e.clicks / 2) - Math.floor(e.clicks / 3),
    }),
  },
};

const mediaMetrics: Record<string, Metric> = {
  views: {
    title: 'Views',
    description: 'The number of times your content was played or displayed.',
    value: (e) => e.impressions,
  },
  reach: {
    title: 'Accounts reached',
    description: 'The number of unique accounts that have seen your content, at least once.',
    value: (e) => e.uniqueImpressions,
  },
  likes: { title: 'Likes', description: 'The number of likes on your post.', value: (e) => e.likes },
  comments: { title: 'Comments', description: 'The number of comments on your post.', value: (e) => e.comments },
  shares: { title: 'Shares', description: 'The number of shares of your post.', value: (e) => e.shares },
  saved: { title: 'Saved', description: 'The number of saves of your post.', value: (e) => e.saves },
  total_interactions: {
    title: 'Interactions',
    description: 'Likes, saves, comments and shares on the post.',
    value: (e) => e.likes + e.comments + e.shares + e.saves,
  },
  follows: {
    title: 'Follows',
    description: 'The number of accounts that started following you.',
    value: (e) => e.follows,
  },
  profile_visits: {
    title: 'Profile visits',
    description: 'The number of times your profile was visited.',
    value: (e) => e.profileVisits,
  },
  profile_activity: {
    title: 'Profile activity',
    description: 'Actions taken on your profile after engaging with this post.',
    value: (e) => e.profileVisits + e.follows,
  },
};

/** Retired Instagram media metrics with the dedicated message Graph gives them (observed for impressions). */
const retiredMedia = new Set(['impressions', 'plays', 'clips_replays_count', 'ig_reels_aggregated_all_plays_count', 'video_views']);

/** An insights answer (`{data:[...]}`) for `metric` (comma-separated), or the error Graph gives the call. */
function insightsOf(
  metric: string | undefined,
  objectId: string,
  metrics: Record<string, Metric>,
  values: ReturnType<typeof engagement> | undefined,
  invalid: (name: string, index: number) => string,
): { data: Record<string, unknown>[] } {
  if (!metric) {
    throw new GraphFieldError({
      message: 'No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.',
      code: 3001,
      error_subcode: 1504028,
      type: 'OAuthException',
    });
  }
  const names = metric
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const badIndex = names.findIndex((n) => !metrics[n]);
  if (badIndex >= 0) throw new GraphFieldError({ message: invalid(names[badIndex] as string, badIndex), code: 100 });
  // Missing data is an empty set, not zeros (documented for Instagram media).
  if (!values) return { data: [] };
  return {
    data: names.map((name) => {
      const m = metrics[name] as Metric;
      return {
        name,
        period: 'lifetime',
        values: [{ value: m.value(values) }],
        title: m.title,
        description: m.description,
        id: `${objectId}/insights/${name}/lifetime`,
      };
    }),
  };
}

type InsightsAnswer = (metric: string | undefined) => { data: unknown[] };

/** The `/{id}/insights` edge: its answer, or the error for the whole call. */
function insights(ctx: GraphContext, answer: InsightsAnswer) {
  try {
    ctx.res.json(answer(ctx.params.metric));
  } catch (error) {
    if (!(error instanceof GraphFieldError)) throw error;
    graphError(ctx.res, error.input);
  }
}

/**
 * The insights edge expanded in a listing's `fields` (`insights.metric(a,b)`, field expansion): the same
 * answer inside the node, one call for a whole page; an empty edge is left out, as Graph leaves it.
 */
function expandedInsights(spec: string, allowed: boolean, permission: string, answer: InsightsAnswer) {
  if (!allowed)
    throw new GraphFieldError({ message: `(#10) This endpoint requires the '${permission}' permission.`, code: 10, status: 403 });
  const body = answer(spec.match(/\.metric\(([^)]*)\)/)?.[1]);
  return body.data.length > 0 ? body : undefined;
}

export function postInsights(ctx: GraphContext, caller: Caller, page: MetaPage, post: Post) {
  if (!has(caller, ['read_insights', 'pages_read_engagement'])) return missingPermission(ctx.res, 'read_insights');
  insights(ctx, postInsightsAnswer(ctx, page, post));
}

const postInsightsAnswer =
  (ctx: GraphContext, page: MetaPage, post: Post): InsightsAnswer =>
  (metric) =>
    insightsOf(
      metric,
      fbPostId(page, post),
      postMetrics,
      engagement(ctx.state, 'facebook', page.id, post),
      () => '(#100) The value must be a valid insights metric',
    );

function mediaFields(ctx: GraphContext, caller: Caller, account: InstagramAccount, post: Post) {
  const e = () => engagement(ctx.state, 'instagram', account.id, post);
  const id = igMediaId(post);
  return selectFields(
    ctx,
    'ShadowIGMedia',
    {
      id: () => id,
      caption: () => post.text,
      timestamp: () => graphTime(post.publishedAt),
      like_count: () => e().likes,
      comments_count: () => e().comments,
      media_type: () => (post.variant === 'ugcPost' ? 'VIDEO' : 'IMAGE'),
      media_product_type: () => (post.variant === 'ugcPost' ? 'REELS' : 'FEED'),
      permalink: () => `https://www.instagram.com/p/${Buffer.from(id).toString('base64url').slice(0, 11)}/`,
      media_url: () => `${ctx.state.publicUrl}/avatars/instagram/${id}.svg`,
      username: () => account.username,
      owner: () => ({ id: account.id }),
      insights: (spec) =>
        expandedInsights(
          spec,
          has(caller, ['instagram_manage_insights']),
          'instagram_manage_insights',
          mediaInsightsAnswer(ctx, account, post),
        ),
    },
    ['id'],
  );
}

export function igMedia(ctx: GraphContext, caller: Caller, account: InstagramAccount) {
  if (!has(caller, ['instagram_basic'])) return missingPermission(ctx.res, 'instagram_basic');
  const posts = listPosts(ctx.state, 'instagram', account.id);
  pagedList(
    ctx,
    `${account.id}/media`,
    `instagram:${account.id}`,
    posts,
    (post) => mediaFields(ctx, caller, account, post),
    () => bumpEpoch(ctx.state, 'instagram', account.id),
  );
}

export function igMediaNode(ctx: GraphContext, caller: Caller, account: InstagramAccount, post: Post) {
  if (!has(caller, ['instagram_basic'])) return missingPermission(ctx.res, 'instagram_basic');
  const out = mediaFields(ctx, caller, account, post);
  if (out) ctx.res.json(out);
}

export function findMedia(state: SandboxState, accounts: InstagramAccount[], id: string) {
  for (const account of accounts) {
    const post = listPosts(state, 'instagram', account.id).find((p) => igMediaId(p) === id);
    if (post) return { account, post };
  }
  return undefined;
}

export function mediaInsights(ctx: GraphContext, caller: Caller, account: InstagramAccount, post: Post) {
  if (!has(caller, ['instagram_manage_insights'])) return missingPermission(ctx.res, 'instagram_manage_insights');
  insights(ctx, mediaInsightsAnswer(ctx, account, post));
}

const mediaInsightsAnswer =
  (ctx: GraphContext, account: InstagramAccount, post: Post): InsightsAnswer =>
  (metric) => {
    // Only media published after the seed (admin API) can be young enough to have no data yet, so seeded
    // content answers the same whatever the time of day.
    const young = post.key.startsWith('e') && ctx.state.now() - post.publishedAt < ctx.state.config.meta.igInsightsDelayHours * 3_600_000;
    const kind: ContentKind = 'instagram';
    return insightsOf(
      metric,
      igMediaId(post),
      mediaMetrics,
      young ? undefined : engagement(ctx.state, kind, account.id, post),
      (name, index) =>
        retiredMedia.has(name)
          ? `(#100) Starting from version v22.0 and above, the ${name} metric is no longer supported. Please refer to the documentation at https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights for a list of supported metrics.`
          : `(#100) metric[${index}] must be one of the following values: ${Object.keys(mediaMetrics).join(', ')}`,
    );
  };
