// The whole back end in one test process: a private database, the sandbox on a free port, the API on
// a free port and a worker on a task queue of its own, all against the suite's Temporal dev server.
import { randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createApp } from '../../api/app.js';
import { answerParserErrorsInJson } from '../../api/errors.js';
import type { Config } from '../../lib/config.js';
import { seedDemo } from '../../lib/db/seed.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import {
  capturingLogger,
  createTestDatabase,
  startTestWorker,
  testConfig,
  testTemporalClient,
  workerLog,
  type RunningTestWorker,
} from './env.js';
import { freePort } from '../../scripts/stack.js';

export interface TestSystem {
  config: Config;
  databaseUrl: string;
  db: DataSource;
  temporal: Client;
  sandbox: RunningSandbox;
  worker: RunningTestWorker;
  apiUrl: string;
  apiLog: ReturnType<typeof capturingLogger>;
  /** The Temporal Runtime's log in this process: SDK, core, activity and workflow lines. */
  workerLog: ReturnType<typeof capturingLogger>;
  user: { email: string; password: string; userId: number; businessId: number };
  /** Logs in and returns a fetch bound to the API with the bearer token. */
  login(email?: string, password?: string): Promise<ApiClient>;
  stop(): Promise<void>;
}

export type ApiClient = ((path: string, init?: RequestInit) => Promise<Response>) & {
  token: string;
  /** The cookies the API set for this client, kept as a browser keeps them (the OAuth binding cookie). */
  jar: CookieJar;
  /** Opens an absolute URL on the API (a provider's redirect to the callback) with this client's cookies, and no bearer token. */
  visit(url: string | URL, init?: RequestInit): Promise<Response>;
};

/**
 * A browser's cookie jar for one host, as far as the API needs it: cookies by name and path, sent to the
 * paths under theirs, dropped when the API expires them. (The API's OAuth callback requires the cookie its
 * authorize set: decision 015.)
 */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attribute('path') ?? '/';
      const maxAge = attribute('max-age');
      const expires = attribute('expires');
      const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.cookies.delete(`${path} ${name}`);
      else this.cookies.set(`${path} ${name}`, { name, value: pair.slice(eq + 1), path });
    }
  }

  /** The Cookie header for a URL: the cookies whose path covers its path, the longest path first. */
  header(url: string | URL): string {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

export async function startTestSystem(overrides: Record<string, string> = {}): Promise<TestSystem> {
  const { db, url: databaseUrl } = await createTestDatabase();
  // Test files share one Temporal namespace, and workflow ids come from row ids (account:<id>, post:<id>,
  // connect:oauth:<state id>, connect:meta-selection:<id>): each system starts those ids at an offset of
  // its own, so files running side by side never signal, update or disconnect each other's workflows.
  const idOffset = randomInt(1, 1_000_000) * 1000 + 1;
  for (const table of ['social_accounts', 'oauth_states', 'pending_connections', 'posts']) {
    await db.query(`ALTER SEQUENCE ${table}_id_seq RESTART WITH ${idOffset}`);
  }
  const sandbox = await startSandbox({ logger: capturingLogger('sandbox').logger });
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const config = testConfig({ SANDBOX_URL: sandbox.url, PUBLIC_API_URL: apiUrl, PUBLIC_WEB_URL: 'http://web.test', ...overrides });
  const temporal = await testTemporalClient();
  const worker = await startTestWorker(config, db);
  const apiLog = capturingLogger('api');
  const app = createApp({ db, temporal, config, logger: apiLog.logger, rateLimits: { loginPerMinute: 100, oauthPerMinute: 1000 } });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(apiPort, '127.0.0.1', () => resolve(s));
    answerParserErrorsInJson(s);
  });
  const user = { email: 'owner@example.com', password: 'owner-password' };
  const seeded = await seedDemo(db, { ...user, businessName: 'Acme Coffee' });

  async function login(email = user.email, password = user.password): Promise<ApiClient> {
    const res = await fetch(`${apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status}`);
    const { token } = await res.json();
    const jar = new CookieJar();
    const withCookies = async (
      url: string | URL,
      init: RequestInit,
      defaults: Record<string, string>,
      forced: Record<string, string> = {},
    ) => {
      const cookie = jar.header(url);
      const headers = { ...defaults, ...(cookie ? { cookie } : {}), ...init.headers, ...forced };
      const response = await fetch(url, { ...init, headers });
      jar.store(response);
      return response;
    };
    const client = ((path: string, init: RequestInit = {}) =>
      withCookies(
        `${apiUrl}${path}`,
        init,
        { accept: 'application/json', 'content-type': 'application/json' },
        { authorization: `Bearer ${token}` },
      )) as ApiClient;
    client.token = token;
    client.jar = jar;
    client.visit = (url, init = {}) => withCookies(url, init, {});
    return client;
  }

  const system: TestSystem = {
    config,
    databaseUrl,
    db,
    temporal,
    sandbox,
    worker,
    apiUrl,
    apiLog,
    workerLog,
    user: { ...user, ...seeded },
    login,
    async stop() {
      server.closeAllConnections();
      server.close();
      await system.worker.stop(); // a test may have replaced the worker
      await temporal.connection.close();
      await sandbox.close();
      await db.destroy();
    },
  };
  return system;
}

/** Runs the consent page as a user would (Allow or Deny) and returns where the provider redirects. */
export async function consentAt(authorizationUrl: string, decision: 'allow' | 'deny' = 'allow', identity?: string): Promise<URL> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html.slice(0, 200)}`);
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&');
  if (!action) throw new Error('the consent page has no form');
  const posted = await fetch(new URL(action, authorizationUrl), {
    method: 'POST',
    body: new URLSearchParams({ decision, ...(identity ? { identity } : {}) }),
    redirect: 'manual',
  });
  const location = posted.headers.get('location');
  if (!location) throw new Error(`consent answered ${posted.status} without a redirect`);
  return new URL(location, authorizationUrl);
}

/** The full connect journey for an API client: authorize URL, consent, callback. Returns the callback response. */
export async function connect(
  api: ApiClient,
  platform: string,
  businessId: number,
  decision: 'allow' | 'deny' = 'allow',
  identity?: string,
): Promise<Response> {
  const authorize = await api(`/api/v1/oauth/${platform}/authorize?business_id=${businessId}`);
  if (!authorize.ok) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  const { authorization_url } = await authorize.json();
  const callback = await consentAt(authorization_url, decision, identity);
  return api.visit(callback, { headers: { accept: 'application/json' }, redirect: 'manual' });
}

/** Connects Meta as a user does through the API: consent, then the Page picker's pick. The connected accounts. */
export async function connectMetaPick(
  api: ApiClient,
  businessId: number,
  pick: { pageIds: string[]; instagramIds?: string[] },
  identity?: string,
): Promise<{ id: number; platform: string }[]> {
  const connected = await connect(api, 'meta', businessId, 'allow', identity);
  const { pending_selection } = await connected.json();
  const picked = await api(`/api/v1/oauth/meta/pages?business_id=${businessId}`, {
    method: 'POST',
    body: JSON.stringify({ pending_id: pending_selection.id, page_ids: pick.pageIds, instagram_ids: pick.instagramIds ?? [] }),
  });
  if (!picked.ok) throw new Error(`the Page pick answered ${picked.status}: ${await picked.text()}`);
  return (await picked.json()).accounts;
}

/** Calls the sandbox's admin API (token lifetimes, faults, grant revocation, issued secrets). */
export async function sandboxAdmin(
  system: TestSystem,
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<any> {
  const res = await fetch(`${system.sandbox.url}/admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`sandbox admin ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * Looks for each secret in everything that must never hold one in plaintext: every database table, the
 * captured API and worker logs, and the history of every workflow on the system's task queue. Returns the hits.
 */
export async function scanForSecrets(system: TestSystem, secrets: string[], extraText: Record<string, string> = {}): Promise<string[]> {
  const tables = [
    'users',
    'businesses',
    'memberships',
    'sessions',
    'oauth_states',
    'social_accounts',
    'pending_connections',
    'sync_runs',
    'post_metrics',
  ];
  Runtime._instance?.flushLogs(); // the SDK buffers its lines for ~100 ms
  const sources: Record<string, string> = { ...extraText, 'api log': system.apiLog.raw(), 'worker log': system.workerLog.raw() };
  for (const table of tables) sources[`table ${table}`] = JSON.stringify(await system.db.query(`SELECT * FROM ${table}`));
  let histories = 0;
  for await (const wf of system.temporal.workflow.list({ query: `TaskQueue = "${system.config.TEMPORAL_TASK_QUEUE}"` })) {
    const history = await system.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    sources[`history ${wf.workflowId}/${wf.runId}`] = JSON.stringify(history);
    histories++;
  }
  if (histories === 0) throw new Error('no workflow histories to scan');
  const hits: string[] = [];
  for (const secret of secrets.filter((s) => s.length >= 8)) {
    for (const [name, text] of Object.entries(sources)) if (text.includes(secret)) hits.push(`${name} holds ${secret.slice(0, 6)}…`);
  }
  return hits;
}
