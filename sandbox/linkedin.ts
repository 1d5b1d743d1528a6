// LinkedIn under /linkedin, standing for both https://www.linkedin.com (OAuth) and
// https://api.linkedin.com (API, in linkedin-api.ts). Documented contract:
// learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow, token-introspection,
// programmatic-refresh-tokens, and Sign In with LinkedIn using OpenID Connect.
import express, { type Request, type Response, type Router } from 'express';
import { consentRoutes, type AuthorizeRequest } from './consent.js';
import { faultMiddleware } from './faults.js';
import { allParams, basicCredentials, redirectUriAllowed, splitScopes, type Params } from './http.js';
import { apiError, linkedinApiRouter } from './linkedin-api.js';
import { linkedinPublishRouter } from './linkedin-publish.js';
import type { IdTokenSigner } from './oidc.js';
import { checkToken, consentGrant, issueCode, issueToken, record, takeCode, type SandboxState, type TokenRecord } from './store.js';

/** Scopes the sandbox LinkedIn app has products for; retired ones (r_liteprofile, r_emailaddress) are refused. */
const LINKEDIN_SCOPES = [
  'openid',
  'profile',
  'email',
  'w_member_social',
  'r_organization_social',
  'w_organization_social',
  'rw_organization_admin',
  'r_organization_admin',
  'r_member_postAnalytics',
  // Restricted (approved partners): reading a member's own posts back.
  'r_member_social',
];

interface LinkedInAuthorize extends AuthorizeRequest {
  nonce?: string;
}

function oauthError(res: Response, status: number, error: string, description: string) {
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

// Observed LinkedIn token-endpoint messages (public issues). The invalid-client body is the RFC 6749
// shape with LinkedIn's wording as reported; the refresh error wording is unconfirmed.
const CODE_MISMATCH =
  'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists';
const BAD_REFRESH = 'The provided authorization grant or refresh token is invalid, expired or revoked';

export function linkedinRouter(state: SandboxState, signer: IdTokenSigner): Router {
  const router = express.Router();
  const issuer = () => `${state.publicUrl}/linkedin/oauth`;

  router.use(
    consentRoutes<LinkedInAuthorize>(state, ['/oauth/v2/authorization'], {
      platform: 'linkedin',
      providerName: 'LinkedIn',
      validate(q) {
        const app = state.clients.linkedin;
        if (q.client_id !== app.clientId) {
          return {
            ok: false,
            page: { title: 'Invalid client', message: `The passed in client_id is invalid "${q.client_id ?? ''}"` },
          };
        }
        if (!redirectUriAllowed(app, q.redirect_uri)) {
          return {
            ok: false,
            page: { title: 'Invalid redirect_uri', message: 'The redirect_uri does not match the registered value' },
          };
        }
        const back = (error: string, description: string) => ({
          ok: false as const,
          redirect: {
            uri: q.redirect_uri as string,
            params: { error, error_description: description, state: q.state },
          },
        });
        if (q.response_type !== 'code') return back('invalid_request', 'The response_type must be code');
        const scopes = splitScopes(q.scope);
        if (scopes.length === 0) return back('invalid_request', 'The scope parameter is required');
        const refused = scopes.find((s) => !LINKEDIN_SCOPES.includes(s));
        // Observed: an unprovisioned scope redirects back with unauthorized_scope_error.
        if (refused) return back('unauthorized_scope_error', `Scope "${refused}" is not authorized for your application`);
        return {
          ok: true,
          request: { clientId: app.clientId, redirectUri: q.redirect_uri, scopes, state: q.state, nonce: q.nonce },
        };
      },
      denyParams: (r) => ({
        error: 'user_cancelled_authorize',
        error_description: 'The user cancelled the authorization',
        state: r.state,
      }),
      allow(r, identityId) {
        const grant = consentGrant(state, 'linkedin', identityId, r.scopes);
        const code = issueCode(state, {
          platform: 'linkedin',
          redirectUri: r.redirectUri,
          grantId: grant.id,
          identityId,
          scopes: r.scopes,
          nonce: r.nonce,
        });
        return { code: code.value, state: r.state };
      },
    }),
  );

  router.get('/oauth/.well-known/openid-configuration', (_req, res) => {
    res.json({
      issuer: issuer(),
      authorization_endpoint: `${state.publicUrl}/linkedin/oauth/v2/authorization`,
      token_endpoint: `${state.publicUrl}/linkedin/oauth/v2/accessToken`,
      userinfo_endpoint: `${state.publicUrl}/linkedin/v2/userinfo`,
      jwks_uri: `${state.publicUrl}/linkedin/oauth/openid/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: [
        'iss',
        'aud',
        'iat',
        'exp',
        'sub',
        'name',
        'given_name',
        'family_name',
        'picture',
        'email',
        'email_verified',
        'locale',
      ],
    });
  });
  router.get('/oauth/openid/jwks', (_req, res) => {
    res.json(signer.jwks());
  });

  router.use(
    faultMiddleware(state, 'linkedin', {
      classify: (req) => ({ path: req.path, apiCall: req.path.startsWith('/v2/') || req.path.startsWith('/rest/') }),
      rateLimited(fault, _req, res) {
        // Observed body; LinkedIn documents no rate-limit headers. Retry-After is the sandbox's addition
        // (unconfirmed) so clients that honour it can be tested; daily quotas really reset at midnight UTC.
        res.set('Retry-After', String(fault.resetSeconds));
        apiError(res, fault.status ?? 429, 101, undefined, 'Resource level throttle limit for calls to this resource is reached.');
      },
      serverError(fault, _req, res) {
        apiError(res, fault.status ?? 500, 0, undefined, 'Internal Server Error');
      },
      invalidClient: (_req, res) => oauthError(res, 401, 'invalid_client', 'Client authentication failed'),
    }),
  );

  const clientCredentials = (req: Request, p: Params) => {
    const basic = basicCredentials(req);
    return { id: basic?.id ?? p.client_id, secret: basic?.secret ?? p.client_secret };
  };
  const clientValid = (c: { id?: string; secret?: string }) =>
    c.id === state.clients.linkedin.clientId && c.secret === state.clients.linkedin.clientSecret;

  // Parameters may come in the form body or (as many clients send them) the query string.
  router.post('/oauth/v2/accessToken', (req, res) => {
    const p = allParams(req);
    const client = clientCredentials(req, p);
    const required = (names: string[]) => {
      const missing = names.find((n) => !(n === 'client_id' ? client.id : n === 'client_secret' ? client.secret : p[n]));
      if (missing) oauthError(res, 400, 'invalid_request', `A required parameter "${missing}" is missing`);
      return !missing;
    };
    if (!required(['grant_type'])) return;
    if (p.grant_type === 'authorization_code') {
      if (!required(['code', 'redirect_uri', 'client_id', 'client_secret'])) return;
      if (!clientValid(client)) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
      const taken = takeCode(state, 'linkedin', p.code as string);
      if (taken.problem || taken.code.redirectUri !== p.redirect_uri) return oauthError(res, 400, 'invalid_request', CODE_MISMATCH);
      const code = taken.code;
      const access = issueToken(state, {
        platform: 'linkedin',
        kind: 'access',
        grantId: code.grantId,
        identityId: code.identityId,
        scopes: code.scopes,
        seconds: state.config.linkedin.accessTokenSeconds,
      });
      const grant = state.grants.get(code.grantId);
      // Refresh tokens: approved partners only. Their end is fixed at the grant's first consent; a
      // later consent gets a new refresh token with that same end (the re-consent case is unconfirmed).
      const refresh =
        state.config.linkedin.refreshEnabled && grant?.refreshExpiresAt
          ? issueToken(state, {
              platform: 'linkedin',
              kind: 'refresh',
              grantId: code.grantId,
              identityId: code.identityId,
              scopes: code.scopes,
              seconds: Math.max(0, Math.floor((grant.refreshExpiresAt - state.now()) / 1000)),
            })
          : undefined;
      const idToken = code.scopes.includes('openid') ? signIdToken(access, code.nonce) : undefined;
      return res.set('Cache-Control', 'no-store').json(tokenBody(access, refresh, idToken));
    }
    if (p.grant_type === 'refresh_token') {
      if (!required(['refresh_token', 'client_id', 'client_secret'])) return;
      if (!clientValid(client)) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
      const check = checkToken(state, 'linkedin', p.refresh_token, 'refresh');
      if (!state.config.linkedin.refreshEnabled || check.status !== 'valid' || !check.token) {
        return oauthError(res, 400, 'invalid_request', BAD_REFRESH);
      }
      const refresh = check.token;
      const access = issueToken(state, {
        platform: 'linkedin',
        kind: 'access',
        grantId: refresh.grantId,
        identityId: refresh.identityId,
        scopes: refresh.scopes,
        seconds: state.config.linkedin.accessTokenSeconds,
      });
      // LinkedIn refresh tokens do not rotate: the same one comes back with its remaining lifetime.
      return res.set('Cache-Control', 'no-store').json(tokenBody(access, refresh));
    }
    oauthError(res, 400, 'unsupported_grant_type', `The grant_type "${p.grant_type}" is not supported`);
  });

  const tokenBody = (access: TokenRecord, refresh?: TokenRecord, idToken?: string) => {
    const seconds = (t: TokenRecord) => (t.expiresAt === null ? 0 : Math.max(0, Math.round((t.expiresAt - state.now()) / 1000)));
    return {
      access_token: access.value,
      expires_in: seconds(access),
      ...(refresh ? { refresh_token: refresh.value, refresh_token_expires_in: seconds(refresh) } : {}),
      // LinkedIn lists granted scopes comma-separated (as its introspection does; unconfirmed for this endpoint).
      scope: access.scopes.join(','),
      ...(state.config.linkedin.tokenTypeInResponse ? { token_type: 'Bearer' } : {}),
      ...(idToken ? { id_token: idToken } : {}),
    };
  };

  const signIdToken = (access: TokenRecord, nonce?: string) => {
    const member = state.identities.linkedin.find((m) => m.id === access.identityId);
    const iat = Math.floor(state.now() / 1000);
    const profile =
      access.scopes.includes('profile') && member
        ? {
            name: `${member.givenName} ${member.familyName}`,
            given_name: member.givenName,
            family_name: member.familyName,
            picture: `${state.publicUrl}/avatars/linkedin/${member.id}.svg`,
            locale: `${member.locale.language}_${member.locale.country}`,
          }
        : {};
    const email = access.scopes.includes('email') && member ? { email: member.email, email_verified: member.emailVerified } : {};
    const idToken = signer.sign({
      iss: issuer(),
      aud: state.clients.linkedin.clientId,
      iat,
      exp: iat + 3600,
      sub: access.identityId,
      ...(nonce ? { nonce } : {}),
      ...profile,
      ...email,
    });
    record(state, 'linkedin', 'id_token', idToken);
    return idToken;
  };

  router.post('/oauth/v2/introspectToken', (req, res) => {
    const p = allParams(req);
    const client = clientCredentials(req, p);
    if (!p.token) return oauthError(res, 400, 'invalid_request', 'A required parameter "token" is missing');
    if (!clientValid(client)) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    const check = [checkToken(state, 'linkedin', p.token, 'access'), checkToken(state, 'linkedin', p.token, 'refresh')].find(
      (c) => c.token,
    );
    // Unknown tokens: `{active:false}` (unconfirmed; the documented fields need a token to describe).
    if (!check?.token || !check.grant) return res.json({ active: false });
    const { token, grant } = check;
    res.json({
      active: check.status === 'valid',
      client_id: token.clientId,
      authorized_at: Math.floor(grant.createdAt / 1000),
      created_at: Math.floor(token.issuedAt / 1000),
      status: check.status === 'valid' ? 'active' : check.status,
      expires_at: token.expiresAt === null ? 0 : Math.floor(token.expiresAt / 1000),
      scope: token.scopes.join(','),
      auth_type: '3L',
    });
  });

  // Revocation (used by many clients; unconfirmed in LinkedIn's docs): revokes that one token.
  router.post('/oauth/v2/revoke', (req, res) => {
    const p = allParams(req);
    const client = clientCredentials(req, p);
    if (!p.token) return oauthError(res, 400, 'invalid_request', 'A required parameter "token" is missing');
    if (!clientValid(client)) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    const token = state.tokens.get(p.token);
    if (token?.platform === 'linkedin' && token.revokedAt === undefined) token.revokedAt = state.now();
    res.status(200).end();
  });

  router.use(linkedinApiRouter(state));
  // After the read API, whose /rest middleware checks the version headers every call needs.
  router.use(linkedinPublishRouter(state));
  return router;
}
