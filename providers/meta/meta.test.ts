import { describe, expect, it } from 'vitest';
import type { ProviderFailure, ProviderStep } from '../contract.js';
import { parseAnswer } from '../http.js';
import { mediaPost } from '../instagram/media.js';
import { builtInPlatform } from '../metadata.js';
import { classifyMetaFailure, retryAfterMs } from './failures.js';
import { nextCursor } from './insights.js';
import { pagePost, pagePostsAnswer } from './posts.js';

const fb = { platform: 'meta', metadata: builtInPlatform('meta')! };
const graph = (code: number, message = 'm', extra: Record<string, unknown> = {}) => ({
  error: { message, type: 'OAuthException', code, fbtrace_id: 'A1', ...extra },
});
const failure = (step: ProviderStep, status: number, body: unknown, headers: Record<string, string> = {}): ProviderFailure => ({
  step,
  status,
  body,
  headers: new Headers(headers),
});
const kind = (f: ProviderFailure) => classifyMetaFailure(fb, f).kind;

describe('Meta failure classification', () => {
  it('code 190 is a dead grant (every subcode), with the code in the message', () => {
    const revoked = classifyMetaFailure(
      fb,
      failure('api', 400, graph(190, 'Error validating access token: The user has not authorized application', { error_subcode: 458 })),
    );
    expect(revoked.kind).toBe('grant_dead');
    expect(revoked.message).toMatch(/190\/458/);
    expect(kind(failure('exchange', 400, graph(190, 'expired', { error_subcode: 463 })))).toBe('grant_dead');
  });

  it('a bad app secret or app id is our app credentials, also as 190 on a call made with the app token', () => {
    expect(kind(failure('exchange', 400, graph(1, 'Error validating client secret.')))).toBe('app_misconfigured');
    expect(kind(failure('exchange', 400, graph(101, 'Error validating application. Invalid application ID.')))).toBe('app_misconfigured');
    expect(kind(failure('app_token', 400, graph(190, 'Invalid OAuth access token signature.')))).toBe('app_misconfigured');
  });

  it('throttling codes wait for the usage headers; Graph temporary errors and 5xx are transient; the rest rejected', () => {
    for (const code of [4, 17, 32, 613, 80001]) expect(kind(failure('api', 400, graph(code)))).toBe('rate_limited');
    const limited = classifyMetaFailure(
      fb,
      failure('api', 400, graph(4), {
        'x-app-usage': '{"call_count":100,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":7}',
      }),
    );
    expect(limited.retryAfterMs).toBe(7 * 60_000);
    expect(kind(failure('api', 500, graph(2, 'Service temporarily unavailable')))).toBe('transient');
    expect(kind(failure('api', 500, 'oops'))).toBe('transient');
    expect(kind(failure('api', 400, graph(1, 'An unknown error occurred')))).toBe('transient');
    expect(kind(failure('api', 400, graph(100, '(#100) metric[0] must be one of')))).toBe('rejected');
    expect(kind(failure('api', 403, graph(10, 'Permission denied')))).toBe('rejected');
  });

  it('reads the longest wait from X-Business-Use-Case-Usage, else X-App-Usage, else a minute', () => {
    const buc = JSON.stringify({
      '123': [
        { type: 'pages', call_count: 100, estimated_time_to_regain_access: 3 },
        { type: 'ads', estimated_time_to_regain_access: 12 },
      ],
    });
    expect(retryAfterMs(new Headers({ 'x-business-use-case-usage': buc }))).toBe(12 * 60_000);
    expect(
      retryAfterMs(
        new Headers({ 'x-business-use-case-usage': '{not json', 'x-app-usage': '{"call_count":100,"estimated_time_to_regain_access":2}' }),
      ),
    ).toBe(2 * 60_000);
    expect(retryAfterMs(new Headers({ 'x-app-usage': '{"call_count":10,"estimated_time_to_regain_access":0}' }))).toBe(60_000);
    expect(retryAfterMs(new Headers())).toBe(60_000);
  });
});

describe('Graph content pages', () => {
  it('maps a Page post with its current insights (reactions by type, post_media_view)', () => {
    const post = pagePost(
      { id: '1_2', message: 'hello', created_time: '2026-01-02T03:04:05+0000', shares: { count: 2 } },
      {
        data: [
          { name: 'post_media_view', values: [{ value: 500 }] },
          { name: 'post_reactions_by_type_total', values: [{ value: { like: 4, love: 1 } }] },
          { name: 'post_clicks', values: [{ value: 3 }] },
        ],
      },
    );
    expect(post).toEqual({
      externalId: '1_2',
      postedAt: new Date('2026-01-02T03:04:05Z'),
      text: 'hello',
      impressions: 500,
      likes: 5,
      comments: 0,
      shares: 2,
      clicks: 3,
      engagements: 10,
    });
  });

  it('maps Instagram media; missing insights are an empty set, not 0, and fall back to the media counts', () => {
    const media = mediaPost(
      { id: '9', caption: 'c', timestamp: '2026-01-03T00:00:00+0000', like_count: 7, comments_count: 2 },
      { data: [] },
    );
    expect(media).toMatchObject({ externalId: '9', impressions: 0, likes: 7, comments: 2, shares: 0, engagements: 9 });
    const withViews = mediaPost(
      { id: '9' },
      {
        data: [
          { name: 'views', values: [{ value: 40 }] },
          { name: 'total_interactions', values: [{ value: 11 }] },
        ],
      },
    );
    expect(withViews).toMatchObject({ impressions: 40, engagements: 11 });
  });

  it('pages by cursor while there is a next link', () => {
    expect(nextCursor({ next: 'https://graph/next', cursors: { after: 'A' } })).toBe('A');
    expect(nextCursor({ cursors: { after: 'A' } })).toBeNull();
    expect(nextCursor(undefined)).toBeNull();
  });

  it('a changed shape is rejected, naming the platform and the field', () => {
    expect(() => parseAnswer(fb, 'a Page posts page', pagePostsAnswer, { data: [{ message: 'no id' }] })).toThrow(
      /^Facebook Pages answered a Page posts page in an unexpected shape \(data\.0\.id: /,
    );
  });
});
