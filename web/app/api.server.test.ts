import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'silent';
});

import { ApiError, createApiFetch, loadSection, requestIdOf, retryAfterSeconds } from './api.server.js';
import { createUserSession } from './session.server.js';

// A tiny stand-in for the API: each path answers one way, and records the headers it was sent.
let server: Server;
let baseUrl: string;
let lastHeaders: IncomingHttpHeaders = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-ID': 'api-req-1', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string, headers?: Record<string, string>) =>
      json(status, { error: { code, message, request_id: 'api-req-2' } }, headers);
    switch (req.url?.split('?')[0]) {
      case '/ok':
        return json(200, { value: 42, extra: 'dropped', query: req.url.split('?')[1] ?? null });
      case '/echo-body': {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => json(200, { method: req.method, body: JSON.parse(body) }));
        return;
      }
      case '/no-content':
        res.writeHead(204).end();
        return;
      case '/unauthenticated':
        return error(401, 'invalid_credentials', 'Email or password is incorrect.');
      case '/invalid':
        return error(400, 'invalid_request', 'Invalid request: email: Invalid email address');
      case '/not-found':
        return error(404, 'not_found', 'No route for GET /not-found.');
      case '/limited':
        return error(429, 'rate_limited', 'Too many requests. Try again in 17 s.', { 'Retry-After': '17' });
      case '/broken':
        res.writeHead(502, { 'Content-Type': 'text/html', 'X-Request-ID': 'proxy-req' });
        res.end('<html>Bad gateway</html>');
        return;
      case '/server-error':
        return error(500, 'internal_error', 'Something went wrong on our side.');
      case '/slow':
        setTimeout(() => json(200, { value: 1 }), 2_000);
        return;
      default:
        return error(404, 'not_found', 'Unknown test path.');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// A generous timeout, so a busy machine cannot fail the other cases; the timeout case has its own client.
const apiFetch = createApiFetch({ baseUrl: () => baseUrl, timeoutMs: 10_000 });
const valueSchema = z.object({ value: z.number() });

async function signedInRequest(path = '/b/1/analytics', headers: Record<string, string> = {}): Promise<Request> {
  const setCookie = await createUserSession({ token: 'secret-token', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  return new Request(`http://web.test${path}`, { headers: { Cookie: setCookie.split(';')[0]!, ...headers } });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('apiFetch', () => {
  it('sends the bearer token and the page request id, and returns the body checked against the schema', async () => {
    const request = await signedInRequest('/b/1', { 'X-Request-ID': 'browser-req.1' });
    const body = await apiFetch(request, '/ok', { query: { business_id: 7, absent: undefined }, schema: valueSchema });

    expect(body).toEqual({ value: 42 });
    expect(lastHeaders.authorization).toBe('Bearer secret-token');
    expect(lastHeaders['x-request-id']).toBe('browser-req.1');
    expect(lastHeaders.cookie).toBeUndefined();
    const unchecked = await apiFetch(request, '/ok', { query: { business_id: 7, absent: undefined } });
    expect(unchecked).toMatchObject({ query: 'business_id=7' });
  });

  it('makes one request id per loader request when the browser sent none (or a malformed one)', async () => {
    const request = await signedInRequest('/b/1', { 'X-Request-ID': 'bad id with spaces' });
    await apiFetch(request, '/ok');
    const first = lastHeaders['x-request-id'];
    await apiFetch(request, '/ok');

    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastHeaders['x-request-id']).toBe(first);
    expect(requestIdOf(request)).toBe(first);
  });

  it("passes the browser's address (the proxy's last X-Forwarded-For entry) with the dashboard secret, and only with it", async () => {
    const request = await signedInRequest('/b/1', { 'X-Forwarded-For': '203.0.113.9, 198.51.100.7' });
    await createApiFetch({ baseUrl: () => baseUrl, dashboardSecret: () => 'dash-secret' })(request, '/ok');
    expect(lastHeaders['x-dashboard-secret']).toBe('dash-secret');
    expect(lastHeaders['x-client-address']).toBe('198.51.100.7');
    await createApiFetch({ baseUrl: () => baseUrl, dashboardSecret: () => undefined })(request, '/ok');
    expect(lastHeaders['x-dashboard-secret']).toBeUndefined();
    expect(lastHeaders['x-client-address']).toBeUndefined();
    await createApiFetch({ baseUrl: () => baseUrl, dashboardSecret: () => 'dash-secret' })(await signedInRequest('/b/1'), '/ok');
    expect(lastHeaders['x-client-address']).toBeUndefined(); // no proxy said where the browser is
  });

  it('sends a JSON body', async () => {
    const request = await signedInRequest();
    const body = await apiFetch(request, '/echo-body', { method: 'POST', json: { email: 'a@example.com' } });

    expect(body).toEqual({ method: 'POST', body: { email: 'a@example.com' } });
    expect(lastHeaders['content-type']).toBe('application/json');
  });

  it('resolves to undefined for 204 No Content', async () => {
    expect(await apiFetch(await signedInRequest(), '/no-content', { method: 'POST' })).toBeUndefined();
  });

  it('redirects to the login page, coming back here, when there is no session', async () => {
    const request = new Request('http://web.test/b/1/analytics?limit=5');
    const response = await rejection(apiFetch(request, '/ok'));

    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(302);
    expect((response as Response).headers.get('Location')).toBe('/login?redirectTo=%2Fb%2F1%2Fanalytics%3Flimit%3D5');
  });

  it('on 401 ends the session (clears the cookie) and redirects to the login page', async () => {
    const response = (await rejection(apiFetch(await signedInRequest('/b/1/connections'), '/unauthenticated'))) as Response;

    expect(response).toBeInstanceOf(Response);
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fb%2F1%2Fconnections');
    const cookie = response.headers.get('Set-Cookie') ?? '';
    expect(cookie).toMatch(/^__social_sync=;/);
    expect(cookie).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('leaves a 401 to the caller when the call is not authenticated (login)', async () => {
    const error = await apiErrorOf(apiFetch(new Request('http://web.test/login'), '/unauthenticated', { auth: false }));

    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Email or password is incorrect.' });
    expect(lastHeaders.authorization).toBeUndefined();
  });

  it("turns the API's error JSON into an ApiError with its code, message and request id", async () => {
    const error = await apiErrorOf(apiFetch(await signedInRequest(), '/invalid', { schema: valueSchema }));

    expect(error.toPublic()).toEqual({
      status: 400,
      code: 'invalid_request',
      message: 'Invalid request: email: Invalid email address',
      requestId: 'api-req-2',
    });
  });

  it('reads Retry-After on 429', async () => {
    const error = await apiErrorOf(apiFetch(await signedInRequest(), '/limited'));

    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 17 });
  });

  it('gives a readable error for a non-JSON failure, with the request id from the response header', async () => {
    const error = await apiErrorOf(apiFetch(await signedInRequest(), '/broken'));

    expect(error).toMatchObject({ status: 502, code: 'api_error', requestId: 'proxy-req' });
    expect(error.message).toMatch(/Social Sync had a problem/);
  });

  it('rejects a success body that does not match the schema', async () => {
    const error = await apiErrorOf(apiFetch(await signedInRequest(), '/ok', { schema: z.object({ missing: z.string() }) }));

    expect(error).toMatchObject({ status: 502, code: 'unexpected_response', requestId: 'api-req-1' });
  });

  it('times out a slow API', async () => {
    const impatient = createApiFetch({ baseUrl: () => baseUrl, timeoutMs: 200 });
    const error = await apiErrorOf(impatient(await signedInRequest(), '/slow'));

    expect(error).toMatchObject({ status: 504, code: 'api_timeout' });
  });

  it('reports an API that cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createApiFetch({ baseUrl: () => deadUrl });

    const error = await apiErrorOf(unreachable(await signedInRequest(), '/ok'));

    expect(error).toMatchObject({ status: 503, code: 'api_unreachable' });
  });
});

describe('loadSection', () => {
  it('is ready with the data', async () => {
    expect(await loadSection(apiFetch(await signedInRequest(), '/ok', { schema: valueSchema }))).toEqual({
      state: 'ready',
      data: { value: 42 },
    });
  });

  it('is unavailable when the endpoint does not exist yet', async () => {
    expect(await loadSection(apiFetch(await signedInRequest(), '/not-found'))).toEqual({ state: 'unavailable' });
  });

  it('carries an API failure to show in place', async () => {
    expect(await loadSection(apiFetch(await signedInRequest(), '/server-error'))).toEqual({
      state: 'error',
      error: { status: 500, code: 'internal_error', message: 'Something went wrong on our side.', requestId: 'api-req-2' },
    });
  });

  it('still redirects a signed-out user', async () => {
    const thrown = await rejection(loadSection(apiFetch(await signedInRequest(), '/unauthenticated')));
    expect(thrown).toBeInstanceOf(Response);
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});
