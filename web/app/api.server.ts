// The one way the dashboard talks to the API: from loaders and actions only, with the user's bearer token
// and an X-Request-ID (the browser's, if it sent a well-formed one), so the web's log lines about a call
// and the API's carry the same id. The browser never calls the API; authorization lives there.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { data, redirect } from '@remix-run/node';
import type { z } from 'zod';
import { config } from '../../lib/config.js';
import { parseBusinessId } from './business-context.js';
import { logger } from './logger.server.js';
import { destroySession, getSession, loginPath } from './session.server.js';

/** An error the API answered (or could not answer) with, in the API's own `{ error: { code, message } }` terms. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    /** Seconds to wait before trying again, from a 429's Retry-After. */
    readonly retryAfterSeconds?: number,
    /** The error body's `details`, unchecked (a 422 invalid_post names the problems per account). */
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** What a route may show the user: no stack, nothing the API did not already say in its error body. */
  toPublic(): PublicError {
    return { status: this.status, code: this.code, message: this.message, requestId: this.requestId };
  }
}

export interface PublicError {
  status: number;
  code: string;
  message: string;
  requestId: string | null;
}

interface ApiInit {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Query string parameters; undefined values are left out. */
  query?: Record<string, string | number | undefined>;
  /** A body to send as JSON. */
  json?: unknown;
  /** Raw bytes to send (a file upload), with the file's type as Content-Type. */
  upload?: Blob;
  /**
   * Whether to send the session's bearer token (default true). With it, a missing session redirects to
   * the login page, and a 401 ends the session and does the same. Without it a 401 is an ApiError.
   */
  auth?: boolean;
  /** A Cookie header to send: the API's cookies the dashboard keeps for the browser (the OAuth binding, decision 015). */
  cookie?: string;
  /** Receives the answer's Set-Cookie headers, whatever its status. */
  onSetCookie?: (setCookies: string[]) => void;
  /** Overrides the client's timeout (an OAuth callback waits for the code exchange). */
  timeoutMs?: number;
}

export interface ApiFetch {
  /** Calls the API and returns its JSON body, checked against `schema`. */
  <S extends z.ZodType>(request: Request, path: string, init: ApiInit & { schema: S }): Promise<z.output<S>>;
  /** Calls the API for its effect; resolves to the parsed JSON body if there is one, unchecked. */
  (request: Request, path: string, init?: ApiInit): Promise<unknown>;
}

export interface ApiClientOptions {
  /** Where the API is, read at call time. */
  baseUrl: () => string;
  timeoutMs?: number;
  /** DASHBOARD_API_SECRET: with it the API believes the browser address this client passes on. */
  dashboardSecret?: () => string | undefined;
}

/**
 * The browser's address, as the proxy in front of the dashboard (the TLS terminator production needs)
 * appended it to X-Forwarded-For: the last entry, the only one a browser cannot write. The API throttles
 * logins per address; without this every login would come from the dashboard's own.
 */
function browserAddress(request: Request): string | undefined {
  const last = request.headers.get('x-forwarded-for')?.split(',').pop()?.trim();
  return last && isIP(last) !== 0 ? last : undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const requestIds = new WeakMap<Request, string>();

/**
 * The request id for the API calls of one loader or action: the incoming X-Request-ID when it is well
 * formed, else a new one. (Remix hands each loader its own copy of the page request, so the loaders of
 * one page each get their own id unless the browser or a proxy in front sent one.)
 */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    const incoming = request.headers.get('x-request-id');
    id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

export function createApiFetch(options: ApiClientOptions): ApiFetch {
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function apiFetch(request: Request, path: string, init: ApiInit & { schema?: z.ZodType } = {}): Promise<unknown> {
    const requestId = requestIdOf(request);
    const headers = new Headers({ Accept: 'application/json', 'X-Request-ID': requestId });
    const session = init.auth === false ? undefined : await getSession(request);
    if (session) {
      const token = session.get('apiToken');
      if (!token) throw redirect(loginPath(request));
      headers.set('Authorization', `Bearer ${token}`);
    }
    if (init.json !== undefined) headers.set('Content-Type', 'application/json');
    else if (init.upload) headers.set('Content-Type', init.upload.type || 'application/octet-stream');
    if (init.cookie) headers.set('Cookie', init.cookie);
    const secret = options.dashboardSecret?.();
    const address = browserAddress(request);
    if (secret && address) {
      headers.set('X-Dashboard-Secret', secret);
      headers.set('X-Client-Address', address);
    }

    const url = new URL(path, options.baseUrl());
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }

    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method ?? 'GET',
        headers,
        body: init.json === undefined ? init.upload : JSON.stringify(init.json),
        redirect: 'manual',
        signal: AbortSignal.any([request.signal, AbortSignal.timeout(init.timeoutMs ?? timeoutMs)]),
      });
    } catch (error) {
      if (request.signal.aborted) throw error; // the browser went away; nobody is waiting for an answer
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      logger.warn({ event_type: 'api_unreachable', request_id: requestId, path: url.pathname, err: error }, 'API call failed');
      throw timedOut
        ? new ApiError(504, 'api_timeout', 'Social Sync took too long to answer. Try again in a moment.', requestId)
        : new ApiError(503, 'api_unreachable', 'Social Sync cannot be reached right now. Try again in a moment.', requestId);
    }

    const responseRequestId = response.headers.get('x-request-id') ?? requestId;
    init.onSetCookie?.(response.headers.getSetCookie());
    if (response.status === 401 && session) {
      // The API no longer knows this session (expired, logged out elsewhere): forget it here too.
      throw redirect(loginPath(request), { headers: { 'Set-Cookie': await destroySession(session) } });
    }
    if (!response.ok) throw await errorFrom(response, responseRequestId, url.pathname);

    const body = await readJson(response);
    if (!init.schema) return body;
    const parsed = init.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    logger.error(
      {
        event_type: 'api_unexpected_response',
        request_id: responseRequestId,
        path: url.pathname,
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      },
      'API response did not match the expected shape',
    );
    throw new ApiError(502, 'unexpected_response', 'Social Sync answered in a way this page does not understand.', responseRequestId);
  }

  return apiFetch;
}

/** The dashboard's API client, pointed at API_URL. */
export const apiFetch = createApiFetch({ baseUrl: () => config().API_URL, dashboardSecret: () => config().DASHBOARD_API_SECRET });

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const FALLBACK_MESSAGES: Record<number, [code: string, message: string]> = {
  400: ['invalid_request', 'The request was not accepted.'],
  403: ['forbidden', 'You are not allowed to do that.'],
  404: ['not_found', 'Not found.'],
  429: ['rate_limited', 'Too many requests. Try again in a moment.'],
};

async function errorFrom(response: Response, requestId: string, path: string): Promise<ApiError> {
  const body = await readJson(response);
  const error = (body as { error?: { code?: unknown; message?: unknown; request_id?: unknown; details?: unknown } } | undefined)?.error;
  const [fallbackCode, fallbackMessage] =
    FALLBACK_MESSAGES[response.status] ??
    (response.status >= 500
      ? ['api_error', 'Social Sync had a problem answering. Try again in a moment.']
      : ['http_error', 'The request failed.']);
  const apiError = new ApiError(
    response.status,
    typeof error?.code === 'string' ? error.code : fallbackCode,
    typeof error?.message === 'string' && error.message ? error.message : fallbackMessage,
    typeof error?.request_id === 'string' ? error.request_id : requestId,
    response.status === 429 ? retryAfterSeconds(response.headers.get('retry-after')) : undefined,
    error?.details,
  );
  if (response.status >= 500) {
    logger.error(
      { event_type: 'api_error', request_id: apiError.requestId, path, status: response.status, error_code: apiError.code },
      'API answered with an error',
    );
  }
  return apiError;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

// --- For loaders ---------------------------------------------------------------------------------------

/** A part of a page whose data may be missing: endpoints the API does not serve yet answer 404/501. */
export type Section<T> = { state: 'ready'; data: T } | { state: 'unavailable' } | { state: 'error'; error: PublicError };

/**
 * Loads one part of a page without letting it take the page down: a missing endpoint becomes
 * `unavailable`, an API error becomes `error` (shown in place), and redirects (signed out) still happen.
 * Only for business-scoped data whose business the layout has already checked: a 404 here means the
 * endpoint is missing, not that the business is someone else's (the layout answers that with a 404 page).
 */
export async function loadSection<T>(promise: Promise<T>): Promise<Section<T>> {
  try {
    return { state: 'ready', data: await promise };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (isNotAvailable(error)) return { state: 'unavailable' };
    return { state: 'error', error: error.toPublic() };
  }
}

export function isNotAvailable(error: ApiError): boolean {
  return error.status === 404 || error.status === 405 || error.status === 501;
}

/** Rethrows an ApiError as a route error response the nearest ErrorBoundary can show; anything else as is. */
export function throwRouteError(error: unknown): never {
  if (error instanceof ApiError) throw data(error.toPublic(), { status: error.status });
  throw error;
}

/** The business id a route names, or a 404 page: the API checks membership, this only checks shape. */
export function requireBusinessId(raw: string | undefined): number {
  const businessId = parseBusinessId(raw);
  if (businessId === undefined) throw data({ code: 'business_not_found' }, { status: 404 });
  return businessId;
}
