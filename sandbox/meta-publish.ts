// Meta publishing. Facebook Pages: POST /{page-id}/feed (message, link, attached_media) and
// POST /{page-id}/photos (url, published) with a Page token. Instagram: POST /{ig-user-id}/media
// (image_url fetched from the URL as Meta's cURL does; carousel items and CAROUSEL containers),
// GET /{container-id}?fields=status_code,status, POST /{ig-user-id}/media_publish?creation_id=, and
// GET /{ig-user-id}/content_publishing_limit. Documented contract: developers.facebook.com pages-api/posts,
// instagram-platform content-publishing, ig-user/media, media_publish, content_publishing_limit,
// ig-container. Error codes marked "unconfirmed" below are the most plausible found (PUBLISHING.md).
import { currentEpoch, publishedAsPost } from './content.js';
import type { InstagramAccount, MetaPage } from './identities.js';
import {
  findInstagram,
  findPage,
  graphError,
  missingPermission,
  selectFields,
  unsupportedGet,
  type Caller,
  type GraphContext,
} from './meta-common.js';
import { fbPostId, igMediaId } from './meta-content.js';
import { nextSerial, postsOf, type IgContainer, type UploadedMedia } from './published.js';

const has = (caller: Caller, scopes: string[]) => scopes.every((s) => caller.token.scopes.includes(s));
const DAY_MS = 86_400_000;

/** Handles a publishing POST; false when the path is no publishing endpoint. */
export function metaPublish(ctx: GraphContext, caller: Caller, head: string, edge: string | undefined): boolean {
  const fail = (error: unknown) => {
    if (!ctx.res.headersSent) graphError(ctx.res, { message: `An unexpected error has occurred: ${String(error)}`, code: 2, status: 500 });
  };
  const page = findPage(ctx.state, caller, head);
  if (page && edge === 'feed') return (void pageFeed(ctx, caller, page), true);
  if (page && edge === 'photos') return (void pagePhoto(ctx, caller, page).catch(fail), true);
  const ig = findInstagram(ctx.state, caller, head);
  if (ig && edge === 'media') return (void createContainer(ctx, caller, ig.account).catch(fail), true);
  if (ig && edge === 'media_publish') return (void publishContainer(ctx, caller, ig.account), true);
  return false;
}

// ---- Facebook Pages -------------------------------------------------------------------------------

/** Posting to a Page needs its Page token and pages_manage_posts + pages_read_engagement (observed message). */
function pageAllowed(ctx: GraphContext, caller: Caller, page: MetaPage): boolean {
  if (caller.page?.id === page.id && has(caller, ['pages_manage_posts', 'pages_read_engagement'])) return true;
  graphError(ctx.res, {
    message:
      '(#200) If posting to a group, requires app being installed in the group, and either publish_to_groups permission with user token, or both pages_read_engagement and pages_manage_posts permission with page token; If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
    code: 200,
    status: 403,
  });
  return false;
}

/** `attached_media` as a JSON array (JSON body or one form field) or as attached_media[N] form fields. */
function attachedMedia(ctx: GraphContext): unknown[] {
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const parse = (v: unknown) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  };
  const whole = parse(body.attached_media ?? ctx.params.attached_media);
  if (Array.isArray(whole)) return whole;
  return Object.keys({ ...body, ...ctx.params })
    .filter((k) => /^attached_media\[\d+\]$/.test(k))
    .sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]))
    .map((k) => parse(body[k] ?? ctx.params[k]));
}

function pageFeed(ctx: GraphContext, caller: Caller, page: MetaPage): void {
  const { state, params: p, res } = ctx;
  if (!pageAllowed(ctx, caller, page)) return;
  if (p.published === 'false' || p.scheduled_publish_time !== undefined) {
    // Not emulated: the product schedules in Temporal and publishes when due (PUBLISHING.md 1.3).
    return graphError(res, { message: '(#100) Unpublished and scheduled posts are not emulated by the sandbox', code: 100 });
  }
  const attached = attachedMedia(ctx);
  const mediaIds: string[] = [];
  for (const [i, item] of attached.entries()) {
    const id = (item as { media_fbid?: unknown })?.media_fbid;
    const photo = typeof id === 'string' ? state.publishing.media[id] : undefined;
    if (!photo || photo.platform !== 'facebook' || photo.owner !== page.id || photo.published)
      return graphError(res, { message: `(#100) param attached_media[${i}] must be an unpublished photo of this Page`, code: 100 });
    mediaIds.push(photo.id);
  }
  const message = p.message ?? '';
  if (!message && !p.link && mediaIds.length === 0) return graphError(res, { message: '(#100) Missing message or attachment', code: 100 });
  // Duplicates (observed codes; when each applies is unconfirmed): the same message as the Page's
  // latest post is #506; the same message and link as another post of the last 24 h is #368.
  const posts = postsOf(state.publishing, 'facebook', page.id);
  const latest = posts[posts.length - 1];
  if (message && latest && latest.text === message) return graphError(res, { message: '(#506) Duplicate status message', code: 506 });
  if (message && posts.some((x) => x.text === message && x.link === p.link && state.now() - x.createdAt < DAY_MS))
    return graphError(res, {
      message: '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
      code: 368,
      error_subcode: 1390008,
      error_user_title: "You've already posted this",
      error_user_msg: 'This status update is identical to one you posted recently. Try writing something different.',
    });
  const draft = {
    accountId: page.id,
    serial: nextSerial(state.publishing),
    createdAt: state.now(),
    text: message,
    epoch: currentEpoch(state, 'facebook', page.id),
  };
  const id = fbPostId(page, publishedAsPost(draft));
  state.publishing.posts.push({
    ...draft,
    platform: 'facebook',
    id,
    ...(p.link ? { link: p.link } : {}),
    ...(mediaIds.length ? { mediaIds } : {}),
  });
  for (const mediaId of mediaIds) (state.publishing.media[mediaId] as UploadedMedia).published = true;
  res.json({ id });
}

/** Fetches a media URL as Meta does: it must answer 2xx; returns its content type, or undefined. */
async function fetchMedia(url: string | undefined): Promise<string | undefined> {
  if (!url || !/^https?:\/\//.test(url)) return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
    const bytes = (await response.arrayBuffer()).byteLength;
    if (!response.ok || bytes === 0) return undefined;
    return (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  } catch {
    return undefined;
  }
}

async function pagePhoto(ctx: GraphContext, caller: Caller, page: MetaPage): Promise<void> {
  const { state, params: p, res } = ctx;
  if (!pageAllowed(ctx, caller, page)) return;
  if (!p.url) return graphError(res, { message: '(#324) Requires upload file', code: 324 });
  const type = await fetchMedia(p.url);
  // Unconfirmed: the error for a URL Facebook cannot fetch or that is no image.
  if (!type?.startsWith('image/')) return graphError(res, { message: '(#324) Missing or invalid image file', code: 324 });
  const published = p.published !== 'false';
  const photo: UploadedMedia = {
    id: String(5_000_000_000_000_000 + nextSerial(state.publishing)),
    platform: 'facebook',
    owner: page.id,
    mediaType: type,
    receivedBytes: 0,
    state: 'ready',
    createdAt: state.now(),
    url: p.url,
    published,
  };
  state.publishing.media[photo.id] = photo;
  if (!published) return void res.json({ id: photo.id });
  // A published photo is also a Page post (Graph answers both ids).
  const draft = {
    accountId: page.id,
    serial: nextSerial(state.publishing),
    createdAt: state.now(),
    text: p.caption ?? p.message ?? '',
    epoch: currentEpoch(state, 'facebook', page.id),
  };
  const postId = fbPostId(page, publishedAsPost(draft));
  state.publishing.posts.push({ ...draft, platform: 'facebook', id: postId, mediaIds: [photo.id] });
  res.json({ id: photo.id, post_id: postId });
}

// ---- Instagram ------------------------------------------------------------------------------------

function igAllowed(ctx: GraphContext, caller: Caller): boolean {
  if (has(caller, ['instagram_basic', 'instagram_content_publish'])) return true;
  missingPermission(ctx.res, 'instagram_content_publish');
  return false;
}

type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

function containerStatus(now: number, c: IgContainer): ContainerStatus {
  if (c.mediaId) return 'PUBLISHED';
  if (c.error) return 'ERROR';
  if (now - c.createdAt >= DAY_MS) return 'EXPIRED';
  return now < c.readyAt ? 'IN_PROGRESS' : 'FINISHED';
}

// The `status` texts are unconfirmed; `status_code` values are documented.
const statusText: Record<ContainerStatus, string> = {
  IN_PROGRESS: 'In Progress: Media is still being processed.',
  FINISHED: 'Finished: Media has been uploaded and it is ready to be published.',
  ERROR: 'Error: ',
  EXPIRED: 'Expired: The container was not published within 24 hours and has expired.',
  PUBLISHED: 'Published: Media has been successfully published.',
};

function childIds(ctx: GraphContext): string[] {
  const raw = (ctx.req.body as Record<string, unknown> | undefined)?.children ?? ctx.params.children;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // a comma-separated list, as documented
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

async function createContainer(ctx: GraphContext, caller: Caller, account: InstagramAccount): Promise<void> {
  const { state, params: p, res } = ctx;
  if (!igAllowed(ctx, caller)) return;
  const containers = state.publishing.containers;
  const now = state.now();
  const delay = state.config.meta.igContainerSeconds * 1000;
  const base = {
    id: `179${String(nextSerial(state.publishing)).padStart(14, '0')}`,
    igUserId: account.id,
    ...(p.caption !== undefined ? { caption: p.caption } : {}),
    createdAt: now,
  };
  const mediaType = p.media_type ?? 'IMAGE';
  if (mediaType === 'CAROUSEL') {
    const children = childIds(ctx);
    if (children.length < 2 || children.length > 10)
      return graphError(res, { message: '(#100) The carousel must have between 2 and 10 children', code: 100 });
    for (const id of children) {
      const child = containers[id];
      if (!child || child.igUserId !== account.id || !child.isCarouselItem || containerStatus(now, child) === 'ERROR')
        return graphError(res, { message: `(#100) Param children contains an invalid carousel item: ${id}`, code: 100 });
    }
    const readyAt = Math.max(now + delay, ...children.map((id) => (containers[id] as IgContainer).readyAt));
    const container: IgContainer = { ...base, mediaType: 'CAROUSEL', isCarouselItem: false, children, readyAt };
    containers[container.id] = container;
    return void res.json({ id: container.id });
  }
  if (mediaType !== 'IMAGE')
    return graphError(res, { message: `(#100) media_type ${mediaType} is not emulated by the sandbox`, code: 100 });
  if (!p.image_url) return graphError(res, { message: '(#100) The parameter image_url is required', code: 100 });
  const type = await fetchMedia(p.image_url);
  if (type === undefined) {
    // Observed: Meta could not fetch the media at the URL.
    return graphError(res, {
      message: 'Only photo or video can be accepted as media type.',
      code: 9004,
      error_subcode: 2207052,
      error_user_title: 'Media download has failed.',
      error_user_msg: `The media could not be fetched from this uri: ${p.image_url}`,
    });
  }
  const container: IgContainer = {
    ...base,
    mediaType: 'IMAGE',
    imageUrl: p.image_url,
    isCarouselItem: p.is_carousel_item === 'true',
    readyAt: now + delay,
    // Instagram publishes JPEG images only: anything else fails in processing.
    ...(type === 'image/jpeg' ? {} : { error: `Unsupported image format ${type || '(none)'}: JPEG only.` }),
  };
  containers[container.id] = container;
  res.json({ id: container.id });
}

/** Posts published through the API in the last 24 h (the moving window the quota counts). */
function quotaUsage(ctx: GraphContext, account: InstagramAccount, since?: number): number {
  const from = Math.max(ctx.state.now() - DAY_MS, since ?? 0);
  return postsOf(ctx.state.publishing, 'instagram', account.id).filter((p) => p.createdAt > from).length;
}

function publishContainer(ctx: GraphContext, caller: Caller, account: InstagramAccount): void {
  const { state, params: p, res } = ctx;
  if (!igAllowed(ctx, caller)) return;
  if (!p.creation_id) return graphError(res, { message: '(#100) The parameter creation_id is required', code: 100 });
  const container = state.publishing.containers[p.creation_id];
  if (!container || container.igUserId !== account.id) return unsupportedGet(res, p.creation_id, 'POST');
  if (container.isCarouselItem) return graphError(res, { message: '(#100) A carousel item cannot be published on its own', code: 100 });
  if (quotaUsage(ctx, account) >= state.config.meta.igDailyQuota)
    // Documented (Instagram error codes): 9 / 2207042; the top-level message is unconfirmed.
    return graphError(res, {
      message: 'Application request limit reached',
      code: 9,
      error_subcode: 2207042,
      error_user_title: 'Posting limit reached',
      error_user_msg: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
    });
  const status = containerStatus(state.now(), container);
  if (status === 'EXPIRED')
    // Documented (Instagram error codes): -2 / 2207020.
    return graphError(res, {
      message: 'The media you are trying to access has expired. Please try to upload again.',
      code: -2,
      error_subcode: 2207020,
      error_user_title: 'Media expired',
      error_user_msg: 'The media you are trying to access has expired. Please try to upload again.',
    });
  if (status !== 'FINISHED')
    // Observed for a container still processing; reused (unconfirmed) for ERROR and PUBLISHED.
    return graphError(res, {
      message: 'Media ID is not available',
      code: 9007,
      error_subcode: 2207027,
      error_user_title: 'Media not ready for publishing',
      error_user_msg: `The container is ${status}: it can be published only when its status_code is FINISHED.`,
    });
  const draft = {
    accountId: account.id,
    serial: nextSerial(state.publishing),
    createdAt: state.now(),
    text: container.caption ?? '',
    epoch: currentEpoch(state, 'instagram', account.id),
  };
  const id = igMediaId(publishedAsPost(draft));
  state.publishing.posts.push({
    ...draft,
    platform: 'instagram',
    id,
    ...(container.children ? { mediaIds: container.children } : {}),
  });
  container.mediaId = id;
  res.json({ id });
}

export function publishingLimit(ctx: GraphContext, caller: Caller, account: InstagramAccount): void {
  if (!has(caller, ['instagram_basic'])) return missingPermission(ctx.res, 'instagram_basic');
  const since = ctx.params.since === undefined ? undefined : Number(ctx.params.since) * 1000;
  const out = selectFields(
    ctx,
    'ContentPublishingLimit',
    {
      quota_usage: () => quotaUsage(ctx, account, since),
      config: () => ({ quota_total: ctx.state.config.meta.igDailyQuota, quota_duration: 86_400 }),
      rate_limit_settings: () => ({ quota_total: ctx.state.config.meta.igDailyQuota, quota_duration: 86_400 }),
    },
    ['quota_usage'],
  );
  if (!out) return;
  // The reference's example asks for `rate_limit_settings` and answers it as `config`.
  const { rate_limit_settings: settings, ...rest } = out;
  ctx.res.json({ data: [settings === undefined ? rest : { ...rest, config: settings }] });
}

/** GET /{container-id}: true when `id` is a container the caller may see. */
export function containerNode(ctx: GraphContext, caller: Caller, id: string): boolean {
  const container = ctx.state.publishing.containers[id];
  if (!container || !findInstagram(ctx.state, caller, container.igUserId)) return false;
  const status = containerStatus(ctx.state.now(), container);
  const out = selectFields(
    ctx,
    'ShadowIGMediaBuilder',
    {
      id: () => container.id,
      status_code: () => status,
      status: () => (status === 'ERROR' ? `${statusText.ERROR}${container.error ?? ''}` : statusText[status]),
    },
    ['id'],
  );
  if (out) ctx.res.json(out);
  return true;
}
