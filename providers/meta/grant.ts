// What Facebook Pages and Instagram share: one Meta app and one Facebook Login grant. The code gives a
// short-lived user token (about an hour), exchanged for a long-lived one (about 60 days, no refresh
// token); the user's Pages come with Page tokens (no expiry while the grant holds), and an Instagram
// Business account acts through its Page's token. The user picks the Pages and Instagram accounts to
// connect; their accounts expire with the user's data access (about 90 days after they were last
// active). Docs: developers.facebook.com (Facebook Login, Graph API, Pages API, Instagram Graph API).
import { z } from 'zod';
import type { Config } from '../../lib/config.js';
import { oauthApp } from '../apps.js';
import type { AccountChoice, DiscoveredAccount, PostPage, Provider, Publisher, TokenSet } from '../contract.js';
import { apiCall } from '../http.js';
import { builtInPlatform } from '../metadata.js';
import { oauthClient, type OAuthApp } from '../oauth.js';
import { classifyMetaFailure } from './failures.js';
import type { Graph, GraphGet } from './posts.js';
import { withScopes } from '../publishing.js';
import { FACEBOOK_PUBLISH_SCOPES } from './publish.js';
import { INSTAGRAM_PUBLISH_SCOPES } from '../instagram/publish.js';

interface MetaPage {
  id: string;
  name: string;
  category: string | null;
  accessToken: string;
  instagram: { id: string; username: string | null; name: string | null; avatarUrl: string | null } | null;
}

const accountsAnswer = z.object({
  data: z.array(z.object({ id: z.string().min(1), name: z.string(), category: z.string().optional(), access_token: z.string().min(1) })),
  paging: z.object({ next: z.string().optional(), cursors: z.object({ after: z.string().optional() }).optional() }).optional(),
});
const linkedAnswer = z.object({ instagram_business_account: z.object({ id: z.string().min(1) }).optional() });
const instagramAnswer = z.object({
  id: z.string().min(1),
  username: z.string().optional(),
  name: z.string().optional(),
  profile_picture_url: z.string().optional(),
});
const debugAnswer = z.object({
  data: z.object({
    is_valid: z.boolean().optional(),
    data_access_expires_at: z.number().optional(),
    user_id: z.string().optional(),
    scopes: z.array(z.string()).optional(),
  }),
});

function metaApp(config: Config): OAuthApp | null {
  return oauthApp(
    config,
    {
      clientId: config.META_APP_ID,
      clientSecret: config.META_APP_SECRET,
      authUrl: config.META_WWW_URL,
      apiUrl: config.META_GRAPH_URL,
      // One grant serves both platforms: connect asks for what publishing to either needs.
      scopes: withScopes(config.META_SCOPES, [...FACEBOOK_PUBLISH_SCOPES, ...INSTAGRAM_PUBLISH_SCOPES], ','),
    },
    { name: 'meta', authPath: 'meta/www', apiPath: 'meta/graph' },
  );
}

/** The Graph API and the Meta login, for one of the two platforms that share them. */
function metaGrant(provider: Provider, app: OAuthApp, config: Config) {
  const graph = `${app.apiUrl}/${config.META_GRAPH_VERSION}`;
  const oauth = oauthClient(provider, {
    app,
    endpoints: {
      issuer: app.authUrl,
      authorize: `${app.authUrl}/${config.META_GRAPH_VERSION}/dialog/oauth`,
      token: `${graph}/oauth/access_token`,
    },
    clientAuth: 'post',
    pkce: false,
  });

  function get<S extends z.ZodType>(
    what: string,
    path: string,
    accessToken: string,
    schema: S,
    params: Record<string, string> = {},
    step: 'api' | 'app_token' = 'api',
  ) {
    const url = new URL(`${graph}/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return apiCall(provider, what, url, schema, { accessToken, step });
  }

  /** The user's Pages with their Page tokens, and each Page's linked Instagram Business account. */
  async function pages(userToken: string): Promise<MetaPage[]> {
    const found: MetaPage[] = [];
    let after: string | undefined;
    do {
      const batch = await get('me/accounts', 'me/accounts', userToken, accountsAnswer, {
        fields: 'id,name,category,access_token,tasks',
        limit: '100',
        ...(after ? { after } : {}),
      });
      for (const page of batch.data) {
        const linked = await get('a Page', page.id, page.access_token, linkedAnswer, { fields: 'instagram_business_account' });
        const igId = linked.instagram_business_account?.id;
        const ig = igId
          ? await get('an Instagram account', igId, page.access_token, instagramAnswer, { fields: 'id,username,name,profile_picture_url' })
          : null;
        found.push({
          id: page.id,
          name: page.name,
          category: page.category ?? null,
          accessToken: page.access_token,
          instagram: ig
            ? { id: ig.id, username: ig.username ?? null, name: ig.name ?? null, avatarUrl: ig.profile_picture_url ?? null }
            : null,
        });
      }
      after = batch.paging?.next ? batch.paging.cursors?.after : undefined;
    } while (after);
    return found;
  }

  /**
   * What debug_token (asked with our app token) says of the user token: the Facebook user behind the grant
   * (every login of that user to our app shares one grant, whatever token each got) and when their data
   * access runs out.
   */
  async function debugUserToken(
    userToken: string,
  ): Promise<{ grantUserId: string | null; dataAccessUntil: Date | null; scopes: string | null }> {
    const { data } = await get(
      'debug_token',
      'debug_token',
      `${app.clientId}|${app.clientSecret}`,
      debugAnswer,
      { input_token: userToken },
      'app_token',
    );
    if (data.is_valid === false)
      throw provider.classify({
        step: 'api',
        status: 400,
        headers: new Headers(),
        body: { error: { code: 190, message: 'token is no longer valid (debug_token)' } },
      });
    return {
      grantUserId: data.user_id ?? null,
      dataAccessUntil: data.data_access_expires_at && data.data_access_expires_at > 0 ? new Date(data.data_access_expires_at * 1000) : null,
      scopes: data.scopes ? data.scopes.join(',') : null,
    };
  }

  /** A POST to a publishing edge, parameters as a form (as Graph documents them). */
  function post<S extends z.ZodType>(what: string, path: string, accessToken: string, schema: S, params: Record<string, string>) {
    return apiCall(provider, what, `${graph}/${path}`, schema, { accessToken, method: 'POST', body: new URLSearchParams(params) });
  }

  return {
    get,
    post,
    authorizationUrl: oauth.authorizationUrl,
    exchangeCode: oauth.exchangeCode,

    /** The long-lived user token and the Pages (with their Instagram accounts) it covers, for the user to pick. */
    async discover(shortLived: TokenSet) {
      const userToken = await oauth.grant('fb_exchange_token', { fb_exchange_token: shortLived.accessToken });
      return { kind: 'choose' as const, userToken, choices: (await pages(userToken.accessToken)).map(choiceOf) };
    },

    /** The picked Pages and Instagram accounts, read again with the user token, with their Page tokens. */
    async selectAccounts(userToken: string, pick: { pageIds: string[]; instagramIds: string[] }): Promise<DiscoveredAccount[]> {
      const all = await pages(userToken);
      // Page tokens never expire, but the user's data access does: past it the business must reconnect.
      // Page tokens carry the user's grant; its scopes (debug_token) are stored on each account, so
      // the product can tell which accounts must reconnect to publish.
      const { grantUserId, dataAccessUntil, scopes } = await debugUserToken(userToken);
      // Stored on each account so a disconnect keeps the grant while another account, of any business, uses it.
      const grantMetadata: Record<string, string> = grantUserId ? { grantUserId } : {};
      const tokens = (page: MetaPage): TokenSet => ({
        accessToken: page.accessToken,
        refreshToken: null,
        expiresAt: dataAccessUntil,
        refreshTokenExpiresAt: null,
        scopes,
      });
      const accounts: DiscoveredAccount[] = all
        .filter((p) => pick.pageIds.includes(p.id))
        .map((page) => ({
          platform: 'meta',
          profile: {
            externalId: page.id,
            username: page.name,
            displayName: page.name,
            avatarUrl: null,
            metadata: { category: page.category ?? '', ...grantMetadata },
          },
          tokens: tokens(page),
        }));
      for (const page of all) {
        const ig = page.instagram;
        if (!ig || !pick.instagramIds.includes(ig.id)) continue;
        accounts.push({
          platform: 'instagram',
          profile: {
            externalId: ig.id,
            username: ig.username,
            displayName: ig.name,
            avatarUrl: ig.avatarUrl,
            metadata: { pageId: page.id, ...grantMetadata },
          },
          tokens: tokens(page),
          parentExternalId: page.id,
        });
      }
      return accounts;
    },

    /** Removes the app's grant: every user and Page token of it stops working. */
    async revoke(userToken: string | null): Promise<void> {
      if (!userToken) return;
      await apiCall(provider, 'a revocation', `${graph}/me/permissions`, z.unknown(), { accessToken: userToken, method: 'DELETE' });
    },
  };
}

function choiceOf(page: MetaPage): AccountChoice {
  return {
    pageId: page.id,
    pageName: page.name,
    category: page.category,
    instagram: page.instagram ? { id: page.instagram.id, username: page.instagram.username } : null,
  };
}

/**
 * A platform that connects through the Meta login. Facebook Pages and Instagram share the app, the
 * grant, discovery and failure reading; they differ only in what a sync reads with the Page token.
 */
export function metaLoginProvider(
  config: Config,
  platform: 'meta' | 'instagram',
  postsPage: (get: GraphGet, accessToken: string, externalId: string, cursor: string | null, since?: Date | null) => Promise<PostPage>,
  publisherOf: (provider: Provider, graph: Graph) => Publisher,
): Provider | null {
  const app = metaApp(config);
  if (!app) return null;
  const provider: Provider = {
    platform,
    metadata: builtInPlatform(platform)!,
    classify: (failure) => classifyMetaFailure(provider, failure),
    authorizationUrl: (request) => grant.authorizationUrl(request),
    exchangeCode: (code, verifier, redirectUri) => grant.exchangeCode(code, verifier, redirectUri),
    revoke: (stored) => grant.revoke(stored.userToken),
    discover: (tokens) => grant.discover(tokens),
    selectAccounts: (userToken, pick) => grant.selectAccounts(userToken, pick),
    postsPage: (accessToken, target, cursor, since) => postsPage(grant.get, accessToken, target.externalId, cursor, since),
    get publisher() {
      return publisher;
    },
  };
  const grant = metaGrant(provider, app, config);
  const publisher = publisherOf(provider, grant);
  return provider;
}
