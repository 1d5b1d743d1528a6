// The provider clients use oauth4webapi; these tests run that library against the sandbox to show the
// protocol mechanics work unchanged but for base URLs (and show LinkedIn's missing token_type quirk).
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from './server.js';
import { consent, silentSandbox } from './test-helpers.js';

const insecure = { [oauth.allowInsecureRequests]: true };
let sbx: RunningSandbox;
beforeAll(async () => {
  sbx = await silentSandbox();
});
afterAll(() => sbx.close());

describe('oauth4webapi against the sandbox', () => {
  it('X: PKCE code grant, API call, rotation and the rejected reuse', async () => {
    const as: oauth.AuthorizationServer = {
      issuer: 'https://x.com',
      authorization_endpoint: `${sbx.url}/x/i/oauth2/authorize`,
      token_endpoint: `${sbx.url}/x/2/oauth2/token`,
      revocation_endpoint: `${sbx.url}/x/2/oauth2/revoke`,
    };
    const client: oauth.Client = { client_id: 'sandbox-twitter-client' };
    const auth = oauth.ClientSecretBasic('sandbox-twitter-secret');
    const redirectUri = 'http://127.0.0.1:8000/api/v1/oauth/twitter/callback';
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope: 'tweet.read users.read offline.access',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();

    const { location } = await consent(url.toString());
    const params = oauth.validateAuthResponse(as, client, location as URL, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.token_type).toBe('bearer');

    const me = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(`${sbx.url}/x/2/users/me`),
      undefined,
      undefined,
      insecure,
    );
    expect((await me.json()).data.username).toBe('sandbox_x');

    const rotated = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token as string, insecure),
    );
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const reuse = oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token as string, insecure),
    );
    await expect(reuse).rejects.toMatchObject({
      error: 'invalid_request',
      error_description: 'Value passed for the token was invalid.',
    });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, rotated.access_token, insecure));
  });

  it('LinkedIn: discovery, code grant without PKCE, ID token; token_type is missing as on the real one', async () => {
    const issuer = new URL(`${sbx.url}/linkedin/oauth`);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }));
    const client: oauth.Client = { client_id: 'sandbox-linkedin-client' };
    const auth = oauth.ClientSecretPost('sandbox-linkedin-secret');
    const redirectUri = 'http://localhost:8000/api/v1/oauth/linkedin/callback';
    const grant = async () => {
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        state,
        nonce,
      }).toString();
      const { location } = await consent(url.toString());
      const params = oauth.validateAuthResponse(as, client, location as URL, state);
      return { params, nonce };
    };

    const first = await grant();
    const plain = await oauth.authorizationCodeGrantRequest(as, client, auth, first.params, redirectUri, oauth.nopkce, insecure);
    await expect(oauth.processAuthorizationCodeResponse(as, client, plain, { expectedNonce: first.nonce })).rejects.toThrow(/token_type/);

    // The workaround a LinkedIn client needs (as with the real LinkedIn): default token_type to bearer.
    const withTokenType: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!response.ok) return response;
      const body = await response.json();
      return Response.json({ token_type: 'Bearer', ...body }, { status: response.status, headers: response.headers });
    };
    const second = await grant();
    const fixed = await oauth.authorizationCodeGrantRequest(as, client, auth, second.params, redirectUri, oauth.nopkce, {
      ...insecure,
      [oauth.customFetch]: withTokenType,
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, fixed, {
      expectedNonce: second.nonce,
      requireIdToken: true,
    });
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('sbxLiMember01');
    const info = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(as.userinfo_endpoint as string),
      undefined,
      undefined,
      insecure,
    );
    expect((await info.json()).email).toBe('sandbox.member@example.com');
  });

  it('Meta: code grant with client_secret_post against the Graph token endpoint', async () => {
    const as: oauth.AuthorizationServer = {
      issuer: 'https://www.facebook.com',
      authorization_endpoint: `${sbx.url}/meta/www/v21.0/dialog/oauth`,
      token_endpoint: `${sbx.url}/meta/graph/v21.0/oauth/access_token`,
    };
    const client: oauth.Client = { client_id: 'sandbox-meta-client' };
    const redirectUri = 'http://localhost:8000/api/v1/oauth/meta/callback';
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      state,
      scope: 'pages_show_list,pages_read_engagement',
      response_type: 'code',
    }).toString();
    const { location } = await consent(url.toString());
    const params = oauth.validateAuthResponse(as, client, location as URL, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('sandbox-meta-secret'),
      params,
      redirectUri,
      oauth.nopkce,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
  });
});
