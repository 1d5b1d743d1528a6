// Publishing to a Facebook Page with its Page token: each image as an unpublished photo
// (POST /{page-id}/photos {url, published:false}; Facebook fetches the URL), its id journaled at once,
// then POST /{page-id}/feed {message, attached_media:[{media_fbid}]} -> {id: "{page}_{post}"}. Graph
// can answer 5xx for a post it created (PUBLISHING.md 1.3): the error is classified and the caller
// reads the Page feed back (reconcile), never retrying blindly. Docs: developers.facebook.com
// (pages-api/posts, graph-api/reference/page/photos, page/feed).
import { z } from 'zod';
import type { Publisher, Provider } from '../contract.js';
import { composeProblems } from '../compose-rules.js';
import { journaled, matchesAttempt, RECONCILE_SKEW_MS, refusing } from '../publishing.js';
import type { Graph } from './posts.js';

/** Posting as the Page, and reading its feed back. */
export const FACEBOOK_PUBLISH_SCOPES = ['pages_manage_posts', 'pages_read_engagement'] as const;

const created = z.object({ id: z.string().min(1) });
const feedAnswer = z.object({
  data: z.array(z.object({ id: z.string().min(1), message: z.string().optional(), created_time: z.string().optional() })),
  paging: z.object({ next: z.string().optional(), cursors: z.object({ after: z.string().optional() }).optional() }).optional(),
});
/** Pages of the feed a read-back looks through (100 posts each). */
const RECONCILE_PAGES = 3;

/** facebook.com/<post-id>: Facebook resolves a Page post by its `{page}_{post}` id. */
const permalink = (id: string) => `https://www.facebook.com/${id}`;

export function facebookPublisher(provider: Provider, graph: Graph): Publisher {
  return {
    requiredScopes: FACEBOOK_PUBLISH_SCOPES,
    validate: (post) => composeProblems('meta', post),

    async publish(accessToken, target, request, journal) {
      const pageId = target.externalId;
      const photos: string[] = [];
      for (const media of request.media) {
        const key = `media:${media.mediaId}`;
        let id = journaled(journal, key);
        if (!id) {
          const photo = await refusing(provider, () =>
            graph.post('an unpublished photo', `${pageId}/photos`, accessToken, created, { url: media.publicUrl, published: 'false' }),
          );
          id = photo.id;
          await journal.save({ [key]: id });
        }
        photos.push(id);
      }
      const params: Record<string, string> = { message: request.text };
      if (photos.length) params.attached_media = JSON.stringify(photos.map((id) => ({ media_fbid: id })));
      await journal.beginMutation();
      const { id } = await refusing(provider, () => graph.post('a Page post', `${pageId}/feed`, accessToken, created, params));
      return { kind: 'published', post: { providerPostId: id, permalink: permalink(id), publishedAt: new Date() } };
    },

    /** The Page feed, newest first, back to the attempt's start (less the skew); the oldest match wins. */
    async reconcile(accessToken, target, request, attempt) {
      const since = attempt.startedAt.getTime() - RECONCILE_SKEW_MS;
      let after: string | undefined;
      const matches: { id: string; at: Date }[] = [];
      for (let page = 0; page < RECONCILE_PAGES; page++) {
        const feed = await graph.get('the Page feed', `${target.externalId}/feed`, accessToken, feedAnswer, {
          fields: 'id,message,created_time',
          limit: '100',
          since: String(Math.floor(since / 1000)),
          ...(after ? { after } : {}),
        });
        let older = false;
        for (const post of feed.data) {
          const at = post.created_time ? new Date(post.created_time) : null;
          if (at && at.getTime() < since) older = true;
          if (matchesAttempt(request.text, { text: post.message, createdAt: at }, attempt.startedAt))
            matches.push({ id: post.id, at: at! });
        }
        after = feed.paging?.next ? feed.paging.cursors?.after : undefined;
        if (older || !after) {
          after = undefined;
          break;
        }
      }
      const found = matches.sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (found) return { kind: 'published', post: { providerPostId: found.id, permalink: permalink(found.id), publishedAt: found.at } };
      if (after)
        return { kind: 'unknown', reason: 'The Page has too many posts since the attempt to be sure: check it before posting again.' };
      return { kind: 'not_published' };
    },
  };
}
