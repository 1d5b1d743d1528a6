// The composer's form: reading what was submitted, turning it into the API's post, and the API's 422
// problems per account back into words beside each account. Pure (no API calls), so it is unit-tested and
// the page can show the same words the action returns.
import { textCount } from '../../providers/compose-rules.js';
import { builtInPlatform } from '../../providers/metadata.js';
import type { PostInput } from './endpoints.server.js';
import { parseTime } from './format.js';
import { dayKeyAt, formatInZone, instantFromLocal, timeOfDayAt, wallClock } from './zoned-time.js';

export interface ComposerValues {
  text: string;
  accountIds: string[];
  /** An account's own text, for the accounts whose text differs from the shared one. */
  overrides: Record<string, string>;
  /** An X account's further tweets, each a reply to the one before (a thread). */
  threads: Record<string, string[]>;
  when: 'now' | 'later';
  /** "YYYY-MM-DD" and "HH:MM" in the business's time zone. */
  date: string;
  time: string;
  /** Images already uploaded (kept across a refused submit). */
  mediaIds: string[];
}

export interface ComposerErrors {
  /** About the post as a whole. */
  form?: string;
  accounts?: string;
  when?: string;
  /** Problems per account id, in words. */
  accountProblems: Record<string, string[]>;
}

const ID = /^[1-9]\d{0,15}$/;

export function readComposerForm(form: FormData): ComposerValues {
  const accountIds = [
    ...new Set(
      form
        .getAll('account_ids')
        .map(String)
        .filter((id) => ID.test(id)),
    ),
  ];
  const overrides: Record<string, string> = {};
  for (const id of accountIds) {
    const own = String(form.get(`text_${id}`) ?? '');
    if (form.get(`own_text_${id}`) === 'on' && own.trim() !== '') overrides[id] = own;
  }
  const threads: Record<string, string[]> = {};
  for (const id of accountIds) {
    const tweets = splitThread(String(form.get(`thread_${id}`) ?? ''));
    if (tweets.length > 0) threads[id] = tweets;
  }
  const removed = new Set(form.getAll('remove_media').map(String));
  return {
    text: String(form.get('text') ?? ''),
    accountIds,
    overrides,
    threads,
    when: form.get('when') === 'later' ? 'later' : 'now',
    date: String(form.get('date') ?? '').trim(),
    time: String(form.get('time') ?? '').trim(),
    mediaIds: [...new Set(form.getAll('media_ids').map(String))].filter((id) => ID.test(id) && !removed.has(id)),
  };
}

/** The thread box holds the further tweets one after another, each ended by a line of only `---`. */
const THREAD_SEPARATOR = '---';

export function splitThread(box: string): string[] {
  return box
    .split(/^[ \t]*---[ \t]*$/m)
    .map((tweet) => tweet.trim())
    .filter(Boolean);
}

export const joinThread = (tweets: readonly string[]) => tweets.join(`\n${THREAD_SEPARATOR}\n`);

export type ComposeIntent = 'publish' | 'draft';

/**
 * The API's post for what was submitted, or what is wrong with it in words. A time typed in the
 * business's zone becomes UTC here; one the clocks skip is moved forward and said (`notice`).
 */
export function toPostInput(
  values: ComposerValues,
  extraMediaIds: readonly string[],
  intent: ComposeIntent,
  timeZone: string,
  now: number,
): { ok: true; input: PostInput; notice?: string } | { ok: false; errors: ComposerErrors } {
  const errors: ComposerErrors = { accountProblems: {} };
  if (values.accountIds.length === 0) errors.accounts = 'Choose at least one account to post to.';
  let scheduledAt: string | undefined;
  let notice: string | undefined;
  if (values.when === 'later') {
    const at = instantFromLocal(values.date, values.time, timeZone);
    if (!values.date || !values.time) errors.when = 'Choose the date and the time to publish at.';
    else if (!at.ok) errors.when = 'That date or time is not valid.';
    else if (at.at <= now) errors.when = `That time has passed in ${timeZone}. Choose a time in the future, or publish now.`;
    else {
      scheduledAt = new Date(at.at).toISOString();
      if (at.shifted)
        notice = `${values.time} does not exist on that day in ${timeZone} (the clocks go forward), so it is set for ${formatInZone(at.at, timeZone)}.`;
    }
  }
  if (errors.accounts || errors.when) return { ok: false, errors };
  return {
    ok: true,
    notice,
    input: {
      text: values.text,
      targets: values.accountIds.map((id) => ({
        account_id: Number(id),
        ...(values.overrides[id] === undefined ? {} : { text: values.overrides[id] }),
        // An edit that empties the box clears the thread: the API keeps a stored thread only when `thread` is left out.
        thread: values.threads[id] ?? [],
      })),
      ...(scheduledAt ? { scheduled_at: scheduledAt } : {}),
      media_ids: [...values.mediaIds, ...extraMediaIds].map(Number),
      draft: intent === 'draft',
    },
  };
}

/**
 * The 422 invalid_post's `details: [{account_id, problems: [...]}]` as words per account id; problems of
 * the post as a whole (`account_id: null`, e.g. a time that has passed) under POST_WIDE.
 */
export const POST_WIDE = 'post';

export function problemsByAccount(details: unknown): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  if (!Array.isArray(details)) return found;
  for (const entry of details as unknown[]) {
    if (!entry || typeof entry !== 'object') continue;
    const { account_id, problems } = entry as { account_id?: unknown; problems?: unknown };
    if (account_id === undefined || !Array.isArray(problems)) continue;
    const words = (problems as unknown[])
      .map((p) => (typeof p === 'string' ? p : p && typeof p === 'object' && 'message' in p ? String(p.message) : ''))
      .filter(Boolean);
    const key = account_id === null ? POST_WIDE : String(account_id);
    if (words.length > 0) found[key] = [...(found[key] ?? []), ...words];
  }
  return found;
}

/** An account the composer offers; `blocked` says in words why it cannot be picked. */
export interface ComposerAccount {
  id: string;
  platform: string;
  /** "@sandbox_x", or a Page's name. */
  name: string;
  blocked?: string;
}

/** Why an account cannot be posted to now, in words; undefined when it can. */
export function publishBlock(account: {
  platform: string;
  status?: string | null;
  reconnect_required?: boolean | null;
}): string | undefined {
  const platform = builtInPlatform(account.platform);
  if (platform && !platform.capabilities.publishing) return `Publishing to ${platform.displayName} is not available yet.`;
  if (account.reconnect_required || account.status === 'reconnect_required') return 'Reconnect this account to publish to it.';
  if (account.status === 'connecting') return 'This account is still connecting.';
  if (account.status === 'disconnected') return 'This account is disconnected.';
  return undefined;
}

export interface CounterView {
  count: number;
  max: number;
  over: boolean;
  /** "42 / 280". */
  short: string;
  /** For assistive tech: "42 of 280 characters used" or "12 characters over the limit of 280". */
  words: string;
}

/** The live character counter of one platform's preview, counted as the platform counts (X weighs characters). */
export function counterView(platform: string, text: string): CounterView | undefined {
  const counted = textCount(platform, text);
  if (!counted) return undefined;
  const { count, max } = counted;
  const over = count > max;
  const unit = platform === 'twitter' ? 'weighted characters' : 'characters';
  return {
    count,
    max,
    over,
    short: `${count.toLocaleString('en-US')} / ${max.toLocaleString('en-US')}`,
    words: over
      ? `${(count - max).toLocaleString('en-US')} ${unit} over the limit of ${max.toLocaleString('en-US')}`
      : `${count.toLocaleString('en-US')} of ${max.toLocaleString('en-US')} ${unit} used`,
  };
}

/** A new post's form: nothing chosen, now, and for "later" the next whole hour but one in the business's zone. */
export function newComposerValues(now: number, timeZone: string): ComposerValues {
  const w = wallClock(now, timeZone);
  // On the local clock: 14:20 suggests 16:00 (also in zones a half hour off UTC).
  const suggested = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour + 2));
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    text: '',
    accountIds: [],
    overrides: {},
    threads: {},
    when: 'now',
    date: `${suggested.getUTCFullYear()}-${pad(suggested.getUTCMonth() + 1)}-${pad(suggested.getUTCDate())}`,
    time: `${pad(suggested.getUTCHours())}:00`,
    mediaIds: [],
  };
}

/** An existing post's form: its text, its accounts (with their own text where it differs) and its time in the business's zone. */
export function composerValuesOf(
  post: {
    text: string;
    scheduled_at?: string | null;
    media_ids?: readonly string[] | null;
    targets: readonly { account_id: string; status: string; text?: string | null; thread?: readonly string[] | null }[];
  },
  now: number,
  timeZone: string,
): ComposerValues {
  const targets = post.targets.filter((t) => t.status !== 'canceled');
  const overrides: Record<string, string> = {};
  for (const t of targets) if (t.text && t.text !== post.text) overrides[t.account_id] = t.text;
  const threads: Record<string, string[]> = {};
  for (const t of targets) if (t.thread?.length) threads[t.account_id] = [...t.thread];
  const scheduled = parseTime(post.scheduled_at);
  const base = newComposerValues(now, timeZone);
  return {
    text: post.text,
    accountIds: targets.map((t) => t.account_id),
    overrides,
    threads,
    when: scheduled !== undefined && scheduled > now ? 'later' : 'now',
    date: scheduled !== undefined ? dayKeyAt(scheduled, timeZone) : base.date,
    time: scheduled !== undefined ? timeOfDayAt(scheduled, timeZone) : base.time,
    mediaIds: [...(post.media_ids ?? [])],
  };
}
