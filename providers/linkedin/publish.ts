// Publishing to LinkedIn: as the organization the member administers (the one the sync reads, stored
// at connect as `organizationUrn`), else as the member. Images by POST /rest/images?action=
// initializeUpload then PUT of the bytes, each image URN journaled once uploaded; then POST /rest/posts,
// whose URN comes back in `x-restli-id`. The commentary is written in the "little" text format: an
// unescaped reserved character makes LinkedIn cut the post there without a word. A 422 DUPLICATE_POST
// names the existing post, which is taken as the result. Docs: learn.microsoft.com/linkedin/marketing/
// community-management/shares (posts-api, images-api, little-text-format); PUBLISHING.md 1.2.
import { z } from 'zod';
import {
  DuplicatePostError,
  ProviderError,
  type PublishMedia,
  type PublishedPost,
  type Publisher,
  type Provider,
  type SyncTarget,
} from '../contract.js';
import { composeProblems } from '../compose-rules.js';
import { apiCall, apiResponse } from '../http.js';
import { journaled, matchesAttempt, refusing } from '../publishing.js';

/** Posting as a member and as an organization; connect asks for both, as the sync reads organizations. */
export const LINKEDIN_PUBLISH_SCOPES = ['w_member_social', 'w_organization_social'] as const;

const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/**
 * Text in the little text format: every reserved character escaped, except a `#word` hashtag, written
 * as LinkedIn's hashtag template so it stays a hashtag.
 */
export function littleText(text: string): string {
  return text
    .split(/(?<=^|\s)#([\p{L}\p{N}]+)/u)
    .map((part, i) => (i % 2 === 1 ? `{hashtag|\\#|${part}}` : part.replace(RESERVED, (c) => `\\${c}`)))
    .join('');
}

/** linkedin.com/feed/update/<urn>/, the post's address for shares and ugcPosts alike. */
const permalink = (urn: string) => `https://www.linkedin.com/feed/update/${urn}/`;

const initialized = z.object({ value: z.object({ uploadUrl: z.string().url(), image: z.string().min(1) }) });
const postsAnswer = z.object({
  elements: z.array(
    z.object({
      id: z.string().min(1),
      commentary: z.string().optional(),
      createdAt: z.number().optional(),
      publishedAt: z.number().optional(),
    }),
  ),
});

export function linkedinPublisher(provider: Provider, rest: { apiUrl: string; headers: Record<string, string> }): Publisher {
  const authorOf = (target: SyncTarget) => target.metadata.organizationUrn ?? `urn:li:person:${target.externalId}`;

  async function upload(accessToken: string, owner: string, media: PublishMedia): Promise<string> {
    const { value } = await apiCall(provider, 'an image upload', `${rest.apiUrl}/rest/images?action=initializeUpload`, initialized, {
      accessToken,
      method: 'POST',
      headers: { ...rest.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ initializeUploadRequest: { owner } }),
    });
    // The upload URL is on LinkedIn's own host and takes the same bearer token.
    await apiResponse(provider, value.uploadUrl, {
      accessToken,
      method: 'PUT',
      headers: { 'content-type': media.mimeType },
      body: new Uint8Array(await media.read()),
    });
    return value.image;
  }

  /** POST /rest/posts: the new post's URN, or the one a 422 DUPLICATE_POST names. */
  async function create(accessToken: string, body: unknown): Promise<string> {
    try {
      const { headers } = await apiResponse(provider, `${rest.apiUrl}/rest/posts`, {
        accessToken,
        method: 'POST',
        headers: { ...rest.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const urn = headers.get('x-restli-id');
      if (!urn)
        throw new ProviderError('linkedin', 'rejected', 'LinkedIn API: the post was answered without its id (no x-restli-id header)');
      return urn;
    } catch (error) {
      if (error instanceof DuplicatePostError && error.existingPostId) return error.existingPostId;
      throw error;
    }
  }

  return {
    requiredScopes: LINKEDIN_PUBLISH_SCOPES,
    validate: (post) => composeProblems('linkedin', post),

    async publish(accessToken, target, request, journal) {
      const author = authorOf(target);
      const images: string[] = [];
      for (const media of request.media) {
        const key = `media:${media.mediaId}`;
        let urn = journaled(journal, key);
        if (!urn) {
          urn = await refusing(provider, () => upload(accessToken, author, media));
          await journal.save({ [key]: urn });
        }
        images.push(urn);
      }
      const content =
        images.length === 1
          ? { media: { id: images[0] } }
          : images.length > 1
            ? { multiImage: { images: images.map((id) => ({ id })) } }
            : null;
      const body = {
        author,
        commentary: littleText(request.text),
        visibility: 'PUBLIC',
        distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
        lifecycleState: 'PUBLISHED',
        isReshareDisabledByAuthor: false,
        ...(content ? { content } : {}),
      };
      await journal.beginMutation();
      const urn = await refusing(provider, () => create(accessToken, body));
      const post: PublishedPost = { providerPostId: urn, permalink: permalink(urn), publishedAt: new Date() };
      return { kind: 'published', post };
    },

    /** The author's recent posts (an organization's; a member's need the restricted r_member_social). */
    async reconcile(accessToken, target, request, attempt) {
      const author = authorOf(target);
      const url = `${rest.apiUrl}/rest/posts?q=author&author=${encodeURIComponent(author)}&count=50&sortBy=CREATED`;
      let page: z.output<typeof postsAnswer>;
      try {
        page = await apiCall(provider, 'the author posts', url, postsAnswer, { accessToken, headers: rest.headers });
      } catch (error) {
        if (error instanceof ProviderError && error.status === 403 && author.startsWith('urn:li:person:'))
          return {
            kind: 'unknown',
            reason:
              'LinkedIn lets only approved partners read a member’s own posts back, so whether this one went out cannot be checked here: look at the profile before posting again.',
          };
        throw error;
      }
      const sent = littleText(request.text);
      const found = page.elements
        .map((p) => ({ id: p.id, commentary: p.commentary ?? '', at: new Date(p.publishedAt ?? p.createdAt ?? 0) }))
        .filter((p) => matchesAttempt(sent, { text: p.commentary, createdAt: p.at }, attempt.startedAt))
        .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (!found) return { kind: 'not_published' };
      return { kind: 'published', post: { providerPostId: found.id, permalink: permalink(found.id), publishedAt: found.at } };
    },
  };
}
