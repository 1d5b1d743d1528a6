// The bad-input sweep: every route the Express app serves, found by walking its router at test time (so a
// route added later is swept without editing this file), is sent bad path ids, query values, bodies,
// content types and headers, and another business's ids. Every answer must be below 500, every error in
// the JSON error shape, and no answer may carry the other business's data. Plus the targeted cases:
// racing Meta selections and the purge of expired ones.
import { connect as openSocket } from 'node:net';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../lib/db/seed.js';
import { connect, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let businessId: number;

/** One business's rows the sweep names: the owner's (valid) and the rival's (must stay invisible). */
interface Tenant {
  businessId: number;
  accountId: number;
  pendingId: number;
  jobId: string;
}
let owner: Tenant;
let rival: Tenant;
const RIVAL_SECRETS = ['Rival Sweep Co', 'rival_sweep_handle', 'rival-sweep-external'];

async function seedRows(tenantBusinessId: number, userId: number, label: string): Promise<Tenant> {
  const [{ id: accountId }] = await system.db.query(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, status) VALUES ($1, 'twitter', $2, $3, 'active') RETURNING id`,
    [tenantBusinessId, `${label}-external`, `${label}_handle`],
  );
  const [{ id: pendingId }] = await system.db.query(
    `INSERT INTO pending_connections (business_id, user_id, platform, user_token_enc, choices, expires_at)
     VALUES ($1, $2, 'meta', 'v1.test1.x', $3, now() + interval '1 hour') RETURNING id`,
    [tenantBusinessId, userId, JSON.stringify([{ pageId: '1', pageName: `${label} page` }])],
  );
  const jobId = `account:${accountId}:sync:abcd1234:1`;
  await system.db.query(
    `INSERT INTO sync_runs (job_id, account_id, business_id, platform, trigger, status, started_at) VALUES ($1, $2, $3, 'twitter', 'manual', 'success', now())`,
    [jobId, accountId, tenantBusinessId],
  );
  return { businessId: tenantBusinessId, accountId, pendingId, jobId };
}

beforeAll(async () => {
  system = await startTestSystem();
  api = await system.login();
  businessId = system.user.businessId;
  owner = await seedRows(businessId, system.user.userId, 'owner_sweep');
  const other = await seedDemo(system.db, { email: 'rival-sweep@example.com', password: 'rival-password', businessName: 'Rival Sweep Co' });
  rival = await seedRows(other.businessId, other.userId, 'rival_sweep');
});

afterAll(async () => {
  await system?.stop();
});

// ---- the routes, from the app itself -------------------------------------------------------------------

interface Route {
  method: string;
  path: string;
}

interface RouterLayer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every (method, path) the app serves, by walking Express's router stack and its mounted routers. */
function routesOf(app: Express): Route[] {
  const routes: Route[] = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          routes.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '');
  return routes;
}

/**
 * What each path parameter is, by name: a valid value for the owner, the rival's value (another business's
 * data: must answer 403/404), and the bad values to try. A route with a parameter missing here fails the
 * sweep: add the parameter to this table.
 */
const ID_ATTACKS = [
  '0',
  '-1',
  '2147483648',
  '99999999999999999999',
  '1e3',
  '1.5',
  'abc',
  'x'.repeat(3000),
  '%E2%9C%93',
  '..%2F..%2Fetc',
  '%00',
];
const PARAMS: Record<string, { valid: () => string; rival?: () => string; attacks: string[] }> = {
  platform: { valid: () => 'twitter', attacks: ['nope', 'x'.repeat(3000), '%F0%9F%98%80', '..%2F', '%00', 'TWITTER'] },
  business_id: { valid: () => String(owner.businessId), rival: () => String(rival.businessId), attacks: ID_ATTACKS },
  businessId: { valid: () => String(owner.businessId), rival: () => String(rival.businessId), attacks: ID_ATTACKS },
  job_id: {
    valid: () => owner.jobId,
    rival: () => rival.jobId,
    attacks: [...ID_ATTACKS, 'account:1:sync:abcd1234:1%00', `account:${2 ** 40}:sync:abcd1234:1`, 'account:1:sync::1'],
  },
  jobId: { valid: () => owner.jobId, rival: () => rival.jobId, attacks: ID_ATTACKS },
  // Ids of rows other helpers' routes add (posts, media): a missing row answers 404, bad ids 400.
  id: { valid: () => '1', attacks: ID_ATTACKS },
  postId: { valid: () => '1', attacks: ID_ATTACKS },
  post_id: { valid: () => '1', attacks: ID_ATTACKS },
  mediaId: { valid: () => '1', attacks: ID_ATTACKS },
  media_id: { valid: () => '1', attacks: ID_ATTACKS },
  targetId: { valid: () => '1', attacks: ID_ATTACKS },
  target_id: { valid: () => '1', attacks: ID_ATTACKS },
  accountId: { valid: () => '1', attacks: ID_ATTACKS },
  account_id: { valid: () => '1', attacks: ID_ATTACKS },
};

/** Query parameters routes read; each route gets the owner's valid ones, and each one's attacks in turn. */
const QUERY: Record<string, { valid: () => string; rival?: () => string; attacks: string[] }> = {
  business_id: { valid: () => String(owner.businessId), rival: () => String(rival.businessId), attacks: ID_ATTACKS },
  account_id: { valid: () => String(owner.accountId), rival: () => String(rival.accountId), attacks: ID_ATTACKS },
  pending_id: { valid: () => String(owner.pendingId), rival: () => String(rival.pendingId), attacks: ID_ATTACKS },
  limit: { valid: () => '10', attacks: ['-1', '0', '51', '99999999999999999999', 'abc', '1e3', '1.5', ''] },
  days: { valid: () => '30', attacks: ['-1', '0', '99999999999999999999', 'abc', '1e3', '1.5', ''] },
};

const paramNames = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

function buildPath(route: Route, values: Record<string, string>): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? PARAMS[name]!.valid());
}

function buildQuery(overrides: [string, string][] = []): string {
  const query = new URLSearchParams(Object.entries(QUERY).map(([name, q]) => [name, q.valid()]));
  for (const [name] of overrides) query.delete(name);
  for (const [name, value] of overrides) query.append(name, value);
  return query.toString();
}

// ---- the checks --------------------------------------------------------------------------------------------

interface Sent {
  label: string;
  method: string;
  url: string;
  init?: RequestInit;
  /** Bearer token: the owner's unless the attack replaces it. */
  auth?: string | null;
}

const problems: string[] = [];
let requests = 0;
/** The owner's session for the route being swept: each route gets a fresh one (logout ends its own). */
let token = '';

async function send(sent: Sent): Promise<{ status: number; text: string }> {
  const headers = new Headers(sent.init?.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (sent.auth !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${sent.auth ?? token}`);
  const res = await fetch(`${system.apiUrl}${sent.url}`, { method: sent.method, redirect: 'manual', ...sent.init, headers });
  const text = await res.text();
  requests++;
  const where = `${sent.label}: ${sent.method} ${sent.url.slice(0, 160)}`;
  if (res.status >= 500) problems.push(`${where} answered ${res.status}: ${text.slice(0, 300)}`);
  if (res.status >= 400) {
    let body: { error?: { code?: unknown; message?: unknown; request_id?: unknown } } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const shaped =
      typeof body?.error?.code === 'string' && typeof body.error.message === 'string' && typeof body.error.request_id === 'string';
    if (!shaped) problems.push(`${where} answered ${res.status} outside the JSON error shape: ${text.slice(0, 200)}`);
    if (/\bat .+\.(ts|js):\d+/.test(text)) problems.push(`${where} answered a stack trace`);
  }
  return { status: res.status, text };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Bodies that are not what any route wants, sent with the content types that go with them (and ones that do not). */
function badBodies(): { label: string; body: string; type?: string }[] {
  const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const nestedObject = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
  return [
    { label: 'invalid JSON', body: '{"pending_id": ', type: 'application/json' },
    { label: 'JSON array', body: '[]', type: 'application/json' },
    { label: 'JSON null', body: 'null', type: 'application/json' },
    { label: 'JSON string', body: '"hello"', type: 'application/json' },
    { label: 'JSON number', body: '12', type: 'application/json' },
    { label: 'empty JSON body', body: '', type: 'application/json' },
    { label: 'deeply nested arrays', body: nested, type: 'application/json' },
    { label: 'deeply nested objects', body: nestedObject, type: 'application/json' },
    { label: 'over the body limit', body: JSON.stringify({ filler: 'x'.repeat(150 * 1024) }), type: 'application/json' },
    {
      label: 'prototype pollution',
      body: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"pending_id":1,"page_ids":["1"]}',
      type: 'application/json',
    },
    {
      label: 'wrong fields',
      body: JSON.stringify({ pending_id: { $gt: 0 }, page_ids: 'all', instagram_ids: [null, 1, {}] }),
      type: 'application/json',
    },
    { label: 'text/plain', body: 'hello', type: 'text/plain' },
    { label: 'form', body: 'pending_id=1&page_ids=1', type: 'application/x-www-form-urlencoded' },
    {
      label: 'multipart garbage',
      body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
      type: 'multipart/form-data; boundary=x',
    },
    { label: 'bad charset', body: '{}', type: 'application/json; charset=klingon' },
    { label: 'gzip that is not', body: '{}', type: 'application/json' },
    { label: 'no content type', body: '{}' },
  ];
}

describe('the bad-input sweep over every API route', () => {
  it('finds the routes by walking the app, and knows every parameter they take', async () => {
    const { createApp } = await import('./app.js');
    const app = createApp({ db: system.db, temporal: system.temporal, config: system.config, logger: system.apiLog.logger });
    const routes = routesOf(app);
    expect(routes.length).toBeGreaterThan(10);
    expect(routes).toContainEqual({ method: 'GET', path: '/api/v1/oauth/:platform/callback' });
    const unknown = routes.flatMap((r) =>
      paramNames(r.path)
        .filter((p) => !PARAMS[p])
        .map((p) => `${r.method} ${r.path} (:${p})`),
    );
    expect(unknown, 'the sweep cannot classify these route parameters: add them to PARAMS in api/bad-input.test.ts').toEqual([]);
  });

  it('0 answers 5xx, every error in the JSON error shape, no other business data', { timeout: 600_000 }, async () => {
    const { createApp } = await import('./app.js');
    const app = createApp({ db: system.db, temporal: system.temporal, config: system.config, logger: system.apiLog.logger });
    const routes = routesOf(app);
    const crossTenant: string[] = [];

    for (const route of routes) {
      token = (await system.login()).token;
      const params = paramNames(route.path);
      const label = `${route.method} ${route.path}`;
      const base = { method: route.method };

      // Path ids, one parameter at a time.
      for (const name of params) {
        for (const attack of PARAMS[name]!.attacks) {
          await send({
            ...base,
            label: `${label} :${name}=${attack.slice(0, 20)}`,
            url: `${buildPath(route, { [name]: attack })}?${buildQuery()}`,
          });
        }
      }
      // Query values, one parameter at a time, and repeated parameters.
      for (const [name, q] of Object.entries(QUERY)) {
        for (const attack of q.attacks) {
          await send({
            ...base,
            label: `${label} ?${name}=${attack.slice(0, 20)}`,
            url: `${buildPath(route, {})}?${buildQuery([[name, attack]])}`,
          });
        }
        await send({
          ...base,
          label: `${label} ?${name} twice`,
          url: `${buildPath(route, {})}?${buildQuery([
            [name, q.valid()],
            [name, q.valid()],
          ])}`,
        });
        await send({ ...base, label: `${label} ?${name}[a]`, url: `${buildPath(route, {})}?${buildQuery()}&${name}[a]=1` });
      }
      // Bodies.
      if (BODY_METHODS.has(route.method)) {
        for (const bad of badBodies()) {
          const headers: Record<string, string> = bad.type ? { 'content-type': bad.type } : {};
          if (bad.label === 'gzip that is not') headers['content-encoding'] = 'gzip';
          await send({
            ...base,
            label: `${label} body ${bad.label}`,
            url: `${buildPath(route, {})}?${buildQuery()}`,
            init: { body: bad.body, headers },
          });
        }
      }
      // Headers: no, garbage and oversized credentials; a huge header; a garbage request id; HTML wanted.
      const url = `${buildPath(route, {})}?${buildQuery()}`;
      await send({ ...base, label: `${label} no auth`, url, auth: null });
      await send({ ...base, label: `${label} garbage bearer`, url, auth: 'garbage' });
      await send({ ...base, label: `${label} basic auth`, url, init: { headers: { authorization: 'Basic Zm9vOmJhcg==' } } });
      await send({ ...base, label: `${label} oversized bearer`, url, auth: 'a'.repeat(10_000) });
      await send({ ...base, label: `${label} huge header`, url, init: { headers: { 'x-filler': 'y'.repeat(12_000) } } });
      await send({ ...base, label: `${label} garbage request id`, url, init: { headers: { 'x-request-id': '../../<script>' } } });
      await send({ ...base, label: `${label} wants html`, url, init: { headers: { accept: 'text/html' } } });

      // Another business's ids, everywhere this route takes one: refused, and nothing of theirs shown.
      token = (await system.login()).token;
      const rivalPath = Object.fromEntries(params.filter((p) => PARAMS[p]!.rival).map((p) => [p, PARAMS[p]!.rival!()]));
      const rivalQuery = Object.entries(QUERY)
        .filter(([, q]) => q.rival)
        .map(([name, q]) => [name, q.rival!()] as [string, string]);
      const cross = await send({ ...base, label: `${label} rival ids`, url: `${buildPath(route, rivalPath)}?${buildQuery(rivalQuery)}` });
      if (RIVAL_SECRETS.some((secret) => cross.text.includes(secret)))
        crossTenant.push(`${label} showed the rival's data: ${cross.text.slice(0, 200)}`);
      const scoped = Object.keys(rivalPath).length > 0 || /\/oauth\/(:platform|meta)\/(?!callback)/.test(route.path);
      if (scoped && ![403, 404].includes(cross.status)) crossTenant.push(`${label} answered ${cross.status} for the rival's ids`);
      // The rival's account, pending selection or job under the owner's own business.
      const mixed = await send({
        ...base,
        label: `${label} rival rows under own business`,
        url: `${buildPath(route, params.includes('job_id') ? { job_id: rival.jobId } : {})}?${buildQuery(rivalQuery.filter(([n]) => n !== 'business_id'))}`,
      });
      if (RIVAL_SECRETS.some((secret) => mixed.text.includes(secret)))
        crossTenant.push(`${label} showed the rival's rows: ${mixed.text.slice(0, 200)}`);
    }

    expect(({} as Record<string, unknown>).polluted, 'a body polluted Object.prototype').toBeUndefined();
    expect(problems).toEqual([]);
    expect(crossTenant).toEqual([]);
    expect(requests).toBeGreaterThan(routes.length * 20);
  });
});

describe("what Node's parser refuses before the app runs", () => {
  it('headers over 16 KB and a malformed request line are answered in the JSON error shape', async () => {
    const ask = (raw: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = openSocket(Number(new URL(system.apiUrl).port), '127.0.0.1', () => socket.end(raw));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    const huge = await ask(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Filler: ${'y'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'headers_too_large', message: expect.any(String), request_id: expect.any(String) },
    });
    const garbage = await ask('NOT A REQUEST\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
  });
});

describe('Meta Page selection', () => {
  it('two concurrent selections of one pending id: one connects, the other answers 409 or 404', async () => {
    const res = await connect(api, 'meta', businessId);
    const pending = (await res.json()).pending_selection;
    const pick = () =>
      api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
        method: 'POST',
        body: JSON.stringify({ pending_id: pending.id, page_ids: ['20000000000000002'] }),
      });
    const answers = await Promise.all([pick(), pick()]);
    const [ok, other] = answers[0].status === 200 ? answers : [answers[1], answers[0]];
    expect(ok.status).toBe(200);
    expect([404, 409]).toContain(other.status);
    const body = await other.json();
    expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('expired selections are purged when a new authorization starts; live ones stay', async () => {
    const inserted = await system.db.query(
      `INSERT INTO pending_connections (business_id, user_id, platform, user_token_enc, choices, expires_at)
       VALUES ($1, $2, 'meta', 'v1.test1.x', '[]', now() - interval '1 minute'), ($1, $2, 'meta', 'v1.test1.y', '[]', now() + interval '1 hour')
       RETURNING id`,
      [businessId, system.user.userId],
    );
    expect((await api(`/api/v1/oauth/twitter/authorize?business_id=${businessId}`)).status).toBe(200);
    const left = await system.db.query('SELECT id FROM pending_connections WHERE id = ANY($1)', [
      inserted.map((r: { id: number }) => r.id),
    ]);
    expect(left.map((r: { id: number }) => r.id)).toEqual([inserted[1].id]);
  });
});
