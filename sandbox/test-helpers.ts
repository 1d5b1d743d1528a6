// Helpers for the sandbox's own tests: a sandbox on a free port, the consent round trip a browser
// would make, and form/Basic encodings. Others' tests may use them too.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { startSandbox, type RunningSandbox } from './server.js';
import type { SandboxOptions } from './app.js';

/** A logger that keeps every line it writes, so tests can assert what was (not) logged. */
export function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('sandbox', { level: 'info', destination }), lines };
}

export function silentSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ logger: createLogger('sandbox', { level: 'silent' }), ...options });
}

/**
 * The test file's sandbox: started once, reset before each test, its clock at the wall clock's time
 * at each test's start; a test moves it (`sbx.clock += ms`) to reach expiries without waiting.
 */
export function sandboxPerTest(options: SandboxOptions = {}): { readonly url: string; clock: number } {
  let running: RunningSandbox | undefined;
  const sandbox = {
    clock: Date.now(),
    get url() {
      if (!running) throw new Error('The sandbox starts in beforeAll.');
      return running.url;
    },
  };
  beforeAll(async () => {
    running = await silentSandbox({ now: () => sandbox.clock, ...options });
  });
  afterAll(() => running?.close());
  beforeEach(async () => {
    sandbox.clock = Date.now();
    await fetch(`${sandbox.url}/admin/reset`, { method: 'POST' });
  });
  return sandbox;
}

export const form = (data: Record<string, string>) => new URLSearchParams(data);

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export interface ConsentResult {
  html: string;
  status: number;
  location?: URL;
}

/** GETs the consent page, then submits its form as a click on Allow or Deny would. */
export async function consent(authorizeUrl: string, decision: 'allow' | 'deny' = 'allow', identity?: string): Promise<ConsentResult> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) return { html, status: page.status, ...locationOf(page, authorizeUrl) };
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&');
  if (!action) throw new Error('consent page has no form');
  const body = form({ decision, ...(identity ? { identity } : {}) });
  const posted = await fetch(new URL(action, authorizeUrl), { method: 'POST', body, redirect: 'manual' });
  return { html, status: posted.status, ...locationOf(posted, authorizeUrl) };
}

function locationOf(response: Response, base: string): { location?: URL } {
  const location = response.headers.get('location');
  return location ? { location: new URL(location, base) } : {};
}

// ---- grants through the real OAuth endpoints, for tests of the API side ------------------------------

const REDIRECTS = {
  x: 'http://localhost:8000/api/v1/oauth/twitter/callback',
  linkedin: 'http://localhost:8000/api/v1/oauth/linkedin/callback',
  meta: 'http://localhost:8000/api/v1/oauth/meta/callback',
};

/** The current LinkedIn-Version (YYYYMM) and the Rest.li header every /rest call needs. */
export function linkedinHeaders(): Record<string, string> {
  const now = new Date();
  return {
    'LinkedIn-Version': `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`,
    'X-Restli-Protocol-Version': '2.0.0',
  };
}

/** An X grant (PKCE S256): `{access_token, refresh_token?, scope}`. */
export async function connectX(
  base: string,
  scope = 'tweet.read users.read offline.access',
  identity?: string,
): Promise<{ access_token: string; refresh_token?: string; scope: string }> {
  const verifier = 'test-helper-verifier-0123456789-0123456789-abcdef';
  const url = new URL(`${base}/x/i/oauth2/authorize`);
  url.search = form({
    response_type: 'code',
    client_id: 'sandbox-twitter-client',
    redirect_uri: REDIRECTS.x,
    state: 's',
    scope,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const code = (await consent(url.toString(), 'allow', identity)).location?.searchParams.get('code');
  if (!code) throw new Error('X consent gave no code');
  const res = await fetch(`${base}/x/2/oauth2/token`, {
    method: 'POST',
    body: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECTS.x, code_verifier: verifier }),
    headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
  });
  if (res.status !== 200) throw new Error(`X token exchange answered ${res.status}`);
  return res.json() as Promise<{ access_token: string; refresh_token?: string; scope: string }>;
}

/** A LinkedIn grant: `{access_token, refresh_token?}`. */
export async function connectLinkedIn(
  base: string,
  scope = 'openid profile w_member_social r_organization_social w_organization_social',
  identity?: string,
): Promise<{ access_token: string; refresh_token?: string }> {
  const url = new URL(`${base}/linkedin/oauth/v2/authorization`);
  url.search = form({
    response_type: 'code',
    client_id: 'sandbox-linkedin-client',
    redirect_uri: REDIRECTS.linkedin,
    state: 's',
    scope,
  }).toString();
  const code = (await consent(url.toString(), 'allow', identity)).location?.searchParams.get('code');
  if (!code) throw new Error('LinkedIn consent gave no code');
  const res = await fetch(`${base}/linkedin/oauth/v2/accessToken`, {
    method: 'POST',
    body: form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECTS.linkedin,
      client_id: 'sandbox-linkedin-client',
      client_secret: 'sandbox-linkedin-secret',
    }),
  });
  if (res.status !== 200) throw new Error(`LinkedIn token exchange answered ${res.status}`);
  return res.json() as Promise<{ access_token: string; refresh_token?: string }>;
}

/** A long-lived Meta user token and the Page tokens from /me/accounts (by Page id). */
export async function connectMeta(
  base: string,
  scope = 'pages_show_list,pages_read_engagement,pages_manage_posts,instagram_basic,instagram_content_publish',
  identity?: string,
): Promise<{ userToken: string; pageTokens: Record<string, string> }> {
  const url = new URL(`${base}/meta/www/v21.0/dialog/oauth`);
  url.search = form({ client_id: 'sandbox-meta-client', redirect_uri: REDIRECTS.meta, state: 's', scope }).toString();
  const code = (await consent(url.toString(), 'allow', identity)).location?.searchParams.get('code');
  if (!code) throw new Error('Meta consent gave no code');
  const app = { client_id: 'sandbox-meta-client', client_secret: 'sandbox-meta-secret' };
  const short = (await (
    await fetch(`${base}/meta/graph/v21.0/oauth/access_token?${form({ ...app, redirect_uri: REDIRECTS.meta, code })}`)
  ).json()) as { access_token: string };
  const long = (await (
    await fetch(
      `${base}/meta/graph/v21.0/oauth/access_token?${form({
        ...app,
        grant_type: 'fb_exchange_token',
        fb_exchange_token: short.access_token,
      })}`,
    )
  ).json()) as { access_token: string };
  const accounts = (await (await fetch(`${base}/meta/graph/v21.0/me/accounts?${form({ access_token: long.access_token })}`)).json()) as {
    data: { id: string; access_token: string }[];
  };
  return {
    userToken: long.access_token,
    pageTokens: Object.fromEntries(accounts.data.map((p) => [p.id, p.access_token])),
  };
}
