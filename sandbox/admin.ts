// The sandbox-only admin API under /admin (JSON): what was issued, lifetimes and flags, grant
// revocation, forced expiry, faults, identities, new content, reset. Disabled (403) when the app is
// created with `admin: false`.
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { publishPosts } from './content.js';
import type { ContentKind } from './published.js';
import { addFault } from './faults.js';
import type { Identities } from './identities.js';
import {
  clearIssued,
  consentGrant,
  expireTokens,
  issueCode,
  parsePlatform,
  resetState,
  revokeGrants,
  type Platform,
  type SandboxState,
} from './store.js';

const platform = z.string().transform((value, ctx) => {
  const parsed = parsePlatform(value);
  if (!parsed) ctx.addIssue({ code: 'custom', message: 'platform must be linkedin, twitter (x) or meta (facebook, instagram)' });
  return parsed as Platform;
});
const seconds = z.number().int().nonnegative();
const count = z.number().int().nonnegative();

const clientSecretSchema = z.object({ platform, client_secret: z.string().min(1).max(200) }).strict();

const configSchema = z
  .object({
    linkedin: z
      .object({
        accessTokenSeconds: seconds,
        refreshTokenSeconds: seconds,
        codeSeconds: seconds,
        refreshEnabled: z.boolean(),
        tokenTypeInResponse: z.boolean(),
        versionMaxAgeMonths: z.number().int().nonnegative(),
      })
      .partial()
      .strict(),
    twitter: z
      .object({
        accessTokenSeconds: seconds,
        refreshTokenSeconds: seconds,
        codeSeconds: seconds,
        rateLimitWindowSeconds: z.number().int().positive(),
        rateLimits: z.record(z.string(), z.number().int().nonnegative()),
        enforceRateLimits: z.boolean(),
        mediaProcessingSeconds: seconds,
      })
      .partial()
      .strict(),
    meta: z
      .object({
        accessTokenSeconds: seconds,
        longLivedSeconds: seconds,
        codeSeconds: seconds,
        dataAccessSeconds: seconds,
        igInsightsDelayHours: z.number().nonnegative(),
        igContainerSeconds: z.number().nonnegative(),
        igDailyQuota: z.number().int().nonnegative(),
      })
      .partial()
      .strict(),
    content: z
      .object({ seededPosts: z.object({ x: count, linkedin: count, facebook: count, instagram: count }).partial().strict() })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

// Consent given without the consent page (benchmarks seeding thousands of accounts): each identity's
// grant is made or extended as Allow would, and an authorization code for it comes back, which the
// client then exchanges at the platform's token endpoint like any other.
const codesSchema = z
  .object({
    platform,
    identities: z.array(z.string().min(1)).min(1).max(5000),
    scopes: z.array(z.string().min(1)).min(1),
    redirect_uri: z.string().url(),
    code_challenge: z.string().min(1).optional(),
    code_challenge_method: z.enum(['S256', 'plain']).optional(),
    // For seeding accounts that connected at different times: the lifetime of each identity's first
    // access token (the token endpoint's `expires_in`), in the order of `identities`. X only: the
    // lifetime that decides when refreshes come.
    access_token_seconds: z.array(z.number().int().min(1).max(31_536_000)).min(1).optional(),
  })
  .strict()
  .refine((input) => !input.access_token_seconds || input.access_token_seconds.length === input.identities.length, {
    message: 'access_token_seconds needs one lifetime per identity',
    path: ['access_token_seconds'],
  })
  .refine((input) => !input.access_token_seconds || input.platform === 'twitter', {
    message: 'access_token_seconds is honoured by X only',
    path: ['access_token_seconds'],
  });

const faultSchema = z
  .object({
    platform,
    kind: z.enum(['rate_limit', 'server_error', 'latency', 'commit_then_error', 'commit_then_hang', 'invalid_client']),
    pathPrefix: z.string().min(1).optional(),
    times: z.number().int().positive().default(1),
    resetSeconds: z.number().int().nonnegative().optional(),
    delayMs: z.number().int().nonnegative().max(120_000).optional(),
    status: z.number().int().min(400).max(599).optional(),
    code: z.number().int().positive().optional(),
  })
  .strict();

const revokeSchema = z
  .object({
    platform,
    userId: z.string().min(1).optional(),
    /** Meta: app_removed/user_revoked answer 190/458, password_changed 190/460. */
    reason: z.enum(['user_revoked', 'app_removed', 'password_changed']).default('app_removed'),
  })
  .strict();

const expireSchema = z.object({ platform, userId: z.string().min(1).optional() }).strict();

const publishSchema = z
  .object({
    kind: z.enum(['x', 'twitter', 'linkedin', 'facebook', 'instagram']),
    accountId: z.string().min(1),
    count: z.number().int().positive().max(500).default(1),
  })
  .strict();

const identitySchema = z.discriminatedUnion('platform', [
  z.object({
    platform: z.literal('linkedin'),
    id: z.string().min(1).optional(),
    givenName: z.string().min(1),
    familyName: z.string().min(1),
    email: z.string().email().optional(),
    organizations: z
      .array(
        z.object({
          id: z
            .string()
            .regex(/^\d{1,19}$/)
            .optional(),
          name: z.string().min(1),
          vanityName: z.string().optional(),
        }),
      )
      .default([]),
  }),
  z.object({
    platform: z.enum(['twitter', 'x']),
    id: z
      .string()
      .regex(/^\d{1,19}$/)
      .optional(),
    username: z.string().regex(/^\w{1,15}$/),
    name: z.string().min(1),
  }),
  z.object({
    platform: z.literal('meta'),
    id: z.string().regex(/^\d+$/).optional(),
    name: z.string().min(1),
    email: z.string().email().optional(),
    pages: z
      .array(
        z.object({
          id: z.string().regex(/^\d+$/).optional(),
          name: z.string().min(1),
          category: z.string().default('Local Business'),
          instagram: z
            .object({
              id: z.string().regex(/^\d+$/).optional(),
              username: z.string().min(1),
              name: z.string().optional(),
            })
            .optional(),
        }),
      )
      .default([]),
  }),
]);

function parse<T extends z.ZodType>(schema: T, body: unknown, res: Response): z.infer<T> | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  res.status(400).json({
    error: 'invalid_request',
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
  return undefined;
}

export function adminRouter(state: SandboxState, enabled: boolean): Router {
  const router = express.Router();
  router.use(express.json({ limit: '5mb' }));
  router.use((_req, res, next) => {
    if (!enabled) return void res.status(403).json({ error: 'admin_disabled', message: 'The sandbox admin API is disabled for this app.' });
    next();
  });

  router.get('/issued', (req, res) => {
    const only = typeof req.query.platform === 'string' ? parsePlatform(req.query.platform) : undefined;
    const issued = state.issued.filter((e) => !only || e.platform === only);
    res.json({ issued, values: [...new Set(issued.map((e) => e.value))] });
  });
  router.delete('/issued', (_req, res) => {
    clearIssued(state);
    res.json({ cleared: true });
  });

  router.get('/config', (_req, res) => void res.json(state.config));
  router.post('/config', (req, res) => {
    const input = parse(configSchema, req.body, res);
    if (!input) return;
    for (const key of ['linkedin', 'twitter', 'meta'] as const) Object.assign(state.config[key], input[key] ?? {});
    Object.assign(state.config.content.seededPosts, input.content?.seededPosts ?? {});
    res.json(state.config);
  });

  router.get('/grants', (_req, res) => {
    res.json({
      grants: [...state.grants.values()].map((g) => ({
        ...g,
        createdAt: new Date(g.createdAt).toISOString(),
        revokedAt: g.revokedAt ? new Date(g.revokedAt).toISOString() : undefined,
      })),
    });
  });
  router.post('/grants/codes', (req, res) => {
    const input = parse(codesSchema, req.body, res);
    if (!input) return;
    const known = new Set<string>(state.identities[input.platform].map((u) => u.id));
    const unknown = input.identities.find((id) => !known.has(id));
    if (unknown) return void res.status(404).json({ error: 'not_found', message: `No ${input.platform} identity ${unknown}.` });
    const codes = input.identities.map((identityId, i) => {
      const grant = consentGrant(state, input.platform, identityId, input.scopes);
      const code = issueCode(state, {
        platform: input.platform,
        redirectUri: input.redirect_uri,
        grantId: grant.id,
        identityId,
        scopes: input.scopes,
        codeChallenge: input.code_challenge,
        codeChallengeMethod: input.code_challenge_method,
        accessTokenSeconds: input.access_token_seconds?.[i],
      });
      return { identity: identityId, code: code.value };
    });
    res.status(201).json({ codes });
  });
  router.post('/grants/revoke', (req, res) => {
    const input = parse(revokeSchema, req.body, res);
    if (input) res.json({ revoked: revokeGrants(state, input.platform, input.userId, input.reason) });
  });
  router.post('/tokens/expire', (req, res) => {
    const input = parse(expireSchema, req.body, res);
    if (input) res.json({ expired: expireTokens(state, input.platform, input.userId) });
  });

  // The developer portal's "regenerate secret": the old secret stops working at once (token endpoints
  // answer the provider's client-authentication error) until the app is configured with the new one.
  router.post('/clients/secret', (req, res) => {
    const input = parse(clientSecretSchema, req.body, res);
    if (!input) return;
    state.clients[input.platform].clientSecret = input.client_secret;
    res.json({ platform: input.platform, client_id: state.clients[input.platform].clientId });
  });

  router.get('/faults', (_req, res) => void res.json({ faults: state.faults }));
  router.post('/faults', (req, res) => {
    const input = parse(faultSchema, req.body, res);
    if (input) res.status(201).json(addFault(state, input));
  });
  router.delete('/faults', (_req, res) => {
    const cleared = state.faults.length;
    state.faults.length = 0;
    res.json({ cleared });
  });

  router.get('/identities', (_req, res) => void res.json(state.identities));
  router.post('/identities', (req, res) => {
    // One identity, or an array of them (for minting thousands in a few calls); all or nothing.
    const input = parse(z.union([identitySchema, z.array(identitySchema).max(5000)]), req.body, res);
    if (!input) return;
    const inputs = Array.isArray(input) ? input : [input];
    const before = structuredClone(state.identities);
    const taken = takenIds(state.identities);
    const added = [];
    for (const one of inputs) {
      const identity = addIdentity(state.identities, taken, one);
      if (!identity) {
        state.identities = before;
        return void res.status(409).json({ error: 'conflict', message: 'An identity with that id already exists.' });
      }
      added.push(identity);
    }
    res.status(201).json(Array.isArray(input) ? added : added[0]);
  });

  router.post('/content/publish', (req, res) => {
    const input = parse(publishSchema, req.body, res);
    if (!input) return;
    const kind: ContentKind = input.kind === 'twitter' ? 'x' : input.kind;
    publishPosts(state, kind, input.accountId, input.count);
    res.status(201).json({ kind, accountId: input.accountId, published: input.count });
  });

  router.get('/published', (req, res) => {
    const only = typeof req.query.platform === 'string' ? req.query.platform : undefined;
    const kind = only === 'twitter' ? 'x' : only;
    if (kind !== undefined && !['x', 'linkedin', 'facebook', 'instagram'].includes(kind))
      return void res.status(400).json({ error: 'invalid_request', message: 'platform must be x, linkedin, facebook or instagram' });
    res.json({
      published: state.publishing.posts
        .filter((p) => kind === undefined || p.platform === kind)
        .map((p) => ({
          platform: p.platform,
          account_id: p.accountId,
          id: p.id,
          text: p.text,
          created_at: new Date(p.createdAt).toISOString(),
        })),
    });
  });

  // What the publishing endpoints were given before any post: uploads (X media, LinkedIn images,
  // Facebook photos) and Instagram containers, so tests can count that a retry made none again.
  router.get('/media', (req, res) => {
    const only = typeof req.query.platform === 'string' ? req.query.platform : undefined;
    const kind = only === 'twitter' ? 'x' : only;
    if (kind !== undefined && !['x', 'linkedin', 'facebook', 'instagram'].includes(kind))
      return void res.status(400).json({ error: 'invalid_request', message: 'platform must be x, linkedin, facebook or instagram' });
    const uploads = Object.values(state.publishing.media)
      .filter((m) => kind === undefined || m.platform === kind)
      .map((m) => ({ platform: m.platform, owner: m.owner, id: m.id, state: m.state, created_at: new Date(m.createdAt).toISOString() }));
    const containers = Object.values(state.publishing.containers)
      .filter(() => kind === undefined || kind === 'instagram')
      .map((c) => ({
        platform: 'instagram',
        owner: c.igUserId,
        id: c.id,
        state: c.mediaType === 'CAROUSEL' ? 'carousel' : c.isCarouselItem ? 'carousel_item' : 'image',
        created_at: new Date(c.createdAt).toISOString(),
      }));
    res.json({ media: [...uploads, ...containers] });
  });

  // Provider calls so far by method and path (no query), and their sum: what a sync cost.
  router.get('/requests', (_req, res) => {
    const requests = Object.fromEntries(state.requests);
    res.json({ requests, total: [...state.requests.values()].reduce((a, b) => a + b, 0) });
  });
  router.delete('/requests', (_req, res) => {
    state.requests.clear();
    res.json({ cleared: true });
  });

  router.post('/reset', (_req, res) => {
    resetState(state);
    res.json({ reset: true });
  });

  return router;
}

/**
 * A free id shaped like the platform's: `prefix` then a number padded so every id has `digits` digits
 * in all (X ids are at most 19 digits, as its tweets route checks; Meta user, Page and IG ids 17;
 * LinkedIn organization ids 9). Counts up from how many exist, so minting many stays fast.
 */
function freeId(taken: Set<string>, prefix: string, digits: number): string {
  const room = digits - prefix.length;
  for (let n = taken.size + 1; ; n++) {
    const suffix = String(n);
    if (suffix.length > room) throw new Error(`no free ${prefix}… id left`);
    const id = prefix + suffix.padStart(room, '0');
    if (!taken.has(id)) return id;
  }
}

type TakenIds = ReturnType<typeof takenIds>;

function takenIds(identities: Identities) {
  const pages = identities.meta.flatMap((u) => u.pages);
  return {
    linkedin: new Set(identities.linkedin.map((m) => m.id)),
    organizations: new Set(identities.linkedin.flatMap((m) => m.organizations.map((o) => o.id))),
    meta: new Set(identities.meta.map((u) => u.id)),
    pages: new Set(pages.map((p) => p.id)),
    instagram: new Set(pages.flatMap((p) => (p.instagram ? [p.instagram.id] : []))),
    twitter: new Set(identities.twitter.map((u) => u.id)),
  };
}

function addIdentity(identities: Identities, taken: TakenIds, input: z.infer<typeof identitySchema>) {
  if (input.platform === 'linkedin') {
    const ids = taken.linkedin;
    // Member ids are opaque strings on LinkedIn; the sandbox's read sbxLiMember01, 02, ... 10000.
    let id = input.id;
    for (let n = ids.size + 1; !id; n++) {
      const candidate = `sbxLiMember${String(n).padStart(2, '0')}`;
      if (!ids.has(candidate)) id = candidate;
    }
    if (ids.has(id)) return undefined;
    ids.add(id);
    const orgIds = taken.organizations;
    const member = {
      id,
      givenName: input.givenName,
      familyName: input.familyName,
      email: input.email ?? `${id.toLowerCase()}@example.com`,
      emailVerified: true,
      locale: { country: 'US', language: 'en' },
      organizations: input.organizations.map((o) => {
        const orgId = o.id ?? freeId(orgIds, '9', 9);
        orgIds.add(orgId);
        return { id: orgId, name: o.name, vanityName: o.vanityName ?? o.name.toLowerCase().replace(/\W+/g, '-') };
      }),
    };
    identities.linkedin.push(member);
    return member;
  }
  if (input.platform === 'meta') {
    const ids = taken.meta;
    const id = input.id ?? freeId(ids, '1000', 17);
    if (ids.has(id)) return undefined;
    ids.add(id);
    const pageIds = taken.pages;
    const igIds = taken.instagram;
    const user = {
      id,
      name: input.name,
      email: input.email ?? `user${id.slice(-6)}@example.com`,
      pages: input.pages.map((p) => {
        const pageId = p.id ?? freeId(pageIds, '2000', 17);
        pageIds.add(pageId);
        const igId = p.instagram ? (p.instagram.id ?? freeId(igIds, '178414', 17)) : undefined;
        if (igId) igIds.add(igId);
        return {
          id: pageId,
          name: p.name,
          category: p.category,
          tasks: ['ANALYZE', 'CREATE_CONTENT', 'MODERATE', 'MANAGE'],
          ...(p.instagram && igId
            ? {
                instagram: {
                  id: igId,
                  username: p.instagram.username,
                  name: p.instagram.name ?? p.name,
                  followersCount: 100,
                },
              }
            : {}),
        };
      }),
    };
    identities.meta.push(user);
    return user;
  }
  const ids = taken.twitter;
  const id = input.id ?? freeId(ids, '17', 19);
  if (ids.has(id)) return undefined;
  ids.add(id);
  const user = {
    id,
    username: input.username,
    name: input.name,
    description: '',
    createdAt: '2022-01-01T00:00:00.000Z',
    followersCount: 10,
    followingCount: 10,
  };
  identities.twitter.push(user);
  return user;
}
