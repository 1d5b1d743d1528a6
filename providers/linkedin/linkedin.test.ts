import { describe, expect, it } from 'vitest';
import type { ProviderFailure, ProviderStep } from '../contract.js';
import { parseAnswer } from '../http.js';
import { builtInPlatform } from '../metadata.js';
import { classifyLinkedinFailure, retryAfterMs } from './failures.js';
import { PAGE_SIZE, postsAnswer, postsPageFrom } from './posts.js';

const li = { platform: 'linkedin', metadata: builtInPlatform('linkedin')! };
const failure = (step: ProviderStep, status: number, body: unknown, headers: Record<string, string> = {}): ProviderFailure => ({
  step,
  status,
  body,
  headers: new Headers(headers),
});
const kind = (f: ProviderFailure) => classifyLinkedinFailure(li, f).kind;
const BAD_REFRESH = 'The provided authorization grant or refresh token is invalid, expired or revoked';

describe('LinkedIn failure classification', () => {
  it('a revoked or expired refresh token is a dead grant; other invalid_requests are not', () => {
    expect(kind(failure('refresh', 400, { error: 'invalid_request', error_description: BAD_REFRESH }))).toBe('grant_dead');
    expect(kind(failure('refresh', 400, { error: 'invalid_grant' }))).toBe('grant_dead');
    expect(
      kind(failure('refresh', 400, { error: 'invalid_request', error_description: 'A required parameter "refresh_token" is missing' })),
    ).toBe('rejected');
    expect(kind(failure('exchange', 400, { error: 'invalid_request', error_description: BAD_REFRESH }))).toBe('rejected');
  });

  it('invalid_client is our app credentials', () => {
    expect(kind(failure('refresh', 401, { error: 'invalid_client', error_description: 'Client authentication failed' }))).toBe(
      'app_misconfigured',
    );
    expect(kind(failure('exchange', 401, { error: 'invalid_client' }))).toBe('app_misconfigured');
  });

  it('API: 401 (65600 invalid, 65601 revoked) refuses the access token; 429 waits; 5xx transient; other 4xx rejected', () => {
    const revoked = classifyLinkedinFailure(
      li,
      failure('api', 401, {
        status: 401,
        serviceErrorCode: 65601,
        code: 'REVOKED_ACCESS_TOKEN',
        message: 'The token used in the request has been revoked by the user',
      }),
    );
    expect(revoked.kind).toBe('grant_dead');
    expect(revoked.message).toMatch(/serviceErrorCode 65601/);
    const limited = classifyLinkedinFailure(
      li,
      failure('api', 429, { status: 429, message: 'Resource level throttle limit' }, { 'retry-after': '30' }),
    );
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(kind(failure('api', 500, { message: 'Internal Server Error' }))).toBe('transient');
    expect(kind(failure('api', 403, { message: 'Not enough permissions', serviceErrorCode: 100 }))).toBe('rejected');
  });

  it('Retry-After in seconds, else a minute (no rate-limit headers are documented)', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '12' }))).toBe(12_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }))).toBe(60_000);
    expect(retryAfterMs(new Headers())).toBe(60_000);
  });
});

describe('LinkedIn organization posts pages', () => {
  const element = (n: number) => ({ id: `urn:li:share:${n}`, commentary: `post ${n}`, publishedAt: 1_767_225_600_000 + n });

  it('maps each post with its share statistics', () => {
    const page = postsPageFrom(
      { elements: [element(1), { id: 'urn:li:ugcPost:2' }], paging: { total: 2 } },
      {
        elements: [
          {
            share: 'urn:li:share:1',
            totalShareStatistics: { impressionCount: 90, likeCount: 3, commentCount: 2, shareCount: 1, clickCount: 4 },
          },
        ],
      },
      0,
    );
    expect(page.posts[0]).toEqual({
      externalId: 'urn:li:share:1',
      postedAt: new Date(1_767_225_600_001),
      text: 'post 1',
      impressions: 90,
      likes: 3,
      comments: 2,
      shares: 1,
      clicks: 4,
      engagements: 10,
    });
    expect(page.posts[1]).toMatchObject({ externalId: 'urn:li:ugcPost:2', impressions: 0, engagements: 0, postedAt: null });
    expect(page).toMatchObject({ nextCursor: null, total: 2 });
  });

  it('pages by start until the total, or without a total until a short page', () => {
    const full = Array.from({ length: PAGE_SIZE }, (_, i) => element(i));
    expect(postsPageFrom({ elements: full, paging: { total: 120 } }, { elements: [] }, 50).nextCursor).toBe('100');
    expect(postsPageFrom({ elements: full.slice(0, 20), paging: { total: 120 } }, { elements: [] }, 100).nextCursor).toBeNull();
    expect(postsPageFrom({ elements: full }, { elements: [] }, 0).nextCursor).toBe(String(PAGE_SIZE));
    expect(postsPageFrom({ elements: full.slice(0, 3) }, { elements: [] }, 0).nextCursor).toBeNull();
    expect(postsPageFrom({ elements: [] }, { elements: [] }, 0).nextCursor).toBeNull();
  });

  it('a changed shape is rejected, naming LinkedIn and the field', () => {
    expect(() => parseAnswer(li, 'a posts page', postsAnswer, { elements: [{ id: 7 }] })).toThrow(
      /^LinkedIn answered a posts page in an unexpected shape \(elements\.0\.id: /,
    );
    expect(() => parseAnswer(li, 'a posts page', postsAnswer, { items: [] })).toThrow(/elements/);
  });
});
