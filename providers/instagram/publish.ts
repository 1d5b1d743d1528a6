// Publishing to an Instagram Business account with its Page's token, in the documented steps: read the
// publishing quota (GET /{ig-user-id}/content_publishing_limit), create a container (POST
// /{ig-user-id}/media {image_url, caption}; a carousel: one child per image with is_carousel_item, then
// media_type=CAROUSEL with the children), journal it at once, wait while its status_code is
// IN_PROGRESS (a `pending` result: the caller calls again later), then POST /{ig-user-id}/media_publish
// ?creation_id=. The container is Instagram's "already done?" signal: PUBLISHED means the post exists,
// so a crash at any step is resolved by reading it. Docs: developers.facebook.com/docs/instagram-platform
// (content-publishing, ig-user/media, media_publish, content_publishing_limit, ig-container).
import { z } from 'zod';
import { ProviderError, type PublishJournal, type PublishRequest, type PublishedPost, type Publisher, type Provider } from '../contract.js';
import { composeProblems } from '../compose-rules.js';
import type { Graph } from '../meta/posts.js';
import { journaled, matchesAttempt, refusing } from '../publishing.js';

/** Publishing, and reading the account and its containers. */
export const INSTAGRAM_PUBLISH_SCOPES = ['instagram_basic', 'instagram_content_publish'] as const;

const created = z.object({ id: z.string().min(1) });
const limitAnswer = z.object({
  data: z.array(
    z.object({
      quota_usage: z.number().optional(),
      config: z.object({ quota_total: z.number().optional(), quota_duration: z.number().optional() }).optional(),
    }),
  ),
});
const containerAnswer = z.object({ status_code: z.string(), status: z.string().optional() });
const mediaAnswer = z.object({ permalink: z.string().optional(), timestamp: z.string().optional() });
const recentMedia = z.object({
  data: z.array(
    z.object({ id: z.string().min(1), caption: z.string().optional(), timestamp: z.string().optional(), permalink: z.string().optional() }),
  ),
});

/** How long to wait before asking about a container still IN_PROGRESS (Meta suggests about once a minute at most). */
const CHECK_AFTER_MS = 10_000;
/** The quota says how many posts a window allows, not when a slot frees up: try again in an hour. */
const QUOTA_WAIT_MS = 3_600_000;

const childKey = (mediaId: number) => `child:${mediaId}`;

export function instagramPublisher(provider: Provider, graph: Graph): Publisher {
  /** Refuses before any container is made when the account's 24-hour publishing quota is used up. */
  async function checkQuota(accessToken: string, igUserId: string): Promise<void> {
    const { data } = await graph.get('the publishing limit', `${igUserId}/content_publishing_limit`, accessToken, limitAnswer, {
      fields: 'quota_usage,config',
    });
    const usage = data[0]?.quota_usage;
    const total = data[0]?.config?.quota_total;
    if (usage !== undefined && total !== undefined && usage >= total)
      throw new ProviderError(
        'instagram',
        'rate_limited',
        `Instagram's publishing limit for this account is reached (${usage} of ${total} posts in 24 hours); it is tried again later.`,
        undefined,
        QUOTA_WAIT_MS,
      );
  }

  async function createContainer(accessToken: string, igUserId: string, request: PublishRequest, journal: PublishJournal): Promise<string> {
    const make = (params: Record<string, string>) =>
      refusing(provider, () => graph.post('a media container', `${igUserId}/media`, accessToken, created, params));
    if (request.media.length === 1) return (await make({ image_url: request.media[0]!.publicUrl, caption: request.text })).id;
    const children: string[] = [];
    for (const media of request.media) {
      let id = journaled(journal, childKey(media.mediaId));
      if (!id) {
        id = (await make({ image_url: media.publicUrl, is_carousel_item: 'true' })).id;
        await journal.save({ [childKey(media.mediaId)]: id });
      }
      children.push(id);
    }
    try {
      return (await make({ media_type: 'CAROUSEL', children: children.join(','), caption: request.text })).id;
    } catch (error) {
      // A child Instagram refuses would be refused again: the next attempt makes new ones.
      if (error instanceof ProviderError && error.kind === 'rejected') await clearContainers(journal, request);
      throw error;
    }
  }

  /** Forgets the journaled containers (an ERROR or EXPIRED one is never published; the next attempt makes new ones). */
  async function clearContainers(journal: PublishJournal, request: PublishRequest): Promise<void> {
    const children = request.media.length > 1 ? request.media.map((m) => [childKey(m.mediaId), '']) : [];
    await journal.save({ container: '', ...Object.fromEntries(children) });
  }

  /** The media a PUBLISHED container became: the account's recent media matching the caption, oldest first. */
  async function publishedMedia(accessToken: string, igUserId: string, caption: string, since: Date): Promise<PublishedPost | null> {
    const { data } = await graph.get('recent media', `${igUserId}/media`, accessToken, recentMedia, {
      fields: 'id,caption,timestamp,permalink',
      limit: '25',
    });
    const found = data
      .map((m) => ({ ...m, at: m.timestamp ? new Date(m.timestamp) : null }))
      .filter((m) => matchesAttempt(caption, { text: m.caption, createdAt: m.at }, since))
      .sort((a, b) => a.at!.getTime() - b.at!.getTime())[0];
    return found ? { providerPostId: found.id, permalink: found.permalink ?? null, publishedAt: found.at! } : null;
  }

  const status = (accessToken: string, container: string) =>
    graph.get('a container status', container, accessToken, containerAnswer, { fields: 'status_code,status' });

  return {
    requiredScopes: INSTAGRAM_PUBLISH_SCOPES,
    validate: (post) => composeProblems('instagram', post),

    async publish(accessToken, target, request, journal) {
      const igUserId = target.externalId;
      if (request.media.length === 0) throw new ProviderError('instagram', 'rejected', 'Instagram has no text-only posts: add an image.');
      let container = journaled(journal, 'container');
      if (!container) {
        await checkQuota(accessToken, igUserId);
        container = await createContainer(accessToken, igUserId, request, journal);
        await journal.save({ container });
      }
      const { status_code: code, status: words } = await status(accessToken, container);
      if (code === 'IN_PROGRESS')
        return { kind: 'pending', checkAfterMs: CHECK_AFTER_MS, reason: 'Instagram is still processing the image.' };
      if (code === 'ERROR' || code === 'EXPIRED') {
        await clearContainers(journal, request);
        const why =
          code === 'EXPIRED'
            ? 'the prepared post expired (Instagram keeps it 24 hours) before it was published'
            : `Instagram could not process the image${words ? ` (${words})` : ''}`;
        throw new ProviderError('instagram', 'rejected', `Instagram refused the post: ${why}.`);
      }
      if (code === 'PUBLISHED') {
        // An earlier attempt published it and its answer was lost.
        const post = await publishedMedia(accessToken, igUserId, request.text, new Date(0));
        if (post) return { kind: 'published', post };
        throw new ProviderError(
          'instagram',
          'rejected',
          'Instagram says this post was published, but it is not among the account’s recent media.',
        );
      }
      await journal.beginMutation();
      const { id } = await refusing(provider, () =>
        graph.post('a published container', `${igUserId}/media_publish`, accessToken, created, { creation_id: container }),
      );
      // The post exists now: a failure to read its permalink must not make the outcome look unknown.
      const media = await graph.get('a published media', id, accessToken, mediaAnswer, { fields: 'permalink,timestamp' }).catch(() => null);
      return {
        kind: 'published',
        post: {
          providerPostId: id,
          permalink: media?.permalink ?? null,
          publishedAt: media?.timestamp ? new Date(media.timestamp) : new Date(),
        },
      };
    },

    /** The journaled container's status_code decides: PUBLISHED is published; anything else was never published. */
    async reconcile(accessToken, target, request, attempt) {
      const container = journaled(attempt, 'container');
      // media_publish needs the container id, which is journaled before it can be called.
      if (!container) return { kind: 'not_published' };
      const { status_code: code } = await status(accessToken, container);
      if (code !== 'PUBLISHED') return { kind: 'not_published' };
      const post = await publishedMedia(accessToken, target.externalId, request.text, attempt.startedAt);
      if (post) return { kind: 'published', post };
      return {
        kind: 'unknown',
        reason: 'Instagram says this post was published, but it is not among the account’s recent media: check the account.',
      };
    },
  };
}
