// What the fault suite does as a user and as an operator: log in to the API with a client that keeps
// cookies like a browser (the OAuth callback is bound to the browser that started the flow), connect
// accounts through the real OAuth flow and the sandbox's consent page, and call the sandbox admin API.
import type { MetaChoice } from '../../lib/db/entities.js';
import { consent } from '../../sandbox/test-helpers.js';

type Platform = 'twitter' | 'linkedin' | 'meta';

/** A fetch that keeps the cookies every response sets and sends them back, as a browser would to one site. */
function cookieFetch(): (url: string | URL, init?: RequestInit) => Promise<Response> {
  const jar = new Map<string, string>();
  return async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      if (at > 0) jar.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
    return res;
  };
}

export class ApiSession {
  private readonly fetch = cookieFetch();
  private token = '';

  constructor(
    readonly apiUrl: string,
    readonly businessId: number,
  ) {}

  async login(email: string, password: string): Promise<void> {
    const res = await this.call('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
    this.token = ((await res.json()) as { token: string }).token;
  }

  /** A JSON call; a 429 waits as long as Retry-After says, then tries again. */
  async call(path: string, init: RequestInit = {}): Promise<Response> {
    for (;;) {
      const res = await this.fetch(`${this.apiUrl}${path}`, {
        ...init,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...init.headers,
        },
      });
      if (res.status !== 429) return res;
      await res.body?.cancel();
      await sleep(1000 * Math.max(1, Number(res.headers.get('retry-after')) || 5));
    }
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await this.call(path, init);
    const body = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${body.slice(0, 300)}`);
    return JSON.parse(body) as T;
  }

  /**
   * Authorize and consent as `identity`; returns the callback URL the provider redirected to, not yet
   * followed (so a fault can be timed against the callback).
   */
  async consent(platform: Platform, identity: string): Promise<URL> {
    const { authorization_url } = await this.json<{ authorization_url: string }>(
      `/api/v1/oauth/${platform}/authorize?business_id=${this.businessId}`,
    );
    const answer = await consent(authorization_url, 'allow', identity);
    if (!answer.location) throw new Error(`the consent page answered ${answer.status} without a redirect`);
    return answer.location;
  }

  /** Follows the provider's redirect to our callback; the JSON answer (accounts, or a Meta selection). */
  async callback(url: URL): Promise<Response> {
    return this.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(180_000) });
  }

  /** Picks every Page and Instagram account a Meta login offered. */
  async pickMeta(pending: { id: number; pages: MetaChoice[] }): Promise<Response> {
    const body = {
      pending_id: pending.id,
      page_ids: pending.pages.map((p) => p.pageId),
      instagram_ids: pending.pages.flatMap((p) => (p.instagram ? [p.instagram.id] : [])),
    };
    return this.call(`/api/v1/oauth/meta/pages?business_id=${this.businessId}`, {
      method: 'POST',
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(180_000),
    });
  }

  /** The whole connect of one identity; the account ids it made. */
  async connect(platform: Platform, identity: string): Promise<number[]> {
    let res = await this.callback(await this.consent(platform, identity));
    // A busy machine can outlast the API's wait for the connect workflow (504 connect_pending): connect
    // again, as a user would; the second is a reconnect of the same external account.
    for (let retry = 0; res.status === 504 && retry < 3; retry++) {
      await res.body?.cancel();
      await sleep(5_000);
      res = await this.callback(await this.consent(platform, identity));
    }
    const body = (await res.json()) as ConnectAnswer;
    if (!res.ok) throw new Error(`connecting ${platform} ${identity} answered ${res.status}: ${JSON.stringify(body)}`);
    if (!body.pending_selection) return body.accounts.map((a) => a.id);
    const picked = await this.pickMeta(body.pending_selection);
    const chosen = (await picked.json()) as ConnectAnswer;
    if (!picked.ok) throw new Error(`picking Meta Pages answered ${picked.status}: ${JSON.stringify(chosen)}`);
    return chosen.accounts.map((a) => a.id);
  }
}

interface ConnectAnswer {
  accounts: { id: number; platform: string }[];
  pending_selection: { id: number; pages: MetaChoice[] } | null;
}

/** The sandbox's admin API. */
export async function sandboxAdmin<T = unknown>(sandboxUrl: string, path: string, body?: unknown, method?: string): Promise<T> {
  const res = await fetch(`${sandboxUrl}/admin${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox admin ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
