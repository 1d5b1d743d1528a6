// The publishing pages' server side: the composer's loader and action (upload images, create or edit the
// post), the posts list's actions (cancel, retry, time zone), and where the business's time zone comes
// from. Every call goes through the API with the user's token; the browser never talks to it.
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { ApiError, loadSection, requireBusinessId, throwRouteError } from './api.server.js';
import {
  cancelPost,
  createPost,
  getMe,
  getPost,
  getSyncStatus,
  listPosts,
  retryTarget,
  setBusinessTimeZone,
  updatePost,
  uploadMedia,
  type Media,
  type Post,
} from './endpoints.server.js';
import { accountName } from './format.js';
import { platformDisplayName, platformOrder } from './platforms.js';
import {
  POST_WIDE,
  problemsByAccount,
  publishBlock,
  readComposerForm,
  toPostInput,
  type ComposerAccount,
  type ComposerErrors,
  type ComposerValues,
} from './post-form.js';
import { postInstant } from './post-status.js';
import { dayKeyAt, dayRange, isDayKey, isValidTimeZone, monthGrid, monthOf, timeZoneNames, weekDays, zoneOrUtc } from './zoned-time.js';

/** The business's time zone as the API keeps it; UTC when it names none this runtime knows. */
async function businessTimeZone(request: Request, businessId: number): Promise<string> {
  const me = await getMe(request).catch(throwRouteError);
  return zoneOrUtc(me.businesses.find((b) => b.id === businessId)?.time_zone);
}

/** The accounts the composer offers, publishable first; the others carry the reason they cannot be picked. */
async function composerAccounts(request: Request, businessId: number): Promise<ComposerAccount[]> {
  const status = await getSyncStatus(request, businessId).catch(throwRouteError);
  const accounts = status.accounts ?? Object.entries(status.platforms).map(([platform, s]) => ({ ...s, platform: s.platform ?? platform }));
  return accounts
    .filter((a) => a.account_id !== null && a.account_id !== undefined)
    .map((a) => {
      const platform = a.platform ?? 'unknown';
      return {
        id: String(a.account_id),
        platform,
        // A handle as @handle; otherwise (a LinkedIn member's e-mail, a Page) the name people see.
        name:
          (a.username && /^[A-Za-z0-9_.]{1,64}$/.test(a.username) ? accountName(a.username) : undefined) ??
          a.display_name ??
          a.username ??
          platformDisplayName(platform),
        blocked: publishBlock({ platform, status: a.account_status ?? a.status, reconnect_required: a.reconnect_required }),
      };
    })
    .sort((a, b) => Number(Boolean(a.blocked)) - Number(Boolean(b.blocked)) || platformOrder(a.platform) - platformOrder(b.platform));
}

export async function composerLoader({ request, params }: LoaderFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const postId = params.postId;
  const [accounts, post] = await Promise.all([
    composerAccounts(request, businessId),
    postId === undefined ? null : loadPostForEdit(request, postId),
  ]);
  return { now: Date.now(), accounts, post, timeZones: timeZoneNames() };
}

async function loadPostForEdit(request: Request, postId: string): Promise<Post> {
  if (!/^[1-9]\d{0,15}$/.test(postId))
    throw data({ code: 'not_found', message: 'This post does not exist.', requestId: null }, { status: 404 });
  return getPost(request, postId).catch(throwRouteError);
}

export interface ComposerActionResult {
  errors: ComposerErrors;
  values: ComposerValues;
  /** Images stored so far, kept for the next try. */
  media: Media[];
  requestId?: string | null;
}

const UPLOAD_FIELD = 'images';

export async function composerAction({ request, params }: ActionFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const postId = params.postId;
  const form = await request.formData().catch(() => new FormData()); // a body that is not a form is an empty one
  const intent = form.get('intent') === 'draft' ? 'draft' : 'publish';
  const values = readComposerForm(form);
  const kept = keptMedia(form, values.mediaIds);
  const refused = (errors: ComposerErrors, media: Media[], status: number, requestId?: string | null) =>
    data<ComposerActionResult>({ errors, values: { ...values, mediaIds: media.map((m) => m.id) }, media, requestId }, { status });

  // Images first: the post names them by id. One stored now is kept even if the post is refused.
  const uploaded: Media[] = [];
  for (const file of form.getAll(UPLOAD_FIELD)) {
    if (!(file instanceof Blob) || file.size === 0) continue;
    try {
      uploaded.push(await uploadMedia(request, businessId, file));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const name = 'name' in file && typeof file.name === 'string' && file.name ? `“${file.name}”` : 'The image';
      return refused(
        { form: `${name} was not accepted: ${error.message}`, accountProblems: {} },
        [...kept, ...uploaded],
        error.status,
        error.requestId,
      );
    }
  }
  const media = [...kept, ...uploaded];

  const timeZone = await businessTimeZone(request, businessId);
  const built = toPostInput(
    values,
    uploaded.map((m) => m.id),
    intent,
    timeZone,
    Date.now(),
  );
  if (!built.ok) return refused(built.errors, media, 400);

  try {
    let id = postId;
    if (id === undefined) id = (await createPost(request, businessId, built.input)).id;
    else await updatePost(request, id, built.input);
    const done = postId !== undefined ? 'updated' : intent === 'draft' ? 'draft' : built.input.scheduled_at ? 'scheduled' : 'publishing';
    const search = new URLSearchParams({ done, post: id });
    if (built.notice) search.set('notice', built.notice);
    return redirect(`/b/${businessId}/posts?${search.toString()}`, 303);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const { [POST_WIDE]: general = [], ...accountProblems } = problemsByAccount(error.details);
    const words =
      error.code === 'post_publishing_began'
        ? 'Publishing of this post has already begun, so it can no longer be changed.'
        : general.length > 0
          ? general.join(' ')
          : Object.keys(accountProblems).length > 0
            ? 'The post cannot go to every account chosen. See the problems beside each account.'
            : error.message;
    return refused({ form: words, accountProblems }, media, error.status, error.requestId);
  }
}

/** The images a refused submit had already stored, from the hidden fields that carry them. */
function keptMedia(form: FormData, ids: readonly string[]): Media[] {
  const wanted = new Set(ids);
  const media: Media[] = [];
  for (const raw of form.getAll('media')) {
    try {
      const m = JSON.parse(String(raw)) as Partial<Media>;
      if (typeof m.id === 'string' && wanted.has(m.id) && typeof m.url === 'string' && /^https?:\/\//.test(m.url)) {
        media.push({
          id: m.id,
          url: m.url,
          width: m.width ?? null,
          height: m.height ?? null,
          bytes: m.bytes ?? null,
          mime_type: m.mime_type ?? null,
        });
      }
    } catch {
      // Not ours: ignored.
    }
  }
  return media;
}

// --- The posts list -------------------------------------------------------------------------------------

export interface PostsActionResult {
  ok: boolean;
  tone: 'success' | 'danger' | 'warning';
  title: string;
  message: string;
  requestId?: string | null;
}

const outcome = (body: PostsActionResult, status = 200) => data(body, { status });

/** Actions on the posts list and calendar: cancel a post, retry one target, change the time zone. */
export async function postsAction({ request, params }: ActionFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const form = await request.formData().catch(() => new FormData()); // a body that is not a form is an empty one
  const intent = String(form.get('intent') ?? '');
  const postId = String(form.get('post_id') ?? '');
  const accountId = String(form.get('account_id') ?? '');
  const validId = (id: string) => /^[1-9]\d{0,15}$/.test(id);
  try {
    switch (intent) {
      case 'cancel':
        if (!validId(postId)) return outcome({ ok: false, tone: 'danger', title: 'Nothing to cancel', message: 'Choose a post.' }, 400);
        if (form.get('confirm') !== 'yes')
          return outcome(
            { ok: false, tone: 'warning', title: 'Not canceled', message: 'Confirm with “Yes, cancel it” to cancel the post.' },
            400,
          );
        await cancelPost(request, postId);
        return outcome({ ok: true, tone: 'success', title: 'Post canceled', message: 'It will not be published.' });
      case 'retry':
        if (!validId(postId) || !validId(accountId))
          return outcome({ ok: false, tone: 'danger', title: 'Nothing to retry', message: 'Choose an account of a post.' }, 400);
        await retryTarget(request, postId, accountId);
        return outcome({
          ok: true,
          tone: 'success',
          title: 'Trying again',
          message: 'Social Sync checks whether the post is already there, and publishes it only if it is not.',
        });
      case 'time_zone': {
        const zone = String(form.get('time_zone') ?? '').trim();
        if (!isValidTimeZone(zone))
          return outcome({ ok: false, tone: 'danger', title: 'Time zone not changed', message: 'Choose a time zone from the list.' }, 400);
        const saved = await setBusinessTimeZone(request, businessId, zone);
        return outcome({
          ok: true,
          tone: 'success',
          title: 'Time zone changed',
          message: `Times are now shown and scheduled in ${saved.time_zone ?? zone}. Posts already scheduled keep their moment in time.`,
        });
      }
      default:
        return outcome({ ok: false, tone: 'danger', title: 'Unknown action', message: 'That action is not available here.' }, 400);
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const title = intent === 'cancel' ? 'The post was not canceled' : intent === 'retry' ? 'Retrying failed' : 'Time zone not changed';
    const message =
      error.status === 409 && intent === 'cancel'
        ? `Publishing has already begun, so it can no longer be canceled. (${error.message})`
        : error.message;
    return outcome({ ok: false, tone: 'danger', title, message, requestId: error.requestId }, error.status);
  }
}

export type PostFilter = 'all' | 'scheduled' | 'published' | 'failed' | 'draft';

const FILTERS: readonly PostFilter[] = ['all', 'scheduled', 'published', 'failed', 'draft'];

function postFilterOf(raw: string | null): PostFilter {
  return FILTERS.find((f) => f === raw) ?? 'all';
}

/** Whether a post belongs under a filter; "failed" gathers what needs a person: failed, unconfirmed, partly published. */
function matchesFilter(post: Pick<Post, 'status' | 'targets'>, filter: PostFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'failed':
      return (
        ['failed', 'unconfirmed', 'partially_published'].includes(post.status) ||
        post.targets.some((t) => t.status === 'failed' || t.status === 'unconfirmed')
      );
    case 'scheduled':
      return post.status === 'scheduled' || post.status === 'publishing';
    default:
      return post.status === filter;
  }
}

export async function postsLoader({ request, params }: LoaderFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const filter = postFilterOf(new URL(request.url).searchParams.get('status'));
  // The API filters by one status; "scheduled" and "failed" gather several, so those are sorted out here.
  const apiStatus = filter === 'published' || filter === 'draft' ? filter : undefined;
  const posts = await loadSection(listPosts(request, businessId, { status: apiStatus }));
  if (posts.state !== 'ready') return { now: Date.now(), filter, posts };
  const shown = posts.data.filter((p) => matchesFilter(p, filter));
  // Upcoming posts soonest first; everything else newest first.
  const order = filter === 'scheduled' || filter === 'draft' ? 1 : -1;
  shown.sort((a, b) => order * ((postInstant(a) ?? Infinity) - (postInstant(b) ?? Infinity)) || Number(b.id) - Number(a.id));
  return { now: Date.now(), filter, posts: { state: 'ready' as const, data: shown } };
}

type CalendarView = 'month' | 'week';

export async function calendarLoader({ request, params }: LoaderFunctionArgs) {
  const businessId = requireBusinessId(params.businessId);
  const search = new URL(request.url).searchParams;
  const timeZone = await businessTimeZone(request, businessId);
  const view: CalendarView = search.get('view') === 'week' ? 'week' : 'month';
  const now = Date.now();
  const today = dayKeyAt(now, timeZone);
  const asked = search.get('date') ?? '';
  const date = isDayKey(asked) ? asked : today;
  const days = view === 'month' ? monthGrid(monthOf(date)).flat() : weekDays(date);
  const posts = await loadSection(listPosts(request, businessId, dayRange(days[0]!, days.at(-1)!, timeZone)));
  return { now, timeZone, view, date, today, posts, timeZones: timeZoneNames() };
}
