// The dashboard's half of binding an OAuth flow to the browser that started it (decision 015). The browser
// never talks to the API, so the cookie with which the API binds a flow reaches the dashboard's server;
// the dashboard keeps it for this browser in a cookie of its own (signed, HttpOnly, sent only to
// /oauth/<app>/callback, ten minutes like the state) and presents it when the API hands the provider's
// answer to that route. Another browser has no such cookie, so its callback is refused.
import { createCookie } from '@remix-run/node';
import { config } from '../../lib/config.js';
import { secureCookie, sessionSecret } from './session.server.js';

export interface KeptBinding {
  /** The API's cookies, as a Cookie header (`name=value; ...`). */
  cookies: string;
  /** Where the user was connecting from, for showing an error there. */
  businessId: number;
}

const cookie = createCookie('__social_sync_oauth', {
  httpOnly: true,
  sameSite: 'lax', // the API's redirect after the provider's is a top-level GET: Lax cookies go with it
  secure: secureCookie(config()),
  maxAge: 10 * 60,
  secrets: [sessionSecret()],
});

const pathFor = (oauthApp: string) => `/oauth/${oauthApp}/callback`;

/** Set-Cookie for keeping the API's binding in this browser until the callback for `oauthApp`. */
export function keepBinding(oauthApp: string, binding: KeptBinding): Promise<string> {
  return cookie.serialize(binding, { path: pathFor(oauthApp) });
}

/** Set-Cookie that drops the kept binding once the API has used it. */
export function forgetBinding(oauthApp: string): Promise<string> {
  return cookie.serialize('', { path: pathFor(oauthApp), maxAge: 0 });
}

export async function keptBinding(request: Request): Promise<KeptBinding | null> {
  const value: unknown = await cookie.parse(request.headers.get('Cookie'));
  const binding = value as Partial<KeptBinding> | null;
  return typeof binding?.cookies === 'string' && Number.isSafeInteger(binding.businessId) ? (binding as KeptBinding) : null;
}

/**
 * A cookie jar's answer to Set-Cookie headers: `jar` (a Cookie header) with each cookie set or, when the
 * header expires it, removed. Only what the Cookie header needs (names and values) is kept.
 */
export function applySetCookies(jar: string, setCookies: string[]): string {
  const cookies = new Map(
    jar
      .split(';')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const),
  );
  for (const header of setCookies) {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const maxAge = attribute('max-age');
    const expires = attribute('expires');
    const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
    if (expired) cookies.delete(pair.slice(0, eq));
    else cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
