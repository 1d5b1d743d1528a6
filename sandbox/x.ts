// X under /x, standing for https://x.com (authorize) and https://api.x.com (token, revoke, API).
// Documented contract: docs.x.com OAuth 2.0 Authorization Code Flow with PKCE, /2/users/me,
// /2/users/:id/tweets, rate limits. Observed bodies (public issues) are marked as such.
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import express, { type Request, type Response, type Router } from 'express';
import { consentRoutes, type AuthorizeRequest } from './consent.js';
import { bumpEpoch, decodeCursor, encodeCursor, engagement, listPosts, timeId, type Post } from './content.js';
import { faultMiddleware } from './faults.js';
import { basicCredentials, bearerToken, bodyParams, queryParams, redirectUriAllowed, splitScopes } from './http.js';
import type { XUser } from './identities.js';
import { TWEPOCH, xPublishRouter } from './x-publish.js';
import { checkToken, consentGrant, issueCode, issueToken, record, takeCode, type SandboxState, type TokenRecord } from './store.js';

const X_SCOPES = [
  'tweet.read',
  'tweet.write',
  'tweet.moderate.write',
  'users.read',
  'users.email',
  'follows.read',
  'follows.write',
  'offline.access',
  'space.read',
  'mute.read',
  'mute.write',
  'like.read',
  'like.write',
  'list.read',
  'list.write',
  'block.read',
  'block.write',
  'bookmark.read',
  'bookmark.write',
  'media.write',
  'dm.read',
  'dm.write',
];

interface XAuthorize extends AuthorizeRequest {
  codeChallenge: string;
  codeChallengeMethod: 'S256' | 'plain';
}

function problem(res: Response, status: number, extra: Record<string, unknown> = {}) {
  const title = STATUS_CODES[status] ?? 'Error';
  res.status(status).json({ title, type: 'about:blank', status, detail: title, ...extra });
}

function oauthError(res: Response, status: number, error: string, description: string) {
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** X's invalid-request problem for a bad query parameter (observed shape). */
function invalidParameter(res: Response, name: string, value: string, message: string) {
  res.status(400).json({
    errors: [{ parameters: { [name]: [value] }, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

const userFields = [
  'created_at',
  'description',
  'id',
  'name',
  'profile_image_url',
  'protected',
  'public_metrics',
  'url',
  'username',
  'verified',
  'location',
];
const tweetFields = [
  'author_id',
  'conversation_id',
  'created_at',
  'edit_history_tweet_ids',
  'id',
  'in_reply_to_user_id',
  'lang',
  'possibly_sensitive',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'text',
];

export function xRouter(state: SandboxState): Router {
  const router = express.Router();
  const app = () => state.clients.twitter;

  router.use(
    consentRoutes<XAuthorize>(state, ['/i/oauth2/authorize'], {
      platform: 'twitter',
      providerName: 'X',
      validate(q) {
        // X shows its own error page (no redirect) for a bad client or callback; the sandbox also does
        // so for a missing or over-long state and for missing PKCE, which X requires (unconfirmed which
        // of those X redirects instead).
        const fail = (message: string) => ({ ok: false as const, page: { title: 'Something went wrong', message } });
        if (q.client_id !== app().clientId) return fail("You weren't able to give access to the App: unknown client_id.");
        if (!redirectUriAllowed(app(), q.redirect_uri))
          return fail("You weren't able to give access to the App: the redirect_uri does not match the App's callback URLs.");
        if (!q.state) return fail('The state parameter is required.');
        if (q.state.length > 500) return fail('The state parameter must be at most 500 characters.');
        if (!q.code_challenge) return fail('The code_challenge parameter is required (PKCE).');
        const method = q.code_challenge_method ?? 'plain';
        if (method !== 'S256' && method !== 'plain') return fail('code_challenge_method must be S256 or plain.');
        const back = (error: string, description: string) => ({
          ok: false as const,
          redirect: {
            uri: q.redirect_uri as string,
            params: { error, error_description: description, state: q.state },
          },
        });
        if (q.response_type !== 'code') return back('unsupported_response_type', 'response_type must be code');
        const scopes = splitScopes(q.scope, /\s+/);
        const refused = scopes.find((s) => !X_SCOPES.includes(s));
        if (scopes.length === 0 || refused) return back('invalid_scope', `Invalid scope: ${refused ?? '(none)'}`);
        return {
          ok: true,
          request: {
            clientId: app().clientId,
            redirectUri: q.redirect_uri,
            scopes,
            state: q.state,
            codeChallenge: q.code_challenge,
            codeChallengeMethod: method,
          },
        };
      },
      denyParams: (r) => ({ error: 'access_denied', state: r.state }),
      allow(r, identityId) {
        const grant = consentGrant(state, 'twitter', identityId, r.scopes);
        const code = issueCode(state, {
          platform: 'twitter',
          redirectUri: r.redirectUri,
          grantId: grant.id,
          identityId,
          scopes: r.scopes,
          codeChallenge: r.codeChallenge,
          codeChallengeMethod: r.codeChallengeMethod,
        });
        return { state: r.state, code: code.value };
      },
    }),
  );

  router.use(
    faultMiddleware(state, 'twitter', {
      classify: (req) => ({
        path: req.path,
        apiCall: req.path.startsWith('/2/') && !req.path.startsWith('/2/oauth2/'),
      }),
      rateLimited(fault, req, res) {
        const route = routeKey(req.path);
        res.set({
          'x-rate-limit-limit': String(state.config.twitter.rateLimits[route] ?? 0),
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(Math.floor(state.now() / 1000) + fault.resetSeconds),
        });
        problem(res, fault.status ?? 429);
      },
      serverError: (fault, _req, res) => problem(res, fault.status ?? 503),
      invalidClient: (_req, res) => oauthError(res, 401, 'unauthorized_client', 'Missing valid authorization header'),
    }),
  );

  /** Confidential clients must authenticate with HTTP Basic (observed error without it). */
  const clientAuthenticated = (req: Request, res: Response) => {
    const basic = basicCredentials(req);
    if (basic?.id === app().clientId && basic.secret === app().clientSecret) return true;
    oauthError(res, 401, 'unauthorized_client', 'Missing valid authorization header');
    return false;
  };

  router.post('/2/oauth2/token', (req, res) => {
    if (!clientAuthenticated(req, res)) return;
    const p = bodyParams(req);
    const missing = (names: string[]) => {
      const name = names.find((n) => !p[n]);
      if (name) oauthError(res, 400, 'invalid_request', `Missing required parameter [${name}].`);
      return name !== undefined;
    };
    if (missing(['grant_type'])) return;
    if (p.grant_type === 'authorization_code') {
      if (missing(['code', 'redirect_uri', 'code_verifier'])) return;
      const verifier = p.code_verifier as string;
      record(state, 'twitter', 'code_verifier', verifier, 'received');
      const taken = takeCode(state, 'twitter', p.code as string);
      if (taken.problem) return oauthError(res, 400, 'invalid_request', 'Value passed for the authorization code was invalid.');
      const code = taken.code;
      if (code.redirectUri !== p.redirect_uri) {
        return oauthError(
          res,
          400,
          'invalid_request',
          'Value passed for the redirect uri did not match the uri of the authorization code.',
        );
      }
      const expected = code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (expected !== code.codeChallenge) {
        return oauthError(res, 400, 'invalid_request', 'Value passed for the code verifier did not match the code challenge.');
      }
      return res.set('Cache-Control', 'no-store').json(issuePair(code.grantId, code.identityId, code.scopes, code.accessTokenSeconds));
    }
    if (p.grant_type === 'refresh_token') {
      if (missing(['refresh_token'])) return;
      const check = checkToken(state, 'twitter', p.refresh_token, 'refresh');
      // Observed: a used (rotated) refresh token answers exactly this.
      if (check.status !== 'valid' || !check.token)
        return oauthError(res, 400, 'invalid_request', 'Value passed for the token was invalid.');
      const used = check.token;
      used.usedAt = state.now();
      return res.set('Cache-Control', 'no-store').json(issuePair(used.grantId, used.identityId, used.scopes));
    }
    oauthError(res, 400, 'unsupported_grant_type', 'Value passed for the grant type was invalid.');
  });

  const issuePair = (grantId: string, identityId: string, scopes: string[], accessSeconds = state.config.twitter.accessTokenSeconds) => {
    const base = { platform: 'twitter' as const, grantId, identityId, scopes };
    const access = issueToken(state, { ...base, kind: 'access', seconds: accessSeconds });
    const refreshSeconds = state.config.twitter.refreshTokenSeconds || null;
    const refresh = scopes.includes('offline.access')
      ? issueToken(state, { ...base, kind: 'refresh', seconds: refreshSeconds })
      : undefined;
    return {
      token_type: 'bearer',
      expires_in: accessSeconds,
      access_token: access.value,
      scope: scopes.join(' '),
      ...(refresh ? { refresh_token: refresh.value } : {}),
    };
  };

  router.post('/2/oauth2/revoke', (req, res) => {
    if (!clientAuthenticated(req, res)) return;
    const p = bodyParams(req);
    if (!p.token) return oauthError(res, 400, 'invalid_request', 'Missing required parameter [token].');
    const token = state.tokens.get(p.token);
    if (token?.platform === 'twitter' && token.revokedAt === undefined) token.revokedAt = state.now();
    res.json({ revoked: true });
  });

  /** The caller, or a 401 problem (the same body for bad, expired and revoked tokens, as observed). */
  const authenticate = (req: Request, res: Response, scopes: string[]): { token: TokenRecord; user: XUser } | undefined => {
    const check = checkToken(state, 'twitter', bearerToken(req));
    const user = state.identities.twitter.find((u) => u.id === check.token?.identityId);
    if (check.status !== 'valid' || !check.token || !user) {
      problem(res, 401);
      return undefined;
    }
    // Missing scope: 403 (unconfirmed body).
    if (!scopes.every((s) => check.token?.scopes.includes(s))) {
      problem(res, 403);
      return undefined;
    }
    return { token: check.token, user };
  };

  /** Counts the call in the user's window for this route and sets X's headers; false when over. */
  const rateLimit = (req: Request, res: Response, userId: string) => {
    const route = routeKey(req.path);
    const { rateLimits, rateLimitWindowSeconds, enforceRateLimits } = state.config.twitter;
    const limit = rateLimits[route] ?? 900;
    const now = state.now();
    const key = `${route}|${userId}`;
    let window = state.rateWindows.get(key);
    if (!window || now >= window.start + rateLimitWindowSeconds * 1000) {
      window = { start: now, count: 0 };
      state.rateWindows.set(key, window);
    }
    window.count++;
    res.set({
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(Math.max(0, limit - window.count)),
      'x-rate-limit-reset': String(Math.floor((window.start + rateLimitWindowSeconds * 1000) / 1000)),
    });
    if (enforceRateLimits && window.count > limit) {
      problem(res, 429);
      return false;
    }
    return true;
  };

  const fieldsParam = (res: Response, q: Record<string, string | undefined>, name: string, allowed: string[]) => {
    const fields = splitScopes(q[name], /,/);
    const bad = fields.find((f) => !allowed.includes(f));
    if (bad) {
      invalidParameter(res, name, q[name] ?? '', `The \`${name}\` query parameter value [${bad}] is not one of [${allowed.join(',')}]`);
      return undefined;
    }
    return new Set(fields);
  };

  router.get('/2/users/me', (req, res) => {
    const caller = authenticate(req, res, ['users.read', 'tweet.read']);
    if (!caller || !rateLimit(req, res, caller.user.id)) return;
    const fields = fieldsParam(res, queryParams(req), 'user.fields', userFields);
    if (!fields) return;
    const u = caller.user;
    const data: Record<string, unknown> = { id: u.id, name: u.name, username: u.username };
    if (fields.has('created_at')) data.created_at = u.createdAt;
    if (fields.has('description')) data.description = u.description;
    if (fields.has('profile_image_url')) data.profile_image_url = `${state.publicUrl}/avatars/twitter/${u.id}.svg`;
    if (fields.has('protected')) data.protected = false;
    if (fields.has('verified')) data.verified = false;
    if (fields.has('public_metrics')) {
      data.public_metrics = {
        followers_count: u.followersCount,
        following_count: u.followingCount,
        tweet_count: listPosts(state, 'x', u.id).length,
        listed_count: 3,
        like_count: 512,
        media_count: 40,
      };
    }
    res.json({ data });
  });

  router.get('/2/users/:id/tweets', (req, res) => {
    const caller = authenticate(req, res, ['tweet.read', 'users.read']);
    if (!caller || !rateLimit(req, res, caller.user.id)) return;
    const q = queryParams(req);
    const id = req.params.id;
    if (!/^\d{1,19}$/.test(id))
      return invalidParameter(res, 'id', id, `The \`id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
    const user = state.identities.twitter.find((u) => u.id === id);
    if (!user) {
      return res.json({
        errors: [
          {
            value: id,
            detail: `Could not find user with id: [${id}].`,
            title: 'Not Found Error',
            resource_type: 'user',
            parameter: 'id',
            resource_id: id,
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      });
    }
    const maxResults = q.max_results === undefined ? 10 : Number(q.max_results);
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      return invalidParameter(
        res,
        'max_results',
        q.max_results ?? '',
        `The \`max_results\` query parameter value [${q.max_results}] is not between 5 and 100`,
      );
    }
    const fields = fieldsParam(res, q, 'tweet.fields', tweetFields);
    if (!fields) return;
    const account = `x:${user.id}`;
    let offset = 0;
    if (q.pagination_token !== undefined) {
      const decoded = decodeCursor(account, q.pagination_token);
      if (decoded === undefined)
        return invalidParameter(
          res,
          'pagination_token',
          q.pagination_token,
          `The \`pagination_token\` query parameter value [${q.pagination_token}] is not valid`,
        );
      offset = decoded;
    } else {
      bumpEpoch(state, 'x', user.id);
    }
    for (const name of ['since_id', 'until_id'] as const) {
      const value = q[name];
      if (value !== undefined && !/^\d{1,19}$/.test(value))
        return invalidParameter(res, name, value, `The \`${name}\` query parameter value [${value}] does not match ^[0-9]{1,19}$`);
    }
    for (const name of ['start_time', 'end_time'] as const) {
      const value = q[name];
      if (value !== undefined && Number.isNaN(Date.parse(value)))
        return invalidParameter(res, name, value, `Invalid '${name}':'${value}'. '${name}' must be a date in ISO 8601 format`);
    }
    const tweetId = (p: Post) => timeId(p, TWEPOCH);
    const since = q.since_id ? BigInt(q.since_id) : undefined;
    const until = q.until_id ? BigInt(q.until_id) : undefined;
    const startTime = q.start_time ? Date.parse(q.start_time) : undefined;
    const endTime = q.end_time ? Date.parse(q.end_time) : undefined;
    const posts = listPosts(state, 'x', user.id).filter((p) => {
      const n = BigInt(tweetId(p));
      return (
        (since === undefined || n > since) &&
        (until === undefined || n < until) &&
        (startTime === undefined || p.publishedAt >= startTime) &&
        (endTime === undefined || p.publishedAt <= endTime)
      );
    });
    const page = posts.slice(offset, offset + maxResults);
    if (page.length === 0) return res.json({ meta: { result_count: 0 } });
    const data = page.map((post) => {
      const idText = tweetId(post);
      const tweet: Record<string, unknown> = { id: idText, text: post.text, edit_history_tweet_ids: [idText] };
      if (fields.has('created_at')) tweet.created_at = new Date(post.publishedAt).toISOString();
      if (fields.has('author_id')) tweet.author_id = user.id;
      // A published reply (a thread's later tweet) names the tweet it answers; its conversation is the root's.
      const replyTo = state.publishing.posts.find((p) => p.platform === 'x' && p.id === idText)?.replyTo;
      if (fields.has('conversation_id')) tweet.conversation_id = replyTo ? conversationOf(state, replyTo) : idText;
      if (replyTo && fields.has('referenced_tweets')) tweet.referenced_tweets = [{ type: 'replied_to', id: replyTo }];
      if (replyTo && fields.has('in_reply_to_user_id')) tweet.in_reply_to_user_id = user.id;
      if (fields.has('lang')) tweet.lang = 'en';
      if (fields.has('possibly_sensitive')) tweet.possibly_sensitive = false;
      if (fields.has('reply_settings')) tweet.reply_settings = 'everyone';
      if (fields.has('public_metrics')) {
        const e = engagement(state, 'x', user.id, post);
        tweet.public_metrics = {
          retweet_count: e.shares,
          reply_count: e.comments,
          like_count: e.likes,
          quote_count: e.quotes,
          bookmark_count: e.bookmarks,
          impression_count: e.impressions,
        };
      }
      return tweet;
    });
    const next = offset + maxResults < posts.length ? encodeCursor(account, offset + maxResults) : undefined;
    const previous = offset > 0 ? encodeCursor(account, Math.max(0, offset - maxResults)) : undefined;
    res.json({
      data,
      meta: {
        result_count: data.length,
        newest_id: data[0]?.id,
        oldest_id: data[data.length - 1]?.id,
        ...(next ? { next_token: next } : {}),
        ...(previous ? { previous_token: previous } : {}),
      },
    });
  });

  router.use(xPublishRouter(state, { authenticate, rateLimit, problem }));
  return router;
}

/** The root of a reply chain among published tweets (a reply to a seeded tweet roots there). */
function conversationOf(state: SandboxState, id: string): string {
  for (let hops = 0; hops < 1000; hops++) {
    const parent = state.publishing.posts.find((p) => p.platform === 'x' && p.id === id)?.replyTo;
    if (!parent) break;
    id = parent;
  }
  return id;
}

function routeKey(path: string): string {
  return path.replace(/^\/2\/users\/\d+\//, '/2/users/:id/').replace(/^\/2\/media\/upload\/\d+\//, '/2/media/upload/:id/');
}
