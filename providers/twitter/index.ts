// X (Twitter): OAuth 2.0 with PKCE for a confidential client (HTTP Basic at the token endpoint). Access
// tokens live about 2 hours; refresh tokens rotate on every use, so the caller stores the new pair
// before anything else can fail. Docs: docs.x.com (OAuth 2.0 Authorization Code with PKCE, users/me).
import { z } from 'zod';
import type { Config } from '../../lib/config.js';
import { oauthApp } from '../apps.js';
import type { Provider } from '../contract.js';
import { apiCall } from '../http.js';
import { builtInPlatform } from '../metadata.js';
import { oauthClient } from '../oauth.js';
import { classifyTwitterFailure } from './failures.js';
import { cutAtSince } from '../since.js';
import { tweetsPage, tweetsPageAnswer } from './posts.js';
import { twitterPublisher, X_PUBLISH_SCOPES } from './publish.js';
import { withScopes } from '../publishing.js';

const me = z.object({
  data: z.object({
    id: z.string().min(1),
    username: z.string().min(1),
    name: z.string().optional(),
    profile_image_url: z.string().optional(),
  }),
});

export function twitterProvider(config: Config): Provider | null {
  const app = oauthApp(
    config,
    {
      clientId: config.TWITTER_CLIENT_ID,
      clientSecret: config.TWITTER_CLIENT_SECRET,
      authUrl: config.TWITTER_AUTH_URL,
      apiUrl: config.TWITTER_API_URL,
      // Connect asks for what publishing needs, whatever the configured list leaves out.
      scopes: withScopes(config.TWITTER_SCOPES, X_PUBLISH_SCOPES, ' '),
    },
    { name: 'twitter', authPath: 'x', apiPath: 'x' },
  );
  if (!app) return null;
  const provider: Provider = {
    platform: 'twitter',
    metadata: builtInPlatform('twitter')!,
    classify: (failure) => classifyTwitterFailure(provider, failure),
    get publisher() {
      return publisher;
    },
    authorizationUrl: (request) => oauth.authorizationUrl(request),
    exchangeCode: (code, verifier, redirectUri) => oauth.exchangeCode(code, verifier, redirectUri),
    refresh: (refreshToken) => oauth.refresh(refreshToken),

    /** Revoking the refresh token ends the whole grant; the access token otherwise. */
    async revoke(grant) {
      if (grant.refreshToken) await oauth.revoke(grant.refreshToken, 'refresh_token');
      if (grant.accessToken) await oauth.revoke(grant.accessToken, 'access_token');
    },

    async discover(tokens) {
      const { data } = await apiCall(provider, 'users/me', `${app.apiUrl}/2/users/me?user.fields=profile_image_url`, me, {
        accessToken: tokens.accessToken,
      });
      const profile = {
        externalId: data.id,
        username: data.username,
        displayName: data.name ?? null,
        avatarUrl: data.profile_image_url ?? null,
        // For permalinks (x.com/<username>/status/<id>), which read the account's metadata.
        metadata: { username: data.username },
      };
      return { kind: 'accounts', accounts: [{ platform: 'twitter', profile, tokens }] };
    },

    async postsPage(accessToken, target, cursor, since) {
      const url = new URL(`${app.apiUrl}/2/users/${encodeURIComponent(target.externalId)}/tweets`);
      url.searchParams.set('max_results', '100');
      url.searchParams.set('tweet.fields', 'public_metrics,created_at');
      if (cursor) url.searchParams.set('pagination_token', cursor);
      // X filters by time itself (start_time, inclusive, whole seconds); its pagination tokens carry the filter.
      if (since) url.searchParams.set('start_time', since.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      const page = tweetsPage(provider, await apiCall(provider, 'a timeline page', url, tweetsPageAnswer, { accessToken }));
      const cut = cutAtSince(page.posts, (post) => post.postedAt, since);
      return { ...page, posts: cut.posts, nextCursor: cut.passed ? null : page.nextCursor };
    },
  };
  const publisher = twitterPublisher(provider, app.apiUrl);
  const oauth = oauthClient(provider, {
    app,
    endpoints: {
      issuer: app.authUrl,
      authorize: `${app.authUrl}/i/oauth2/authorize`,
      token: `${app.apiUrl}/2/oauth2/token`,
      revoke: `${app.apiUrl}/2/oauth2/revoke`,
    },
    clientAuth: 'basic',
    pkce: true,
    revokeHint: true,
  });
  return provider;
}
