// Meta under /meta: /meta/www stands for https://www.facebook.com (the Login dialog) and /meta/graph
// for https://graph.facebook.com (token endpoint, debug_token, nodes and edges in meta-nodes.ts). Any
// version segment `vNN.N` is accepted, and so are unversioned calls, as on Graph.
// Documented contract: developers.facebook.com Facebook Login (manually build a login flow, access
// tokens, long-lived tokens), Graph API error handling, debug_token, Pages API, Instagram Platform.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { consentRoutes, type AuthorizeRequest } from './consent.js';
import { faultMiddleware } from './faults.js';
import { allParams, basicCredentials, bearerToken, redirectUriAllowed, splitScopes } from './http.js';
import { bucUsage, graphError, tokenError, type GraphContext } from './meta-common.js';
import { graphDispatch } from './meta-nodes.js';
import { checkToken, consentGrant, issueCode, issueToken, takeCode, type SandboxState } from './store.js';

const META_PERMISSIONS = [
  'public_profile',
  'email',
  'pages_show_list',
  'pages_read_engagement',
  'pages_read_user_content',
  'pages_manage_posts',
  'pages_manage_metadata',
  'pages_manage_engagement',
  'read_insights',
  'business_management',
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_insights',
  'instagram_manage_comments',
];

const VERSION = /^v\d+\.\d+$/;

const throttleMessages: Record<number, string> = {
  4: '(#4) Application request limit reached',
  17: '(#17) User request limit reached',
  32: '(#32) Page request limit reached',
  613: '(#613) Calls to this api have exceeded the rate limit.',
};

export function metaRouter(state: SandboxState): Router {
  const router = express.Router();
  const app = () => state.clients.meta;

  router.use(
    '/www',
    consentRoutes<AuthorizeRequest>(state, ['/dialog/oauth', '/:version/dialog/oauth'], {
      platform: 'meta',
      providerName: 'Facebook',
      fragment: '_=_',
      validate(q) {
        const fail = (title: string, message: string) => ({ ok: false as const, page: { title, message } });
        if (q.client_id !== app().clientId) return fail('Invalid App ID', 'The provided app ID does not look like a valid app ID.');
        if (!redirectUriAllowed(app(), q.redirect_uri)) {
          return fail(
            'URL blocked',
            "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
          );
        }
        if ((q.response_type ?? 'code') !== 'code')
          return fail('Unsupported response_type', 'The sandbox supports response_type=code only.');
        const scopes = splitScopes(q.scope);
        const invalid = scopes.filter((s) => !META_PERMISSIONS.includes(s));
        if (invalid.length)
          return fail('Invalid Scopes', `Invalid Scopes: ${invalid.join(', ')}. This message is only shown to developers.`);
        const granted = [...new Set(['public_profile', ...scopes])];
        return {
          ok: true,
          request: { clientId: app().clientId, redirectUri: q.redirect_uri, scopes: granted, state: q.state },
        };
      },
      // Observed: Meta also sends error_code=200 with a denial.
      denyParams: (r) => ({
        error: 'access_denied',
        error_code: '200',
        error_description: 'Permissions error',
        error_reason: 'user_denied',
        state: r.state,
      }),
      allow(r, identityId) {
        const grant = consentGrant(state, 'meta', identityId, r.scopes);
        const code = issueCode(state, {
          platform: 'meta',
          redirectUri: r.redirectUri,
          grantId: grant.id,
          identityId,
          scopes: r.scopes,
        });
        return { code: code.value, state: r.state };
      },
    }),
  );

  const graph = express.Router();
  const split = (req: Request) => {
    const segments = req.path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    const version = segments[0] && VERSION.test(segments[0]) ? segments.shift() : undefined;
    return { version, segments };
  };

  graph.use(
    faultMiddleware(state, 'meta', {
      classify(req) {
        const path = `/${split(req).segments.join('/')}`;
        return { path, apiCall: path !== '/oauth/access_token' };
      },
      rateLimited(fault, req, res) {
        const code = fault.code ?? 4;
        const objectId = split(req).segments.find((s) => /^\d+$/.test(s)) ?? app().clientId;
        res.set('X-App-Usage', JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 }));
        res.set('X-Business-Use-Case-Usage', JSON.stringify(bucUsage(objectId, 100, Math.ceil(fault.resetSeconds / 60))));
        // Observed: throttling answers HTTP 403 with is_transient.
        graphError(res, {
          message: throttleMessages[code] ?? `(#${code}) Request limit reached`,
          code,
          is_transient: true,
          status: fault.status ?? 403,
        });
      },
      serverError(fault, _req, res) {
        graphError(res, {
          message: 'An unexpected error has occurred. Please retry your request later.',
          code: 2,
          is_transient: true,
          status: fault.status ?? 500,
        });
      },
      invalidClient: (_req, res) => graphError(res, { message: 'Error validating client secret.', code: 1, challenge: 'invalid_client' }),
    }),
  );

  graph.use(express.json({ limit: '1mb' }));
  graph.use((req, res) => {
    const { version, segments } = split(req);
    const ctx: GraphContext = {
      state,
      req,
      res,
      path: segments,
      params: allParams(req),
      ...(version ? { version } : {}),
    };
    const route = segments.join('/');
    if (route === 'oauth/access_token' && (req.method === 'GET' || req.method === 'POST')) return tokenEndpoint(ctx);
    if (route === 'debug_token' && req.method === 'GET') return debugToken(ctx);
    graphDispatch(ctx);
  });

  // A body that is no JSON, or too large, as a Graph error.
  graph.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown })?.status;
    if (typeof status !== 'number' || status >= 500) return next(error);
    graphError(res, { message: '(#100) The request body could not be parsed', code: 100 });
  });
  router.use('/graph', graph);
  return router;
}

function tokenEndpoint(ctx: GraphContext): void {
  const { state, req, res, params: p } = ctx;
  const app = state.clients.meta;
  const basic = basicCredentials(req);
  const clientId = p.client_id ?? basic?.id;
  const clientSecret = p.client_secret ?? basic?.secret;
  // Error codes and messages as observed from Graph (101 application, 1 client secret, 100 code problems
  // with subcodes 36007 expired, 36008 redirect_uri mismatch, 36009 used; 191 missing redirect_uri).
  if (!clientId) return graphError(res, { message: 'Missing client_id parameter.', code: 101 });
  if (clientId !== app.clientId) return graphError(res, { message: 'Error validating application. Invalid application ID.', code: 101 });
  if (clientSecret !== app.clientSecret)
    return graphError(res, { message: 'Error validating client secret.', code: 1, challenge: 'invalid_client' });

  if (p.grant_type === 'client_credentials') {
    return void res.json({ access_token: `${app.clientId}|${app.clientSecret}`, token_type: 'bearer' });
  }
  if (p.grant_type === 'fb_exchange_token') {
    if (!p.fb_exchange_token) return graphError(res, { message: 'Missing fb_exchange_token parameter.', code: 100 });
    const check = checkToken(state, 'meta', p.fb_exchange_token);
    if (check.status !== 'valid' || !check.token || check.token.meta?.type !== 'USER') {
      return tokenError(res, check.status === 'valid' ? { status: 'unknown' } : check, app.clientId, state.now());
    }
    const source = check.token;
    const token = issueToken(state, {
      platform: 'meta',
      kind: 'access',
      grantId: source.grantId,
      identityId: source.identityId,
      scopes: source.scopes,
      seconds: state.config.meta.longLivedSeconds,
      meta: { type: 'USER', longLived: true },
    });
    return void res.json({
      access_token: token.value,
      token_type: 'bearer',
      expires_in: state.config.meta.longLivedSeconds,
    });
  }
  if (p.grant_type !== undefined && p.grant_type !== 'authorization_code') {
    return graphError(res, { message: `Unsupported grant_type: ${p.grant_type}`, code: 100 });
  }
  if (!p.redirect_uri) return graphError(res, { message: 'Missing redirect_uri parameter.', code: 191 });
  if (!p.code) return graphError(res, { message: 'Missing authorization code', code: 1 });
  const taken = takeCode(state, 'meta', p.code);
  const codeError = (message: string, error_subcode?: number) =>
    graphError(res, { message, code: 100, ...(error_subcode ? { error_subcode } : {}), challenge: 'invalid_code' });
  if (taken.problem) {
    if (taken.problem === 'used') return codeError('This authorization code has been used.', 36009);
    if (taken.problem === 'expired') return codeError('This authorization code has expired.', 36007);
    return codeError('Invalid verification code format.');
  }
  const code = taken.code;
  if (code.redirectUri !== p.redirect_uri) {
    return codeError(
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      36008,
    );
  }
  const token = issueToken(state, {
    platform: 'meta',
    kind: 'access',
    grantId: code.grantId,
    identityId: code.identityId,
    scopes: code.scopes,
    seconds: state.config.meta.accessTokenSeconds,
    meta: { type: 'USER', longLived: false },
  });
  res.json({ access_token: token.value, token_type: 'bearer', expires_in: state.config.meta.accessTokenSeconds });
}

function debugToken(ctx: GraphContext): void {
  const { state, req, res, params: p } = ctx;
  const app = state.clients.meta;
  const caller = p.access_token ?? bearerToken(req);
  if (caller?.includes('|')) {
    if (caller !== `${app.clientId}|${app.clientSecret}`)
      return graphError(res, { message: 'Invalid OAuth access token signature.', code: 190 });
  } else if (checkToken(state, 'meta', caller).status !== 'valid') {
    // Observed message when no usable app (or app developer) token is given.
    return graphError(res, {
      message: '(#100) You must provide an app access token, or a user access token that is an owner or developer of the app',
      code: 100,
    });
  }
  if (!p.input_token) return graphError(res, { message: '(#100) The parameter input_token is required', code: 100 });
  const check = checkToken(state, 'meta', p.input_token);
  if (!check.token || !check.grant) {
    return void res.json({
      data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] },
    });
  }
  const { token, grant } = check;
  const data: Record<string, unknown> = {
    app_id: app.clientId,
    type: token.meta?.type ?? 'USER',
    application: 'Social Sync (sandbox)',
    data_access_expires_at: Math.floor((grant.dataAccessExpiresAt ?? 0) / 1000),
    expires_at: token.expiresAt === null ? 0 : Math.floor(token.expiresAt / 1000),
    is_valid: check.status === 'valid',
    issued_at: Math.floor(token.issuedAt / 1000),
    scopes: token.scopes,
    granular_scopes: token.scopes.map((scope) => ({ scope })),
    user_id: token.identityId,
  };
  if (token.meta?.pageId) data.profile_id = token.meta.pageId;
  if (check.status !== 'valid') {
    // Graph explains an invalid token beside is_valid=false, with the subcode the API would answer.
    const passwordChanged = grant.revokeReason === 'password_changed';
    data.error =
      check.status === 'expired'
        ? { code: 190, subcode: 463, message: 'Error validating access token: Session has expired.' }
        : passwordChanged
          ? {
              code: 190,
              subcode: 460,
              message: 'Error validating access token: The session has been invalidated because the user changed their password.',
            }
          : {
              code: 190,
              subcode: 458,
              message: `Error validating access token: The user has not authorized application ${app.clientId}.`,
            };
  }
  res.json({ data });
}
