// X (Twitter) OAuth 2.0 with PKCE for a confidential client (HTTP Basic at the token endpoint).
// Access tokens live about 2 hours; refresh tokens rotate on every use, so the caller must store the
// new pair before anything else can fail. Docs: docs.x.com (OAuth 2.0 Authorization Code with PKCE).
import * as oauth from 'oauth4webapi';
import { apiRequest, authorizationServer, callbackParameters, kindForStatus, oauthRequestOptions, readJson, tokenEndpointFailure, tokenSetFrom } from '../http.js';
import { ProviderError, type AuthorizationRequest, type OAuthApp, type Profile, type TokenSet } from '../types.js';

export function twitterClient(app: OAuthApp) {
  const as = authorizationServer(app, {
    issuer: app.authUrl,
    authorize: `${app.authUrl}/i/oauth2/authorize`,
    token: `${app.apiUrl}/2/oauth2/token`,
    revoke: `${app.apiUrl}/2/oauth2/revoke`,
  });
  const client: oauth.Client = { client_id: app.clientId };
  const auth = oauth.ClientSecretBasic(app.clientSecret);
  const options = oauthRequestOptions(app);

  const failure = (error: unknown) =>
    // A reused or revoked refresh token answers 400 invalid_request ("Value passed for the token was invalid.").
    tokenEndpointFailure('twitter', error, { grantDeadErrors: ['invalid_grant', 'invalid_request'], retryAfterMs });


  async function fail(response: Response): Promise<never> {
    const body = await readJson(response);
    const kind = kindForStatus(response.status);
    throw new ProviderError('twitter', kind, `X API: ${body.title ?? body.detail ?? response.status}`, response.status, kind === 'rate_limited' ? retryAfterMs(response) : undefined);
  }

  return {
    platform: 'twitter' as const,
    usesPkce: true,
    apiUrl: app.apiUrl,

    authorizationUrl(request: AuthorizationRequest): URL {
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: request.redirectUri,
        scope: app.scopes,
        state: request.state,
        code_challenge: request.codeChallenge!,
        code_challenge_method: 'S256',
      }).toString();
      return url;
    },

    async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<TokenSet> {
      try {
        const response = await oauth.authorizationCodeGrantRequest(as, client, auth, callbackParameters(as, client, code), redirectUri, codeVerifier, options);
        return tokenSetFrom(await oauth.processAuthorizationCodeResponse(as, client, response));
      } catch (error) {
        throw failure(error);
      }
    },

    async refresh(refreshToken: string): Promise<TokenSet> {
      try {
        const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options);
        return tokenSetFrom(await oauth.processRefreshTokenResponse(as, client, response));
      } catch (error) {
        throw failure(error);
      }
    },

    async revoke(token: string, hint: 'access_token' | 'refresh_token' = 'access_token'): Promise<void> {
      try {
        const response = await oauth.revocationRequest(as, client, auth, token, { ...options, additionalParameters: { token_type_hint: hint } });
        await oauth.processRevocationResponse(response);
      } catch (error) {
        throw failure(error);
      }
    },

    async profile(accessToken: string): Promise<Profile> {
      const response = await apiRequest('twitter', `${app.apiUrl}/2/users/me?user.fields=profile_image_url`, { accessToken });
      if (!response.ok) await fail(response);
      const { data } = await readJson(response);
      return { externalId: data.id, username: data.username, displayName: data.name ?? null, avatarUrl: data.profile_image_url ?? null };
    },

    fail,
  };
}

/** X tells when the window resets (x-rate-limit-reset, epoch seconds). */
export function retryAfterMs(response: Response, now = Date.now()): number | undefined {
  const reset = Number(response.headers.get('x-rate-limit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(1000, reset * 1000 - now) : undefined;
}

export type TwitterClient = ReturnType<typeof twitterClient>;
