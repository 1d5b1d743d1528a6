// Meta: Facebook Login for a user token (short-lived, exchanged for a 60-day one), then Page tokens
// from /me/accounts (no expiry while the grant holds); Instagram Business accounts act through their
// Page's token. Graph errors: code 190 = grant gone, 4/17/32/613/80001 = throttled.
// Docs: developers.facebook.com (Facebook Login, Graph API, Pages API, Instagram Graph API).
import * as oauth from 'oauth4webapi';
import { apiRequest, authorizationServer, callbackParameters, oauthRequestOptions, readJson, tokenEndpointFailure, tokenSetFrom } from '../http.js';
import { ProviderError, type AuthorizationRequest, type OAuthApp, type Profile, type TokenSet } from '../types.js';

export interface MetaPage {
  id: string;
  name: string;
  category: string | null;
  accessToken: string;
  instagram: { id: string; username: string | null; name: string | null; avatarUrl: string | null } | null;
}

const THROTTLE_CODES = new Set([4, 17, 32, 613, 80001]);

export function metaClient(app: OAuthApp & { graphVersion: string }) {
  const graph = `${app.apiUrl}/${app.graphVersion}`;
  const as = authorizationServer(app, {
    issuer: app.authUrl,
    authorize: `${app.authUrl}/${app.graphVersion}/dialog/oauth`,
    token: `${graph}/oauth/access_token`,
  });
  const client: oauth.Client = { client_id: app.clientId };
  const auth = oauth.ClientSecretPost(app.clientSecret);
  const options = oauthRequestOptions(app);

  /** Reads a Graph error body (`{error:{code,error_subcode,message}}`) into a ProviderError. */
  async function graphFailure(response: Response): Promise<ProviderError> {
    const body = await readJson(response.bodyUsed ? response.clone() : response).catch(() => ({}) as Record<string, any>);
    const error = body.error ?? {};
    const code = Number(error.code);
    let kind: ProviderError['kind'] = response.status >= 500 || code === 1 || code === 2 ? 'unavailable' : 'rejected';
    if (code === 190) kind = 'grant_revoked';
    else if (THROTTLE_CODES.has(code) || response.status === 429) kind = 'rate_limited';
    const subcode = error.error_subcode ? `/${error.error_subcode}` : '';
    return new ProviderError(
      'meta',
      kind,
      `Graph API error ${Number.isFinite(code) ? code : response.status}${subcode}: ${error.message ?? 'no message'}`,
      response.status,
      kind === 'rate_limited' ? retryAfterMs(response) : undefined,
    );
  }

  async function tokenFailure(error: unknown): Promise<ProviderError> {
    const response = (error as { cause?: unknown })?.cause;
    if (response instanceof Response && !response.bodyUsed) return graphFailure(response);
    return tokenEndpointFailure('meta', error, { grantDeadErrors: [], retryAfterMs });
  }

  async function get(path: string, accessToken: string, params: Record<string, string> = {}): Promise<Record<string, any>> {
    const url = new URL(`${graph}/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const response = await apiRequest('meta', url, { accessToken });
    if (!response.ok) throw await graphFailure(response);
    return readJson(response);
  }


  return {
    platform: 'meta' as const,
    usesPkce: false,

    authorizationUrl(request: AuthorizationRequest): URL {
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: request.redirectUri,
        state: request.state,
        scope: app.scopes,
        response_type: 'code',
      }).toString();
      return url;
    },

    /** The code gives a short-lived user token (about an hour). */
    async exchangeCode(code: string, _codeVerifier: string | null, redirectUri: string): Promise<TokenSet> {
      try {
        const response = await oauth.authorizationCodeGrantRequest(as, client, auth, callbackParameters(as, client, code), redirectUri, oauth.nopkce, options);
        return tokenSetFrom(await oauth.processAuthorizationCodeResponse(as, client, response));
      } catch (error) {
        throw await tokenFailure(error);
      }
    },

    /** Short-lived user token -> long-lived (about 60 days; there is no refresh token). */
    async longLivedUserToken(shortLived: string): Promise<TokenSet> {
      try {
        const response = await oauth.genericTokenEndpointRequest(as, client, auth, 'fb_exchange_token', { fb_exchange_token: shortLived }, options);
        return tokenSetFrom(await oauth.processGenericTokenEndpointResponse(as, client, response));
      } catch (error) {
        throw await tokenFailure(error);
      }
    },

    async me(userToken: string): Promise<{ id: string; name: string | null }> {
      const me = await get('me', userToken, { fields: 'id,name' });
      return { id: String(me.id), name: me.name ?? null };
    },

    /** The user's Pages with their Page tokens, and each Page's linked Instagram Business account. */
    async pages(userToken: string): Promise<MetaPage[]> {
      const pages: MetaPage[] = [];
      let after: string | undefined;
      do {
        const batch = await get('me/accounts', userToken, { fields: 'id,name,category,access_token,tasks', limit: '100', ...(after ? { after } : {}) });
        for (const page of batch.data ?? []) {
          const linked = await get(String(page.id), page.access_token, { fields: 'instagram_business_account' });
          const igId: string | undefined = linked.instagram_business_account?.id;
          const ig = igId ? await get(igId, page.access_token, { fields: 'id,username,name,profile_picture_url' }) : null;
          pages.push({
            id: String(page.id),
            name: page.name,
            category: page.category ?? null,
            accessToken: page.access_token,
            instagram: ig ? { id: String(ig.id), username: ig.username ?? null, name: ig.name ?? null, avatarUrl: ig.profile_picture_url ?? null } : null,
          });
        }
        after = batch.paging?.next ? batch.paging?.cursors?.after : undefined;
      } while (after);
      return pages;
    },

    /** When the user's data access (about 90 days after they were last active) runs out. */
    async dataAccessExpiresAt(token: string): Promise<Date | null> {
      const { data } = await get('debug_token', `${app.clientId}|${app.clientSecret}`, { input_token: token });
      if (data?.is_valid === false) throw new ProviderError('meta', 'grant_revoked', 'Graph API: token is no longer valid (debug_token).');
      return typeof data?.data_access_expires_at === 'number' && data.data_access_expires_at > 0 ? new Date(data.data_access_expires_at * 1000) : null;
    },

    /** Removes the app's grant: every user and Page token of it stops working. */
    async revoke(userToken: string): Promise<void> {
      const response = await apiRequest('meta', `${graph}/me/permissions`, { accessToken: userToken, method: 'DELETE' });
      if (!response.ok) throw await graphFailure(response);
    },

    pageProfile(page: MetaPage): Profile {
      return { externalId: page.id, username: page.name, displayName: page.name, avatarUrl: null, metadata: { category: page.category ?? '' } };
    },

    instagramProfile(page: MetaPage): Profile {
      const ig = page.instagram!;
      return { externalId: ig.id, username: ig.username, displayName: ig.name, avatarUrl: ig.avatarUrl, metadata: { pageId: page.id } };
    },

    get,
    graphFailure,
  };
}

/** Meta's usage headers say, in minutes, when access returns; without them wait a minute. */
export function retryAfterMs(response: Response): number {
  for (const header of ['x-business-use-case-usage', 'x-app-usage']) {
    try {
      const parsed = JSON.parse(response.headers.get(header) ?? 'null');
      const entries = parsed && !('call_count' in parsed) ? Object.values(parsed).flat() : [parsed];
      const minutes = Math.max(0, ...entries.map((e: any) => Number(e?.estimated_time_to_regain_access) || 0));
      if (minutes > 0) return minutes * 60_000;
    } catch {
      // Malformed header: fall through to the default.
    }
  }
  return 60_000;
}

export type MetaClient = ReturnType<typeof metaClient>;
