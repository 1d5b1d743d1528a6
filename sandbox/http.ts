// Small HTTP helpers every provider uses: reading parameters and client credentials, redirects, and
// the request log (method, path and status only: queries, bodies and headers carry codes and tokens).
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../lib/logger.js';
import type { ClientApp } from './store.js';

export type Params = Record<string, string | undefined>;

function flatten(source: unknown): Params {
  const out: Params = {};
  if (!source || typeof source !== 'object') return out;
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
    // JSON bodies (Graph takes them too): numbers and booleans as the form would carry them.
    else if (typeof first === 'number' || typeof first === 'boolean') out[key] = String(first);
  }
  return out;
}

export function queryParams(req: Request): Params {
  return flatten(req.query);
}

export function bodyParams(req: Request): Params {
  return flatten(req.body);
}

/** Query then form body, the body winning (providers that accept both, like Meta and LinkedIn). */
export function allParams(req: Request): Params {
  return { ...queryParams(req), ...bodyParams(req) };
}

/** HTTP Basic client credentials, decoded per RFC 6749 2.3.1 (form-encoded id and secret). */
export function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const header = req.get('authorization');
  const match = header?.match(/^Basic\s+(\S+)$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

export function bearerToken(req: Request): string | undefined {
  const match = req.get('authorization')?.match(/^(?:Bearer|OAuth)\s+(\S+)$/i);
  return match?.[1];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** 302 to `uri` with `params` added to its query (and an optional fragment, as Meta appends `#_=_`). */
export function redirectWith(res: Response, uri: string, params: Record<string, string | undefined>, fragment?: string): void {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  if (fragment !== undefined) url.hash = fragment;
  res.redirect(302, url.toString());
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export function redirectUriAllowed(client: ClientApp, uri: string | undefined): uri is string {
  if (!uri) return false;
  if (client.redirectUris) return client.redirectUris.includes(uri);
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && loopbackHosts.has(url.hostname) && !url.hash;
  } catch {
    return false;
  }
}

export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          event_type: 'sandbox_request',
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          duration_ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        'sandbox request',
      );
    });
    next();
  };
}

/** Space- or comma-separated scope list (providers differ), without empties or duplicates. */
export function splitScopes(scope: string | undefined, separator: RegExp = /[\s,]+/): string[] {
  return [...new Set((scope ?? '').split(separator).filter(Boolean))];
}
