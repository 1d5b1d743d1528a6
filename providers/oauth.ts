// The OAuth 2.0 steps, written once on oauth4webapi and configured per provider: endpoints, how the
// client authenticates, PKCE, and token-answer quirks. Failures go to the provider's own classify().
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { ProviderError, type AuthorizationRequest, type Provider, type ProviderStep, type TokenSet } from './contract.js';
import { isNetworkFailure, parseAnswer, readBody, secondsFromNow, TIMEOUT_MS, unreachable } from './http.js';

/** One OAuth app's credentials and base URLs (the real hosts, or the sandbox outside production). */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** Stands for the provider's web host (consent pages). */
  authUrl: string;
  /** Stands for the provider's API host (tokens, profiles, content). */
  apiUrl: string;
  scopes: string;
  /** True when the URLs point at plain-http hosts (the local sandbox). */
  sandbox: boolean;
}

export interface OAuthSettings {
  app: OAuthApp;
  endpoints: { issuer: string; authorize: string; token: string; revoke?: string };
  /** HTTP Basic (X) or id and secret in the form body (LinkedIn, Meta). */
  clientAuth: 'basic' | 'post';
  pkce: boolean;
  /** LinkedIn's token answers carry no token_type; OAuth 2.0 requires one and oauth4webapi checks it. */
  tokenTypeMissing?: boolean;
  /** Send token_type_hint with a revocation (X revokes the whole grant through its refresh token). */
  revokeHint?: boolean;
}

type ProviderRef = Pick<Provider, 'platform' | 'metadata' | 'classify'>;

// What oauth4webapi does not check in a token answer, checked here.
const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().optional(),
  refresh_token_expires_in: z.number().optional(),
  scope: z.string().optional(),
});

export function oauthClient(provider: ProviderRef, settings: OAuthSettings) {
  const { app, endpoints } = settings;
  const as: oauth.AuthorizationServer = {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    revocation_endpoint: endpoints.revoke,
  };
  const client: oauth.Client = { client_id: app.clientId };
  const auth = settings.clientAuth === 'basic' ? oauth.ClientSecretBasic(app.clientSecret) : oauth.ClientSecretPost(app.clientSecret);
  const options = {
    signal: () => AbortSignal.timeout(TIMEOUT_MS),
    [oauth.allowInsecureRequests]: app.sandbox,
    ...(settings.tokenTypeMissing ? { [oauth.customFetch]: withBearerTokenType } : {}),
  };

  async function tokens(step: ProviderStep, call: () => Promise<oauth.TokenEndpointResponse>): Promise<TokenSet> {
    let answer: oauth.TokenEndpointResponse;
    try {
      answer = await call();
    } catch (error) {
      throw await failureOf(provider, step, error);
    }
    const checked = parseAnswer(provider, 'a token request', tokenAnswer, answer);
    return {
      accessToken: checked.access_token,
      refreshToken: checked.refresh_token ?? null,
      expiresAt: secondsFromNow(checked.expires_in),
      refreshTokenExpiresAt: secondsFromNow(checked.refresh_token_expires_in),
      scopes: checked.scope ?? null,
    };
  }

  return {
    authorizationUrl(request: AuthorizationRequest): URL {
      const url = new URL(endpoints.authorize);
      const params: Record<string, string> = {
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: request.redirectUri,
        scope: app.scopes,
        state: request.state,
      };
      if (settings.pkce) {
        if (!request.codeChallenge) throw new Error(`${provider.metadata.displayName} needs a PKCE challenge.`);
        Object.assign(params, { code_challenge: request.codeChallenge, code_challenge_method: 'S256' });
      }
      url.search = new URLSearchParams(params).toString();
      return url;
    },

    exchangeCode(code: string, codeVerifier: string | null, redirectUri: string): Promise<TokenSet> {
      return tokens('exchange', async () => {
        if (settings.pkce && !codeVerifier) throw new ProviderError(provider.platform, 'rejected', 'The PKCE verifier is missing.');
        // The API already checked `state` against its one-time record before the code reached here.
        const params = oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          auth,
          params,
          redirectUri,
          codeVerifier ?? oauth.nopkce,
          options,
        );
        return oauth.processAuthorizationCodeResponse(as, client, response);
      });
    },

    refresh(refreshToken: string): Promise<TokenSet> {
      return tokens('refresh', async () =>
        oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options)),
      );
    },

    /** Another grant type at the token endpoint (Meta's fb_exchange_token for a long-lived user token). */
    grant(grantType: string, parameters: Record<string, string>): Promise<TokenSet> {
      return tokens('exchange', async () =>
        oauth.processGenericTokenEndpointResponse(
          as,
          client,
          await oauth.genericTokenEndpointRequest(as, client, auth, grantType, parameters, options),
        ),
      );
    },

    async revoke(token: string, hint?: 'access_token' | 'refresh_token'): Promise<void> {
      try {
        const extra = settings.revokeHint && hint ? { additionalParameters: { token_type_hint: hint } } : {};
        await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, token, { ...options, ...extra }));
      } catch (error) {
        throw await failureOf(provider, 'revoke', error);
      }
    },
  };
}

/** Turns whatever oauth4webapi or fetch threw into the provider's classified error. */
async function failureOf(provider: ProviderRef, step: ProviderStep, error: unknown): Promise<ProviderError> {
  if (error instanceof ProviderError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    return provider.classify({ step, status: error.status, headers: error.response.headers, body: error.cause });
  }
  const cause = (error as { cause?: unknown })?.cause;
  const response = error instanceof oauth.WWWAuthenticateChallengeError ? error.response : cause instanceof Response ? cause : undefined;
  if (response) {
    const body = response.bodyUsed ? {} : await readBody(response);
    return provider.classify({ step, status: response.status, headers: response.headers, body });
  }
  if (isNetworkFailure(error)) return unreachable(provider, error, 'token endpoint');
  // oauth4webapi refused a successful answer (no access_token, an unknown token_type, ...).
  return new ProviderError(
    provider.platform,
    'rejected',
    `${provider.metadata.displayName} token endpoint answered in an unexpected shape (${(error as Error)?.message ?? String(error)})`,
  );
}

const withBearerTokenType: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!response.ok || !response.headers.get('content-type')?.includes('json')) return response;
  const body = await response.json();
  return Response.json(typeof body === 'object' && body && !('token_type' in body) ? { ...body, token_type: 'bearer' } : body, {
    status: response.status,
  });
};
