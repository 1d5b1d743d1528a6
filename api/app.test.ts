import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../lib/db/seed.js';
import { capturingLogger, createTestDatabase, testConfig, testTemporalClient } from '../test/support/env.js';
import { createApp } from './app.js';

let db: DataSource;
let temporal: Client;
let server: Server;
let base: string;
const log = capturingLogger('api');

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  temporal = await testTemporalClient();
  await seedDemo(db, { email: 'Owner@Example.com', password: 'correct-horse', businessName: 'Acme' });
  const app = createApp({
    db,
    temporal,
    config: testConfig({ DASHBOARD_API_SECRET }),
    logger: log.logger,
    rateLimits: { loginPerMinute: 5, loginPerAddressPerMinute: 8, oauthPerMinute: 3 },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await temporal?.connection.close();
  await db?.destroy();
});

const DASHBOARD_API_SECRET = 'dashboard-api-secret';
let lastOctet = 0;
/** A browser address of its own, passed on as the dashboard does, so tests do not share login counters. */
const fromBrowser = (address = `10.1.${Math.floor(++lastOctet / 250)}.${lastOctet % 250}`) => ({
  'X-Dashboard-Secret': DASHBOARD_API_SECRET,
  'X-Client-Address': address,
});

const login = (email: string, password: string, headers: Record<string, string> = fromBrowser()) =>
  fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });

describe('health and readiness', () => {
  it('answers /health and /ready with a generated X-Request-ID', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a well-formed X-Request-ID and replaces a malformed one', async () => {
    const echoed = await fetch(`${base}/health`, { headers: { 'X-Request-ID': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    const replaced = await fetch(`${base}/health`, { headers: { 'X-Request-ID': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id with spaces');
  });
});

describe('errors', () => {
  it('answers an unknown route with the JSON error shape and the request id', async () => {
    const res = await fetch(`${base}/api/v1/nope`, { headers: { 'X-Request-ID': 'req-404' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'No route for GET /api/v1/nope.', request_id: 'req-404' },
    });
  });

  it('answers malformed JSON with 400 and no stack trace', async () => {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_json');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('login', () => {
  it('logs in case-insensitively and returns token, user and businesses', async () => {
    const res = await login('owner@example.com', 'correct-horse');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.user).toMatchObject({ email: 'owner@example.com' });
    expect(body.businesses).toEqual([expect.objectContaining({ name: 'Acme', role: 'owner' })]);

    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(me.status).toBe(200);
    expect((await me.json()).user.email).toBe('owner@example.com');

    // Only a hash of the token is stored.
    const rows = await db.query('SELECT token_hash FROM sessions');
    expect(JSON.stringify(rows)).not.toContain(body.token);

    const logout = await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } });
    expect(logout.status).toBe(204);
    const after = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(after.status).toBe(401);
  });

  it('rejects a wrong password and an unknown email the same way', async () => {
    for (const [email, password] of [
      ['owner@example.com', 'wrong'],
      ['nobody@example.com', 'correct-horse'],
    ]) {
      const res = await login(email!, password!, fromBrowser('10.0.0.9'));
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('invalid_credentials');
    }
  });

  it('rejects invalid input with 400 naming the field', async () => {
    const res = await login('not-an-email', 'x');
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('email');
  });

  it('rejects requests without a valid bearer token', async () => {
    expect((await fetch(`${base}/api/v1/auth/me`)).status).toBe(401);
    const res = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: 'Bearer forged' } });
    expect(res.status).toBe(401);
  });

  it('rate-limits login attempts with 429 and Retry-After', async () => {
    // A fresh client address: counters are per IP and shared through Postgres.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await login('owner@example.com', 'wrong', fromBrowser('10.0.0.77'));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('sync status', () => {
  it('checks membership in the same read: 404 for another business as for a missing one, empty for a business without accounts', async () => {
    const { businessId } = await seedDemo(db, { email: 'status@example.com', password: 'status-password', businessName: 'Status' });
    const { token } = await (await login('status@example.com', 'status-password')).json();
    const status = (id: number | string) =>
      fetch(`${base}/api/v1/analytics/sync-status/${id}`, { headers: { authorization: `Bearer ${token}` } });

    const empty = await status(businessId);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({
      business_id: businessId,
      overall_status: 'idle',
      connected_accounts: 0,
      accounts: [],
      stale: false,
    });

    // An account in the business (no workflow state yet) and a disconnected one, which is not shown.
    const [{ id: accountId }] = await db.query(
      `INSERT INTO social_accounts (business_id, platform, external_id, username, status) VALUES ($1, 'twitter', 's-1', 'shown', 'active') RETURNING id`,
      [businessId],
    );
    await db.query(
      `INSERT INTO social_accounts (business_id, platform, external_id, username, status) VALUES ($1, 'twitter', 's-2', 'gone', 'disconnected')`,
      [businessId],
    );
    const one = await (await status(businessId)).json();
    expect(one).toMatchObject({ connected_accounts: 1, stale: true });
    expect(one.accounts).toEqual([
      expect.objectContaining({ account_id: accountId, username: 'shown', stale: true, state_updated_at: null }),
    ]);

    // Another business with accounts, and an id that does not exist: the same 404.
    const [{ id: other }] = await db.query(`INSERT INTO businesses (name) VALUES ('Not theirs') RETURNING id`);
    await db.query(
      `INSERT INTO social_accounts (business_id, platform, external_id, username, status) VALUES ($1, 'twitter', 'o-1', 'other', 'active')`,
      [other],
    );
    const notTheirs = await status(other);
    const missing = await status(2_000_000_000);
    expect([notTheirs.status, missing.status]).toEqual([404, 404]);
    const bodyOf = async (res: Response) => ({ ...(await res.json()).error, request_id: undefined });
    expect(await bodyOf(notTheirs)).toEqual(await bodyOf(missing));
    expect((await status('abc')).status).toBe(400);
  });
});

describe('login throttling', () => {
  const statusesOf = async (attempts: [string, Record<string, string>][]) => {
    const statuses: number[] = [];
    for (const [email, headers] of attempts) statuses.push((await login(email, 'wrong', headers)).status);
    return statuses;
  };

  it('counts spaces, tabs, case and full-width forms of one email as that email', async () => {
    const variants = [
      ' owner@example.com',
      '\towner@example.com',
      'OWNER@example.com ',
      'ｏｗｎｅｒ@example.com',
      'owner@example.com\n',
      'Owner@Example.com',
    ];
    const statuses = await statusesOf(variants.map((email) => [email, fromBrowser('10.0.0.78')]));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('caps attempts from one address across emails', async () => {
    const statuses = await statusesOf(Array.from({ length: 9 }, (_, i) => [`nobody${i}@example.com`, fromBrowser('10.0.0.79')]));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429]);
  });

  it('believes a passed-on address only with the dashboard secret', async () => {
    // Without the secret, every attempt counts against the connection's own address, whatever it claims.
    const forged = (i: number) => ({ 'X-Dashboard-Secret': 'guess', 'X-Client-Address': `10.2.0.${i}` });
    const statuses = await statusesOf(Array.from({ length: 6 }, (_, i) => ['intruder@example.com', forged(i)]));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('OAuth rate limit', () => {
  it('answers 429 with Retry-After once a user has asked for too many authorization URLs', async () => {
    const { token, businesses } = await (await login('owner@example.com', 'correct-horse', fromBrowser('10.0.0.50'))).json();
    const authorize = () =>
      fetch(`${base}/api/v1/oauth/twitter/authorize?business_id=${businesses[0].id}`, { headers: { authorization: `Bearer ${token}` } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await authorize()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await authorize();
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');
  });
});

describe('logging', () => {
  it('writes JSON lines with service, timestamp, level and request_id, and never the password or token', async () => {
    const res = await login('owner@example.com', 'correct-horse', { ...fromBrowser(), 'X-Request-ID': 'log-check-1' });
    const { token } = await res.json();
    const line = log.lines().find((l) => l.request_id === 'log-check-1' && l.event_type === 'http_request');
    expect(line).toMatchObject({ service: 'api', level: 'info' });
    expect(String(line?.timestamp)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(log.raw()).not.toContain('correct-horse');
    expect(log.raw()).not.toContain(token);
  });
});
