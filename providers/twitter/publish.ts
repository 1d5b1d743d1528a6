// Publishing to X: images by the simple media upload (POST /2/media/upload, multipart, tweet_image),
// each media id journaled at once so a later attempt attaches it instead of uploading again; then
// POST /2/tweets {text, media.media_ids}. No idempotency key exists: an unknown outcome is read back
// from the user's timeline (GET /2/users/:id/tweets), matching text and time. A thread is a reply chain
// (`reply.in_reply_to_tweet_id` = the tweet before), each tweet id journaled under `tweets` as it exists,
// so a retry goes on after the last one instead of posting any again. Docs: docs.x.com
// (creation-of-a-post, media upload, user posts timeline); PUBLISHING.md 1.1.
import { z } from 'zod';
import type { PublishMedia, PublishState, Publisher, Provider, SyncTarget } from '../contract.js';
import { composeProblems } from '../compose-rules.js';
import { apiCall } from '../http.js';
import { journaled, matchesAttempt, RECONCILE_SKEW_MS, refusing } from '../publishing.js';

/** What posting needs: the post itself, the user (timeline read-back), and media.write for images. */
export const X_PUBLISH_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write'] as const;

const uploaded = z.object({ data: z.object({ id: z.string().min(1) }) });
const created = z.object({ data: z.object({ id: z.string().min(1) }) });
const timeline = z.object({
  data: z
    .array(
      z.object({
        id: z.string().min(1),
        text: z.string().optional(),
        created_at: z.string().optional(),
        referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
      }),
    )
    .optional(),
  meta: z.object({ next_token: z.string().optional() }).optional(),
});
/** Pages of the timeline a read-back looks through (100 posts each) before giving up. */
const RECONCILE_PAGES = 3;

/** x.com/<user>/status/<id>; X also resolves x.com/i/status/<id> when the handle is not known. */
function tweetPermalink(target: SyncTarget, id: string): string {
  const username = target.metadata.username;
  return `https://x.com/${username ? encodeURIComponent(username) : 'i'}/status/${id}`;
}

/** Where a thread's tweet ids are journaled, in order (the first tweet first). */
const THREAD_KEY = 'tweets';
const threadIds = (state: PublishState): string[] => {
  const ids = state[THREAD_KEY];
  return Array.isArray(ids) ? [...ids] : [];
};
/** A tweet id's creation time (ids are snowflakes: milliseconds since X's epoch, shifted left by 22). */
const snowflakeTime = (id: string) => new Date(Number(BigInt(id) >> 22n) + 1288834974657);
type TimelineTweet = NonNullable<z.infer<typeof timeline>['data']>[number];
const repliedTo = (tweet: TimelineTweet) => tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;

/** X timestamps: ISO 8601 to the second (X refuses fractions in start_time). */
const xTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function twitterPublisher(provider: Provider, apiUrl: string): Publisher {
  async function upload(accessToken: string, media: PublishMedia): Promise<string> {
    const form = new FormData();
    form.set('media_category', 'tweet_image');
    form.set('media_type', media.mimeType);
    form.set('media', new Blob([new Uint8Array(await media.read())], { type: media.mimeType }), `media-${media.mediaId}`);
    const answer = await refusing(provider, () =>
      apiCall(provider, 'a media upload', `${apiUrl}/2/media/upload`, uploaded, { accessToken, method: 'POST', body: form }),
    );
    return answer.data.id;
  }

  return {
    requiredScopes: X_PUBLISH_SCOPES,
    validate: (post) => composeProblems('twitter', post),

    async publish(accessToken, target, request, journal) {
      const texts = [request.text, ...(request.thread ?? [])];
      const ids = threadIds(journal.state);
      const mediaIds: string[] = [];
      // Media belong to the first tweet: once it exists, nothing is uploaded again.
      for (const media of ids.length === 0 ? request.media : []) {
        const key = `media:${media.mediaId}`;
        let id = journaled(journal, key);
        if (!id) {
          id = await upload(accessToken, media);
          await journal.save({ [key]: id });
        }
        mediaIds.push(id);
      }
      if (ids.length < texts.length) await journal.beginMutation();
      for (let i = ids.length; i < texts.length; i++) {
        const text = texts[i];
        const body = {
          ...(text ? { text } : {}),
          ...(i === 0 && mediaIds.length ? { media: { media_ids: mediaIds } } : {}),
          ...(i > 0 ? { reply: { in_reply_to_tweet_id: ids[i - 1] } } : {}),
        };
        const answer = await refusing(provider, () =>
          apiCall(provider, 'a created post', `${apiUrl}/2/tweets`, created, {
            accessToken,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        );
        ids.push(answer.data.id);
        // A single tweet's result is stored by the caller; a thread's parts are journaled one by one.
        if (texts.length > 1) await journal.save({ [THREAD_KEY]: [...ids] });
      }
      const id = ids[0]!;
      const publishedAt = texts.length > 1 ? snowflakeTime(id) : new Date();
      return { kind: 'published', post: { providerPostId: id, permalink: tweetPermalink(target, id), publishedAt } };
    },

    /**
     * The user's posts since the attempt began (less the skew), oldest match first. A thread goes on from
     * its journaled tweets: each next one is the reply, with its text, to the one before.
     */
    async reconcile(accessToken, target, request, attempt) {
      const url = new URL(`${apiUrl}/2/users/${encodeURIComponent(target.externalId)}/tweets`);
      url.searchParams.set('max_results', '100');
      url.searchParams.set('tweet.fields', 'created_at,referenced_tweets');
      url.searchParams.set('start_time', xTime(new Date(attempt.startedAt.getTime() - RECONCILE_SKEW_MS)));
      let cursor: string | undefined;
      const seen: TimelineTweet[] = [];
      for (let page = 0; page < RECONCILE_PAGES; page++) {
        if (cursor) url.searchParams.set('pagination_token', cursor);
        const answer = await apiCall(provider, 'a timeline page', url, timeline, { accessToken });
        seen.push(...(answer.data ?? []));
        cursor = answer.meta?.next_token;
        if (!cursor) break;
      }
      const texts = [request.text, ...(request.thread ?? [])];
      const ids = threadIds(attempt.state);
      const thread = texts.length > 1;
      for (let i = ids.length; i < texts.length; i++) {
        const found = seen
          .flatMap((tweet) => {
            const createdAt = tweet.created_at ? new Date(tweet.created_at) : null;
            if (!createdAt || !matchesAttempt(texts[i]!, { text: tweet.text, createdAt }, attempt.startedAt)) return [];
            // A thread's first tweet replies to nothing; each later one to the tweet before it.
            if (thread && repliedTo(tweet) !== (i === 0 ? undefined : ids[i - 1])) return [];
            return [{ id: tweet.id, createdAt }];
          })
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
        if (!found) break;
        ids.push(found.id);
      }
      if (ids.length < texts.length) {
        if (cursor)
          return {
            kind: 'unknown',
            reason: 'X shows too many posts since the attempt to be sure: check the account before posting again.',
          };
        if (ids.length === 0) return { kind: 'not_published' };
        return { kind: 'not_published', state: { [THREAD_KEY]: ids } };
      }
      const id = ids[0]!;
      const first = seen.find((tweet) => tweet.id === id);
      const publishedAt = first?.created_at ? new Date(first.created_at) : snowflakeTime(id);
      return { kind: 'published', post: { providerPostId: id, permalink: tweetPermalink(target, id), publishedAt } };
    },
  };
}
