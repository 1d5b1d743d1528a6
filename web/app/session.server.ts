// The dashboard's session: one signed, http-only cookie holding the API session token and the business
// the user last chose. Nothing else about the user is stored here; the API is asked on every page load.
import { createCookieSessionStorage, redirect, type Session } from '@remix-run/node';
import { assertProductionReady, config } from '../../lib/config.js';

interface SessionData {
  apiToken: string;
  /** ISO time the API token expires; the cookie expires with it. */
  tokenExpiresAt: string;
  businessId: number;
}

export type UserSession = Session<SessionData>;

// Development and tests only: production refuses to start without SESSION_SECRET (assertProductionReady).
// A fixed fallback keeps dev sessions alive across restarts.
const DEV_ONLY_SESSION_SECRET = 'social-sync-dev-only-session-secret-never-use-in-production';

export function sessionSecret(): string {
  const settings = config();
  assertProductionReady(settings, 'web');
  return settings.SESSION_SECRET ?? DEV_ONLY_SESSION_SECRET;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Secure (HTTPS-only) whenever the dashboard is served over HTTPS, and always in production, except when
 * production is served to this very machine over plain http (`npm start`, `docker compose up` on a
 * laptop), where some browsers would drop a Secure cookie and nobody could log in.
 */
export function secureCookie(settings: { isProduction: boolean; PUBLIC_WEB_URL: string }): boolean {
  const web = new URL(settings.PUBLIC_WEB_URL);
  if (web.protocol === 'https:') return true;
  return settings.isProduction && !LOOPBACK_HOSTS.has(web.hostname);
}

const storage = createCookieSessionStorage<SessionData>({
  cookie: {
    name: '__social_sync',
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookie(config()),
    path: '/',
    secrets: [sessionSecret()],
  },
});

export function getSession(request: Request): Promise<UserSession> {
  return storage.getSession(request.headers.get('Cookie'));
}

/** Serialises the session into a Set-Cookie value that expires with the API token. */
export function commitSession(session: UserSession): Promise<string> {
  const expiresAt = session.get('tokenExpiresAt');
  const expires = expiresAt ? new Date(expiresAt) : undefined;
  return storage.commitSession(session, expires && !Number.isNaN(expires.getTime()) ? { expires } : {});
}

export function destroySession(session: UserSession): Promise<string> {
  return storage.destroySession(session);
}

/** Starts a session after a successful login. */
export async function createUserSession(login: { token: string; expiresAt: string; businessId?: number }): Promise<string> {
  const session = await storage.getSession();
  session.set('apiToken', login.token);
  session.set('tokenExpiresAt', login.expiresAt);
  if (login.businessId !== undefined) session.set('businessId', login.businessId);
  return commitSession(session);
}

/** The API token of the signed-in user, or a redirect to the login page that comes back here after. */
export async function requireApiToken(request: Request): Promise<string> {
  const token = (await getSession(request)).get('apiToken');
  if (!token) throw redirect(loginPath(request));
  return token;
}

/** `/login?redirectTo=<this page>`, for sending a signed-out user to log in and back. */
export function loginPath(request: Request): string {
  const url = new URL(request.url);
  // Remix's own data-request parameters are not part of the page's address.
  for (const internal of ['_routes', '_data', 'index']) url.searchParams.delete(internal);
  const here = `${url.pathname}${url.search}`;
  return here === '/' || here.startsWith('/login') || here.startsWith('/logout')
    ? '/login'
    : `/login?${new URLSearchParams({ redirectTo: here })}`;
}

/**
 * Where to go after login: only a path on this site, so a crafted link cannot bounce a user to another
 * origin (`//evil.example`, `/\evil.example`, `/<tab>/evil.example` and absolute URLs all fall back to `/`).
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/')) return fallback;
  // Judge the path as a browser reads it: browsers drop tabs and newlines and take `\\` for `/`, so
  // `/\t/evil.example` means `//evil.example`, another site. Anything that leaves this origin is refused.
  const origin = 'http://this-site.invalid';
  let url: URL;
  try {
    url = new URL(to, origin);
  } catch {
    return fallback;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (url.origin !== origin || /[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith('/login') || path.startsWith('/logout')) return fallback;
  return path;
}
