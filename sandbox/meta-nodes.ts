// Graph API nodes and edges: /me, /me/accounts (Page tokens), /me/permissions, Pages (with
// instagram_business_account), Instagram users, and the content in meta-content.ts.
import type { MetaPage } from './identities.js';
import {
  authenticate,
  findInstagram,
  findPage,
  graphError,
  selectFields,
  unsupportedGet,
  type Caller,
  type GraphContext,
} from './meta-common.js';
import {
  findFacebookPost,
  findMedia,
  igMedia,
  igMediaNode,
  mediaInsights,
  pagedList,
  pagePost,
  pagePosts,
  postInsights,
} from './meta-content.js';
import { containerNode, metaPublish, publishingLimit } from './meta-publish.js';
import { issueToken, revokeGrant, type SandboxState, type TokenRecord } from './store.js';

/**
 * The Page token for (user token, Page), made once and handed out again. From a long-lived user token
 * it never expires while the grant holds; from a short-lived one it lives as long as that token.
 */
function pageToken(state: SandboxState, caller: Caller, page: MetaPage): TokenRecord {
  const key = `${caller.token.value}|${page.id}`;
  const existing = state.tokens.get(state.pageTokens.get(key) ?? '');
  if (existing) return existing;
  const source = caller.token;
  const longLived = source.meta?.longLived === true;
  const seconds = longLived || source.expiresAt === null ? null : Math.max(0, Math.floor((source.expiresAt - state.now()) / 1000));
  const token = issueToken(state, {
    platform: 'meta',
    kind: 'access',
    grantId: source.grantId,
    identityId: source.identityId,
    scopes: source.scopes,
    seconds,
    meta: { type: 'PAGE', longLived, pageId: page.id },
  });
  state.pageTokens.set(key, token.value);
  return token;
}

function pageFields(ctx: GraphContext, caller: Caller, page: MetaPage, defaults: string[]) {
  return selectFields(
    ctx,
    'Page',
    {
      id: () => page.id,
      name: () => page.name,
      category: () => page.category,
      category_list: () => [{ id: '2200', name: page.category }],
      tasks: () => page.tasks,
      access_token: () => (caller.page ? caller.token.value : pageToken(ctx.state, caller, page).value),
      instagram_business_account: () => (page.instagram ? { id: page.instagram.id } : undefined),
      fan_count: () => 1000 + Number(page.id.slice(-3)),
      followers_count: () => 1100 + Number(page.id.slice(-3)),
      link: () => `https://www.facebook.com/${page.id}`,
      picture: () => ({
        data: {
          height: 50,
          width: 50,
          is_silhouette: false,
          url: `${ctx.state.publicUrl}/avatars/meta/${page.id}.svg`,
        },
      }),
    },
    defaults,
  );
}

function accounts(ctx: GraphContext, caller: Caller) {
  if (caller.page)
    return graphError(ctx.res, {
      message: '(#100) Tried accessing nonexisting field (accounts) on node type (Page)',
      code: 100,
    });
  // Without pages_show_list the list is empty (the commonly reported behaviour), not an error.
  const pages = caller.token.scopes.includes('pages_show_list') ? caller.user.pages : [];
  pagedList(
    ctx,
    'me/accounts',
    `accounts:${caller.user.id}`,
    pages,
    (page) => pageFields(ctx, caller, page, ['access_token', 'category', 'category_list', 'name', 'id', 'tasks']),
    () => {},
  );
}

function me(ctx: GraphContext, caller: Caller) {
  if (caller.page) {
    const out = pageFields(ctx, caller, caller.page, ['name', 'id']);
    if (out) ctx.res.json(out);
    return;
  }
  const user = caller.user;
  const out = selectFields(
    ctx,
    'User',
    {
      id: () => user.id,
      name: () => user.name,
      email: () => (caller.token.scopes.includes('email') ? user.email : undefined),
      picture: () => ({
        data: {
          height: 50,
          width: 50,
          is_silhouette: false,
          url: `${ctx.state.publicUrl}/avatars/meta/${user.id}.svg`,
        },
      }),
    },
    ['name', 'id'],
  );
  if (out) ctx.res.json(out);
}

function permissions(ctx: GraphContext, caller: Caller) {
  if (ctx.req.method === 'DELETE') {
    // The user removes the app: the grant ends and every user and Page token of it fails with 190/458.
    revokeGrant(ctx.state, caller.grant, 'user_revoked');
    ctx.res.json({ success: true });
    return;
  }
  ctx.res.json({ data: caller.grant.scopes.map((permission) => ({ permission, status: 'granted' })) });
}

function unknownPath(ctx: GraphContext, rest: string[]) {
  graphError(ctx.res, { message: `Unknown path components: /${rest.join('/')}`, code: 2500 });
}

export function graphDispatch(ctx: GraphContext): void {
  const { state, req, path } = ctx;
  const [head, edge, ...rest] = path;
  if (!head) return unsupportedGet(ctx.res, '');
  const method = req.method;
  if (rest.length > 0) return unknownPath(ctx, rest);
  const caller = authenticate(ctx, head === 'me');
  if (!caller) return;

  const isMe = head === 'me' || (head === caller.user.id && !caller.page);
  if (isMe) {
    if (!edge && method === 'GET') return me(ctx, caller);
    if (edge === 'accounts' && method === 'GET') return accounts(ctx, caller);
    if (edge === 'permissions' && (method === 'GET' || method === 'DELETE') && !caller.page) return permissions(ctx, caller);
    return edge ? unknownPath(ctx, [edge]) : unsupportedGet(ctx.res, head, method);
  }
  if (method === 'POST' && metaPublish(ctx, caller, head, edge)) return;
  if (method !== 'GET') return unsupportedGet(ctx.res, head, method);

  const page = findPage(state, caller, head);
  if (page) {
    if (!edge) {
      const out = pageFields(ctx, caller, page, ['name', 'id']);
      return void (out && ctx.res.json(out));
    }
    if (edge === 'posts' || edge === 'feed' || edge === 'published_posts') return pagePosts(ctx, caller, page, edge);
    return unknownPath(ctx, [edge]);
  }

  const ig = findInstagram(state, caller, head);
  if (ig) {
    if (!edge) {
      const account = ig.account;
      const out = selectFields(
        ctx,
        'IGUser',
        {
          id: () => account.id,
          ig_id: () => Number(account.id.slice(-8)),
          name: () => account.name,
          username: () => account.username,
          profile_picture_url: () => `${state.publicUrl}/avatars/instagram/${account.id}.svg`,
          followers_count: () => account.followersCount,
          follows_count: () => 150,
          media_count: () => undefined,
          biography: () => `${account.name} on Instagram (sandbox).`,
        },
        ['id'],
      );
      return void (out && ctx.res.json(out));
    }
    if (edge === 'media') return igMedia(ctx, caller, ig.account);
    if (edge === 'content_publishing_limit') return publishingLimit(ctx, caller, ig.account);
    return unknownPath(ctx, [edge]);
  }

  const [pageId] = head.split('_');
  const postPage = head.includes('_') ? findPage(state, caller, pageId ?? '') : undefined;
  const post = postPage ? findFacebookPost(state, postPage, head) : undefined;
  if (postPage && post) {
    if (!edge) return pagePost(ctx, caller, postPage, post);
    if (edge === 'insights') return postInsights(ctx, caller, postPage, post);
    return unknownPath(ctx, [edge]);
  }

  const accountsOfCaller = (caller.page ? [caller.page] : caller.user.pages).flatMap((p) => (p.instagram ? [p.instagram] : []));
  const media = /^\d+$/.test(head) ? findMedia(state, accountsOfCaller, head) : undefined;
  if (media) {
    if (!edge) return igMediaNode(ctx, caller, media.account, media.post);
    if (edge === 'insights') return mediaInsights(ctx, caller, media.account, media.post);
    return unknownPath(ctx, [edge]);
  }

  if (!edge && containerNode(ctx, caller, head)) return;
  // Objects the caller may not see answer like ones that do not exist, as on Graph.
  unsupportedGet(ctx.res, head);
}
