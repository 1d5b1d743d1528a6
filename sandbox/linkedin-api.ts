// LinkedIn's API side (api.linkedin.com): OpenID userinfo, organization ACLs, the Posts finder and
// organization share statistics, behind LinkedIn's token and versioning checks.
import express, { type Request, type Response, type Router } from 'express';
import { bumpEpoch, engagement, listPosts, timeId, type Post } from './content.js';
import { bearerToken, queryParams } from './http.js';
import type { LinkedInMember } from './identities.js';
import { checkToken, type SandboxState, type TokenRecord } from './store.js';

/** LinkedIn API error body: `{status, serviceErrorCode, code, message}`. */
export function apiError(res: Response, status: number, serviceErrorCode: number | undefined, code: string | undefined, message: string) {
  res.status(status).json({
    status,
    ...(serviceErrorCode !== undefined ? { serviceErrorCode } : {}),
    ...(code ? { code } : {}),
    message,
  });
}

// Observed in public issues: 65600 INVALID_ACCESS_TOKEN, 65601 REVOKED_ACCESS_TOKEN, 65604 for a missing
// token. Unconfirmed: the expired-token body (no public sample); 65602 EXPIRED_ACCESS_TOKEN follows the
// same numbering and its message is the one LinkedIn's v1 API used.
const tokenErrors = {
  empty: [65604, 'EMPTY_ACCESS_TOKEN', 'Empty oauth2_access_token'],
  unknown: [65600, 'INVALID_ACCESS_TOKEN', 'Invalid access token'],
  revoked: [65601, 'REVOKED_ACCESS_TOKEN', 'The token used in the request has been revoked by the user'],
  expired: [65602, 'EXPIRED_ACCESS_TOKEN', 'The token used in the request has expired'],
} as const;

export interface Caller {
  token: TokenRecord;
  member: LinkedInMember;
}

export function authenticate(state: SandboxState, req: Request, res: Response): Caller | undefined {
  const value = bearerToken(req);
  const check = checkToken(state, 'linkedin', value);
  const member = state.identities.linkedin.find((m) => m.id === check.token?.identityId);
  if (check.status === 'valid' && check.token && member) return { token: check.token, member };
  const [serviceErrorCode, code, message] = tokenErrors[!value ? 'empty' : check.status === 'valid' ? 'unknown' : check.status];
  apiError(res, 401, serviceErrorCode, code, message);
  return undefined;
}

export function denied(res: Response, resource: string, version = 'NO_VERSION') {
  apiError(res, 403, 100, 'ACCESS_DENIED', `Not enough permissions to access: ${resource}.${version}`);
}

export const hasAny = (token: TokenRecord, scopes: string[]) => scopes.some((s) => token.scopes.includes(s));

/**
 * /rest needs `LinkedIn-Version: YYYYMM` (missing: 400 VERSION_MISSING; unknown or sunset: 426
 * NONEXISTENT_VERSION, as observed) and `X-Restli-Protocol-Version: 2.0.0` (the sandbox insists on it
 * for every /rest call; LinkedIn needs it for the List(...) syntax these endpoints use).
 */
function restHeaders(state: SandboxState) {
  return (req: Request, res: Response, next: () => void) => {
    const version = req.get('linkedin-version');
    if (!version) {
      return apiError(
        res,
        400,
        undefined,
        'VERSION_MISSING',
        'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      );
    }
    if (!versionActive(state, version))
      return apiError(res, 426, undefined, 'NONEXISTENT_VERSION', `Requested version ${version} is not active`);
    if (req.get('x-restli-protocol-version') !== '2.0.0') {
      return apiError(
        res,
        400,
        undefined,
        'PROTOCOL_VERSION_REQUIRED',
        'The X-Restli-Protocol-Version header must be 2.0.0 for this resource.',
      );
    }
    next();
  };
}

function versionActive(state: SandboxState, version: string): boolean {
  const match = version.match(/^(\d{4})(\d{2})(?:\.\d{2})?$/);
  if (!match) return false;
  const month = Number(match[1]) * 12 + Number(match[2]) - 1;
  if (Number(match[2]) < 1 || Number(match[2]) > 12) return false;
  const now = new Date(state.now());
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  return month <= current && current - month <= state.config.linkedin.versionMaxAgeMonths;
}

/** `List(a,b)` (Rest.li 2.0) to its items. */
function restliList(value: string | undefined): string[] | undefined {
  const match = value?.match(/^List\((.*)\)$/);
  if (!match) return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return (match[1] ?? '')
    .split(',')
    .map((s) => decode(s.trim()))
    .filter(Boolean);
}

const orgUrn = (id: string) => `urn:li:organization:${id}`;
const postUrn = (post: Post) => `urn:li:${post.variant}:${timeId(post)}`;

export function linkedinApiRouter(state: SandboxState): Router {
  const router = express.Router();

  router.get('/v2/userinfo', (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const { token, member } = caller;
    if (!token.scopes.includes('openid') || !hasAny(token, ['profile', 'email'])) return denied(res, 'userinfo.GET');
    const profile = token.scopes.includes('profile')
      ? {
          name: `${member.givenName} ${member.familyName}`,
          given_name: member.givenName,
          family_name: member.familyName,
          picture: `${state.publicUrl}/avatars/linkedin/${member.id}.svg`,
          locale: member.locale,
        }
      : {};
    const email = token.scopes.includes('email') ? { email: member.email, email_verified: member.emailVerified } : {};
    res.json({ sub: member.id, ...profile, ...email });
  });

  router.use('/rest', restHeaders(state));

  router.get('/rest/organizationAcls', (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const q = queryParams(req);
    if (q.q !== 'roleAssignee')
      return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'Invalid query parameter q, expected roleAssignee');
    if (!hasAny(caller.token, ['rw_organization_admin', 'r_organization_admin', 'r_organization_social', 'w_organization_social'])) {
      return denied(res, 'organizationAcls.FINDER-roleAssignee', req.get('linkedin-version'));
    }
    const role = q.role ?? 'ADMINISTRATOR';
    const aclState = q.state ?? 'APPROVED';
    const elements =
      role === 'ADMINISTRATOR' && aclState === 'APPROVED'
        ? caller.member.organizations.map((o) => ({
            roleAssignee: `urn:li:person:${caller.member.id}`,
            state: 'APPROVED',
            role: 'ADMINISTRATOR',
            organization: orgUrn(o.id),
          }))
        : [];
    res.json({ paging: { start: 0, count: 10, links: [], total: elements.length }, elements });
  });

  router.get('/rest/organizations/:id', (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const org = caller.member.organizations.find((o) => o.id === req.params.id);
    if (!org)
      return apiError(res, 403, 100, 'ACCESS_DENIED', `Not enough permissions to access: organizations.GET.${req.get('linkedin-version')}`);
    res.json({
      id: Number(org.id),
      localizedName: org.name,
      vanityName: org.vanityName,
      name: { localized: { en_US: org.name }, preferredLocale: { country: 'US', language: 'en' } },
    });
  });

  router.get('/rest/posts', (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const q = queryParams(req);
    if (q.q !== 'author' || !q.author)
      return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'The posts finder needs q=author and author');
    // Organizations the member administers (r_organization_social), or the member's own posts, which
    // need the restricted r_member_social (PUBLISHING.md 1.2).
    const orgId = q.author.match(/^urn:li:organization:(\d+)$/)?.[1];
    const personId = q.author.match(/^urn:li:person:(.+)$/)?.[1];
    const org = caller.member.organizations.find((o) => o.id === orgId);
    const allowed = org
      ? hasAny(caller.token, ['r_organization_social', 'rw_organization_admin'])
      : personId === caller.member.id && hasAny(caller.token, ['r_member_social']);
    if (!allowed) return denied(res, 'partnerApiPostsExternal.FINDER-author', req.get('linkedin-version'));
    const accountId = org ? org.id : caller.member.id;
    const author = q.author;
    const start = Number(q.start ?? 0);
    const count = Number(q.count ?? 10);
    if (!Number.isInteger(start) || start < 0 || !Number.isInteger(count) || count < 1 || count > 100) {
      return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'start must be >= 0 and count between 1 and 100');
    }
    // Newest first either way: posts here are never edited, so last modified is created.
    if (q.sortBy !== undefined && q.sortBy !== 'CREATED' && q.sortBy !== 'LAST_MODIFIED')
      return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'sortBy must be CREATED or LAST_MODIFIED');
    if (start === 0) bumpEpoch(state, 'linkedin', accountId);
    const posts = listPosts(state, 'linkedin', accountId);
    const page = posts.slice(start, start + count);
    const link = (s: number, rel: string) => ({
      type: 'application/json',
      rel,
      href: `/rest/posts?author=${encodeURIComponent(q.author ?? '')}&count=${count}&q=author&start=${s}`,
    });
    const links = [
      ...(start > 0 ? [link(Math.max(0, start - count), 'prev')] : []),
      ...(start + count < posts.length ? [link(start + count, 'next')] : []),
    ];
    res.json({
      paging: { start, count, links, total: posts.length },
      elements: page.map((post) => ({
        id: postUrn(post),
        author,
        commentary: post.text,
        visibility: 'PUBLIC',
        distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
        lifecycleState: 'PUBLISHED',
        lifecycleStateInfo: { isEditedByAuthor: false },
        isReshareDisabledByAuthor: false,
        createdAt: post.publishedAt,
        publishedAt: post.publishedAt,
        lastModifiedAt: post.publishedAt,
        ...(post.variant === 'ugcPost'
          ? { content: { media: { id: `urn:li:video:D5605AQ${post.serial}`, title: post.text.slice(0, 40) } } }
          : {}),
      })),
    });
  });

  router.get('/rest/organizationalEntityShareStatistics', (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const q = queryParams(req);
    const version = req.get('linkedin-version');
    if (q.q !== 'organizationalEntity' || !q.organizationalEntity) {
      return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'The finder needs q=organizationalEntity and organizationalEntity');
    }
    const orgId = q.organizationalEntity.match(/^urn:li:organization:(\d+)$/)?.[1];
    const org = caller.member.organizations.find((o) => o.id === orgId);
    if (!org || !caller.token.scopes.includes('rw_organization_admin')) {
      return denied(res, 'organizationalEntityShareStatistics.FINDER-organizationalEntity', version);
    }
    const entity = orgUrn(org.id);
    const posts = listPosts(state, 'linkedin', org.id);
    const byUrn = new Map(posts.map((p) => [postUrn(p), p]));
    const stats = (selected: Post[]) => shareStatistics(selected.map((p) => engagement(state, 'linkedin', org.id, p)));

    const shares = restliList(q.shares);
    const ugcPosts = restliList(q.ugcPosts);
    if (shares || ugcPosts) {
      const elements = [];
      for (const [field, urns] of [
        ['share', shares ?? []],
        ['ugcPost', ugcPosts ?? []],
      ] as const) {
        for (const [i, urn] of urns.entries()) {
          const post = byUrn.get(urn);
          if (!post || post.variant !== field) {
            return apiError(
              res,
              403,
              100,
              'ACCESS_DENIED',
              `Unpermitted fields present in PARAMETER: Data Processing Exception while processing fields [/${field}s[${i}]]`,
            );
          }
          elements.push({ organizationalEntity: entity, [field]: urn, totalShareStatistics: stats([post]) });
        }
      }
      return res.json({ paging: { start: 0, count: 10, links: [] }, elements });
    }

    const intervals = q.timeIntervals?.match(/timeRange:\(start:(\d+),end:(\d+)\),timeGranularityType:(DAY|MONTH)/);
    if (q.timeIntervals && !intervals) return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'Invalid timeIntervals');
    if (intervals) {
      const [, startText, endText, granularity] = intervals;
      const elements = [];
      for (let from = Number(startText); from < Number(endText);) {
        const to = granularity === 'DAY' ? from + 86_400_000 : nextMonth(from);
        const inRange = posts.filter((p) => p.publishedAt >= from && p.publishedAt < to);
        elements.push({
          organizationalEntity: entity,
          timeRange: { start: from, end: to },
          totalShareStatistics: stats(inRange),
        });
        from = to;
      }
      return res.json({ paging: { start: 0, count: 10, links: [] }, elements });
    }
    // Lifetime statistics cover the last 12 months (documented rolling window).
    const yearAgo = state.now() - 365 * 86_400_000;
    res.json({
      paging: { start: 0, count: 10, links: [] },
      elements: [{ organizationalEntity: entity, totalShareStatistics: stats(posts.filter((p) => p.publishedAt >= yearAgo)) }],
    });
  });

  return router;
}

function nextMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function shareStatistics(items: ReturnType<typeof engagement>[]) {
  const sum = (pick: (e: ReturnType<typeof engagement>) => number) => items.reduce((n, e) => n + pick(e), 0);
  const impressionCount = sum((e) => e.impressions);
  const clickCount = sum((e) => e.clicks);
  const likeCount = sum((e) => e.likes);
  const commentCount = sum((e) => e.comments);
  const shareCount = sum((e) => e.shares);
  return {
    impressionCount,
    uniqueImpressionsCount: sum((e) => e.uniqueImpressions),
    clickCount,
    likeCount,
    commentCount,
    shareCount,
    shareMentionsCount: 0,
    commentMentionsCount: 0,
    engagement: impressionCount ? (clickCount + likeCount + commentCount + shareCount) / impressionCount : 0,
  };
}
