// Publishing to X: images by the simple media upload (POST /2/media/upload, multipart, tweet_image),
// each media id journaled at once so a later attempt attaches it instead of uploading again; then
// POST /2/tweets {text, media.media_ids}. No idempotency key exists: an unknown outcome is read back
// from the user's timeline (GET /2/users/:id/tweets), matching text and time. Docs: docs.x.com
// (creation-of-a-post, media upload, user posts timeline); PUBLISHING.md 1.1.
import { z } from 'zod';
import type { PublishMedia, Publisher, Provider, SyncTarget } from '../contract.js';
import { composeProblems } from '../compose-rules.js';
import { apiCall } from '../http.js';
import { journaled, matchesAttempt, RECONCILE_SKEW_MS, refusing } from '../publishing.js';

/** What posting needs: the post itself, the user (timeline read-back), and media.write for images. */
export const X_PUBLISH_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write'] as const;

const uploaded = z.object({ data: z.object({ id: z.string().min(1) }) });
const created = z.object({ data: z.object({ id: z.string().min(1) }) });
const timeline = z.object({
  data: z.array(z.object({ id: z.string().min(1), text: z.string().optional(), created_at: z.string().optional() })).optional(),
  meta: z.object({ next_token: z.string().optional() }).optional(),
});
/** Pages of the timeline a read-back looks through (100 posts each) before giving up. */
const RECONCILE_PAGES = 3;

/** x.com/<user>/status/<id>; X also resolves x.com/i/status/<id> when the handle is not known. */
function tweetPermalink(target: SyncTarget, id: string): string {
  const username = target.metadata.username;
  return `https://x.com/${username ? encodeURIComponent(username) : 'i'}/status/${id}`;
}

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
      const mediaIds: string[] = [];
      for (const media of request.media) {
        const key = `media:${media.mediaId}`;
        let id = journaled(journal, key);
        if (!id) {
          id = await upload(accessToken, media);
          await journal.save({ [key]: id });
        }
        mediaIds.push(id);
      }
      const body = {
        ...(request.text ? { text: request.text } : {}),
        ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}),
      };
      await journal.beginMutation();
      const answer = await refusing(provider, () =>
        apiCall(provider, 'a created post', `${apiUrl}/2/tweets`, created, {
          accessToken,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
      const id = answer.data.id;
      return { kind: 'published', post: { providerPostId: id, permalink: tweetPermalink(target, id), publishedAt: new Date() } };
    },

    /** The user's posts since the attempt began (less the skew), oldest match first. */
    async reconcile(accessToken, target, request, attempt) {
      const url = new URL(`${apiUrl}/2/users/${encodeURIComponent(target.externalId)}/tweets`);
      url.searchParams.set('max_results', '100');
      url.searchParams.set('tweet.fields', 'created_at');
      url.searchParams.set('start_time', xTime(new Date(attempt.startedAt.getTime() - RECONCILE_SKEW_MS)));
      let cursor: string | undefined;
      const matches: { id: string; createdAt: Date }[] = [];
      for (let page = 0; page < RECONCILE_PAGES; page++) {
        if (cursor) url.searchParams.set('pagination_token', cursor);
        const answer = await apiCall(provider, 'a timeline page', url, timeline, { accessToken });
        for (const tweet of answer.data ?? []) {
          const createdAt = tweet.created_at ? new Date(tweet.created_at) : null;
          if (createdAt && matchesAttempt(request.text, { text: tweet.text, createdAt }, attempt.startedAt))
            matches.push({ id: tweet.id, createdAt });
        }
        cursor = answer.meta?.next_token;
        if (!cursor) break;
      }
      if (cursor && matches.length === 0)
        return { kind: 'unknown', reason: 'X shows too many posts since the attempt to be sure: check the account before posting again.' };
      const found = matches.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
      if (!found) return { kind: 'not_published' };
      return {
        kind: 'published',
        post: { providerPostId: found.id, permalink: tweetPermalink(target, found.id), publishedAt: found.createdAt },
      };
    },
  };
}
