import { describe, expect, it } from 'vitest';
import { isQuietUrl, REDACTED, scrub, scrubBreadcrumb, scrubEvent, scrubText, stripQuery } from './sentry.js';

describe('scrubEvent', () => {
  const event = {
    message: 'callback failed for /api/v1/oauth/twitter/callback?code=abc123code&state=st4te-value',
    request: {
      method: 'GET',
      url: 'https://api.example.com/api/v1/oauth/twitter/callback?code=abc123code&state=st4te-value',
      query_string: 'code=abc123code&state=st4te-value',
      cookies: { session: 'cookie-value' },
      data: { password: 'hunter2' },
      headers: {
        Authorization: 'Bearer session-token-123',
        Cookie: 'session=cookie-value',
        'X-Api-Key': 'key-123',
        'x-request-id': 'req-1',
        accept: 'application/json',
      },
    },
    exception: { values: [{ type: 'Error', value: 'token endpoint said no to refresh_token=rt-secret-1 (Bearer at-secret-2)' }] },
    extra: {
      access_token: 'at-secret-3',
      refreshToken: 'rt-secret-4',
      code_verifier: 'verifier-5',
      client_secret: 'cs-6',
      nested: { state: 'st-7', status_code: 500, error_code: 'invalid_state', token_expires_in: 3600 },
      list: ['https://graph.example.com/me?access_token=at-secret-8&fields=id'],
    },
    breadcrumbs: [
      { category: 'http', data: { url: 'https://x.example.com/2/oauth2/token?code=abc', 'http.query': '?code=abc', status_code: 200 } },
      { category: 'oauth', message: 'state validated', data: { platform: 'twitter', oauth_state_id: 4 } },
    ],
    tags: { request_id: 'req-1', business_id: '7' },
    user: { id: '3' },
  };

  const scrubbed = scrubEvent(event as never) as typeof event;
  const text = JSON.stringify(scrubbed);

  it('leaves no secret anywhere', () => {
    for (const secret of [
      'abc123code',
      'st4te-value',
      'cookie-value',
      'hunter2',
      'session-token-123',
      'key-123',
      'rt-secret-1',
      'at-secret-2',
      'at-secret-3',
      'rt-secret-4',
      'verifier-5',
      'cs-6',
      'st-7',
      'at-secret-8',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('drops the request cookies, body and query string, and the secret headers', () => {
    expect(scrubbed.request.url).toBe('https://api.example.com/api/v1/oauth/twitter/callback');
    expect(scrubbed.request).not.toHaveProperty('query_string');
    expect(scrubbed.request).not.toHaveProperty('cookies');
    expect(scrubbed.request).not.toHaveProperty('data');
    expect(scrubbed.request.headers).toEqual({ 'x-request-id': 'req-1', accept: 'application/json' });
  });

  it('keeps what operators need: ids, tags, user id, numbers and non-secret codes', () => {
    expect(scrubbed.tags).toEqual({ request_id: 'req-1', business_id: '7' });
    expect(scrubbed.user).toEqual({ id: '3' });
    expect(scrubbed.extra.nested).toEqual({ state: REDACTED, status_code: 500, error_code: 'invalid_state', token_expires_in: 3600 });
    expect(scrubbed.breadcrumbs[1]).toEqual(event.breadcrumbs[1]);
    expect(scrubbed.breadcrumbs[0]!.data).toEqual({
      url: 'https://x.example.com/2/oauth2/token',
      'http.query': REDACTED,
      status_code: 200,
    });
    expect(scrubbed.exception.values[0]!.value).toBe(`token endpoint said no to refresh_token=${REDACTED} (Bearer ${REDACTED})`);
    expect(scrubbed.extra.list[0]).toBe(`https://graph.example.com/me?access_token=${REDACTED}&fields=id`);
  });

  it('does not change its input', () => {
    expect(event.request.headers.Authorization).toBe('Bearer session-token-123');
  });
});

describe('scrub helpers', () => {
  it('scrubText redacts secret parameters and credentials in free text', () => {
    expect(scrubText('GET /cb?state=s1&code=c1 ok')).toBe(`GET /cb?state=${REDACTED}&code=${REDACTED} ok`);
    expect(scrubText('Authorization: Basic dXNlcjpwYXNz')).toBe(`Authorization: Basic ${REDACTED}`);
    expect(scrubText('error_code=invalid_state')).toBe('error_code=invalid_state');
  });

  it('stripQuery keeps the path', () => {
    expect(stripQuery('/a/b?c=d#e')).toBe('/a/b');
    expect(stripQuery('https://h/x')).toBe('https://h/x');
  });

  it('scrub redacts values under secret-looking keys, whatever their type, but keeps numbers and booleans', () => {
    expect(scrub({ cookies: { a: 'b' }, authorization: ['x'], password: 'p', has_code: true, token_count: 2 })).toEqual({
      cookies: REDACTED,
      authorization: REDACTED,
      password: REDACTED,
      has_code: true,
      token_count: 2,
    });
  });
});

describe('probes', () => {
  it('recognises /health, /ready and /metrics, as paths or URLs, and nothing else', () => {
    for (const quiet of [
      '/health',
      '/ready',
      '/metrics',
      '/health?x=1',
      'http://127.0.0.1:8000/ready',
      'https://api.example.com/health/',
    ]) {
      expect(isQuietUrl(quiet), quiet).toBe(true);
    }
    for (const loud of ['/api/v1/health-report', '/healthy', '/api/v1/oauth/x/callback', 'http://h/readyz', undefined]) {
      expect(isQuietUrl(loud), String(loud)).toBe(false);
    }
  });

  it('scrubBreadcrumb drops probe requests and scrubs the rest', () => {
    expect(scrubBreadcrumb({ category: 'http', data: { url: 'http://127.0.0.1:8000/health', method: 'GET' } })).toBeNull();
    expect(scrubBreadcrumb({ category: 'http', data: { url: 'http://h/api/v1/oauth/x/callback?code=c&state=s' } })).toEqual({
      category: 'http',
      data: { url: 'http://h/api/v1/oauth/x/callback' },
    });
  });
});
