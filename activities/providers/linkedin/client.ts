// LinkedIn OAuth 2.0 (authorization code, no PKCE for web apps; client secret in the form body) plus
// OpenID Connect userinfo. Access tokens last 60 days; only approved partners get refresh tokens,
// which do not rotate and expire a year after first consent. Docs: learn.microsoft.com/linkedin.
import * as oauth from 'oauth4webapi';
import { apiRequest, authorizationServer, callbackParameters, kindForStatus, oauthRequestOptions, readJson, tokenEndpointFailure, tokenSetFrom } from '../http.js';
import { ProviderError, type AuthorizationRequest, type OAuthApp, type Profile, type TokenSet } from '../types.js';

export function linkedinClient(app: OAuthApp & { apiVersion: string }) {
  const as = authorizationServer(app, {
    issuer: `${app.authUrl}/oauth`,
    authorize: `${app.authUrl}/oauth/v2/authorization`,
    token: `${app.authUrl}/oauth/v2/accessToken`,
    revoke: `${app.authUrl}/oauth/v2/revoke`,
  });
  const client: oauth.Client = { client_id: app.clientId };
  const auth = oauth.ClientSecretPost(app.clientSecret);
  // LinkedIn's token responses carry no token_type (documented and observed); OAuth 2.0 requires one and
  // oauth4webapi checks it, so successful token responses get the bearer type they mean.
  const options = { ...oauthRequestOptions(app), [oauth.customFetch]: withBearerTokenType };
  const restHeaders = { 'LinkedIn-Version': app.apiVersion, 'X-Restli-Protocol-Version': '2.0.0' };

  // A bad or expired refresh token answers 400 invalid_request.
  const failure = (error: unknown) =>
    tokenEndpointFailure('linkedin', error, { grantDeadErrors: ['invalid_grant', 'invalid_request'], retryAfterMs });


  async function fail(response: Response): Promise<never> {
    const body = await readJson(response);
    const kind = kindForStatus(response.status);
    const detail = body.serviceErrorCode ? ` (serviceErrorCode ${body.serviceErrorCode})` : '';
    throw new ProviderError('linkedin', kind, `LinkedIn API: ${body.message ?? response.status}${detail}`, response.status, kind === 'rate_limited' ? retryAfterMs(response) : undefined);
  }

  return {
    platform: 'linkedin' as const,
    usesPkce: false,
    apiUrl: app.apiUrl,

    authorizationUrl(request: AuthorizationRequest): URL {
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: request.redirectUri,
        scope: app.scopes,
        state: request.state,
      }).toString();
      return url;
    },

    async exchangeCode(code: string, _codeVerifier: string | null, redirectUri: string): Promise<TokenSet> {
      try {
        const response = await oauth.authorizationCodeGrantRequest(as, client, auth, callbackParameters(as, client, code), redirectUri, oauth.nopkce, options);
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

    async revoke(token: string): Promise<void> {
      try {
        await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, token, options));
      } catch (error) {
        throw failure(error);
      }
    },

    /** The member (OpenID userinfo) and the first organization they administer, whose page we sync. */
    async profile(accessToken: string): Promise<Profile> {
      const userinfo = await apiRequest('linkedin', `${app.apiUrl}/v2/userinfo`, { accessToken });
      if (!userinfo.ok) await fail(userinfo);
      const member = await readJson(userinfo);
      const acls = await apiRequest('linkedin', `${app.apiUrl}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`, {
        accessToken,
        headers: restHeaders,
      });
      if (!acls.ok) await fail(acls);
      const organization: string | undefined = (await readJson(acls)).elements?.[0]?.organization;
      return {
        externalId: member.sub,
        username: member.email ?? member.name ?? null,
        displayName: member.name ?? null,
        avatarUrl: member.picture ?? null,
        metadata: organization ? { organizationUrn: organization } : undefined,
      };
    },

    restHeaders,
    fail,
  };
}

const withBearerTokenType: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!response.ok || !response.headers.get('content-type')?.includes('json')) return response;
  const body = await response.json();
  return Response.json(typeof body === 'object' && body && !('token_type' in body) ? { ...body, token_type: 'bearer' } : body, {
    status: response.status,
  });
};

/** LinkedIn documents no rate-limit headers; honour Retry-After when sent, else wait a minute. */
export function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

export type LinkedinClient = ReturnType<typeof linkedinClient>;
