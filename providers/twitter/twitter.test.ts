import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import type { ProviderError, ProviderFailure, ProviderStep } from '../contract.js';
import { builtInPlatform } from '../metadata.js';
import { classifyTwitterFailure, retryAfterMs } from './failures.js';
import { twitterProvider } from './index.js';
import { tweetsPage, tweetsPageAnswer } from './posts.js';
import { parseAnswer } from '../http.js';

const x = { platform: 'twitter', metadata: builtInPlatform('twitter')! };
const failure = (step: ProviderStep, status: number, body: unknown, headers: Record<string, string> = {}): ProviderFailure => ({
  step,
  status,
  body,
  headers: new Headers(headers),
});
const classify = (f: ProviderFailure): ProviderError => classifyTwitterFailure(x, f);

describe('X failure classification', () => {
  it('a dead grant only on refresh: invalid_grant, and the documented "Value passed for the token was invalid."', () => {
    expect(classify(failure('refresh', 400, { error: 'invalid_grant' })).kind).toBe('grant_dead');
    const reused = classify(
      failure('refresh', 400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' }),
    );
    expect(reused.kind).toBe('grant_dead');
    expect(reused.message).toMatch(/Value passed for the token was invalid/);
    // The same body at the code exchange is a bad code, and another invalid_request on refresh is not the grant.
    expect(
      classify(failure('exchange', 400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' })).kind,
    ).toBe('rejected');
    expect(
      classify(failure('refresh', 400, { error: 'invalid_request', error_description: 'Missing required parameter [refresh_token].' }))
        .kind,
    ).toBe('rejected');
  });

  it('401 unauthorized_client and invalid_client are our app credentials, retryable, never a dead grant', () => {
    expect(
      classify(failure('refresh', 401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' })).kind,
    ).toBe('app_misconfigured');
    expect(classify(failure('exchange', 401, { error: 'invalid_client' })).kind).toBe('app_misconfigured');
    expect(
      classify(failure('api', 403, { type: 'https://api.twitter.com/2/problems/client-not-enrolled', title: 'Client Forbidden' })).kind,
    ).toBe('app_misconfigured');
  });

  it('rate limits wait for x-rate-limit-reset; 5xx is transient; other 4xx rejected; an API 401 refuses the access token', () => {
    const now = Date.now();
    const limited = classify(
      failure('api', 429, { title: 'Too Many Requests' }, { 'x-rate-limit-reset': String(Math.ceil(now / 1000) + 30) }),
    );
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterMs).toBeGreaterThan(28_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(31_000);
    expect(classify(failure('refresh', 429, { error: 'rate_limited' })).retryAfterMs).toBe(60_000);
    expect(classify(failure('api', 503, 'Service Unavailable')).kind).toBe('transient');
    expect(classify(failure('api', 403, { title: 'Forbidden', detail: 'nope' })).kind).toBe('rejected');
    expect(classify(failure('api', 401, { title: 'Unauthorized' })).kind).toBe('grant_dead');
  });

  it('parses x-rate-limit-reset (epoch seconds), at least a second ahead', () => {
    const now = 1_800_000_000_000;
    expect(retryAfterMs(new Headers({ 'x-rate-limit-reset': '1800000060' }), now)).toBe(60_000);
    expect(retryAfterMs(new Headers({ 'x-rate-limit-reset': '1700000000' }), now)).toBe(1000);
    expect(retryAfterMs(new Headers({ 'x-rate-limit-reset': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe('X timeline pages', () => {
  it('maps public metrics and ends where next_token is missing', () => {
    const page = tweetsPage(x, {
      data: [
        {
          id: '1',
          text: 'hi',
          created_at: '2026-01-02T03:04:05.000Z',
          public_metrics: { like_count: 2, reply_count: 3, retweet_count: 4, quote_count: 1, bookmark_count: 5, impression_count: 100 },
        },
      ],
      meta: { next_token: 'n1' },
    });
    expect(page.posts[0]).toEqual({
      externalId: '1',
      postedAt: new Date('2026-01-02T03:04:05.000Z'),
      text: 'hi',
      impressions: 100,
      likes: 2,
      comments: 3,
      shares: 5,
      clicks: 0,
      engagements: 15,
    });
    expect(page.nextCursor).toBe('n1');
    expect(tweetsPage(x, { data: [], meta: {} }).nextCursor).toBeNull();
  });

  it('a 200 with errors[] and no data is rejected with its detail', () => {
    expect(() => tweetsPage(x, { errors: [{ detail: 'Could not find user' }] })).toThrow(/Could not find user/);
  });

  it('a changed shape is rejected, naming X and the field', () => {
    try {
      parseAnswer(x, 'a timeline page', tweetsPageAnswer, { data: [{ text: 'no id' }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'rejected' });
      expect((error as Error).message).toMatch(/^X answered a timeline page in an unexpected shape \(data\.0\.id: /);
    }
  });
});

describe('the X provider on oauth4webapi against a stand-in token endpoint', () => {
  let server: Server;
  let answer: { status: number; body: unknown; headers?: Record<string, string> };
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  const provider = () =>
    twitterProvider(
      loadConfig({
        NODE_ENV: 'test',
        TWITTER_CLIENT_ID: 'id',
        TWITTER_CLIENT_SECRET: 'secret',
        TWITTER_AUTH_URL: url,
        TWITTER_API_URL: url,
      }),
    )!;
  const refreshFails = async () =>
    provider().refresh!('rt').then(
      () => expect.unreachable(),
      (e: ProviderError) => e,
    );

  it('classifies what the token endpoint answers', async () => {
    answer = {
      status: 401,
      body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
      headers: { 'www-authenticate': 'Basic realm="x"' },
    };
    expect((await refreshFails()).kind).toBe('app_misconfigured');
    answer = { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } };
    expect((await refreshFails()).kind).toBe('grant_dead');
    answer = { status: 503, body: '<html>busy</html>', headers: { 'content-type': 'text/html' } };
    expect((await refreshFails()).kind).toBe('transient');
    answer = { status: 200, body: { token_type: 'bearer', expires_in: 7200 } };
    expect(await refreshFails()).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/^X token endpoint answered in an unexpected shape/),
    });
    answer = {
      status: 200,
      body: { token_type: 'bearer', access_token: 'at', refresh_token: 'rt2', expires_in: 7200, scope: 'tweet.read' },
    };
    const tokens = await provider().refresh!('rt');
    expect(tokens).toMatchObject({ accessToken: 'at', refreshToken: 'rt2', scopes: 'tweet.read' });
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 7_000_000);
  });

  it('a host that does not answer is transient', async () => {
    const down = twitterProvider(
      loadConfig({
        NODE_ENV: 'test',
        TWITTER_CLIENT_ID: 'id',
        TWITTER_CLIENT_SECRET: 's',
        TWITTER_AUTH_URL: 'http://127.0.0.1:9',
        TWITTER_API_URL: 'http://127.0.0.1:9',
      }),
    )!;
    await expect(down.refresh!('rt')).rejects.toMatchObject({ kind: 'transient' });
  });
});
