// What every Graph API handler shares: the error body, token resolution (query/form `access_token` or
// an Authorization header), the 190 family of token errors, field lists and usage headers.
import type { Request, Response } from 'express';
import { bearerToken, type Params } from './http.js';
import { metaObjects, type MetaPage, type MetaUser } from './identities.js';
import { traceId } from './random.js';
import { checkToken, type Grant, type SandboxState, type TokenRecord } from './store.js';

export interface GraphContext {
  state: SandboxState;
  req: Request;
  res: Response;
  /** `v21.0` or undefined when the call was unversioned. */
  version?: string;
  /** Path segments after the version, e.g. ['me', 'accounts']. */
  path: string[];
  params: Params;
}

export interface GraphErrorInput {
  message: string;
  code: number;
  type?: string;
  error_subcode?: number;
  is_transient?: boolean;
  status?: number;
  /** Meta's WWW-Authenticate error for OAuth failures (observed on code exchange errors). */
  challenge?: string;
  error_user_title?: string;
  error_user_msg?: string;
}

export function graphError(res: Response, input: GraphErrorInput): void {
  const { status = 400, challenge, type = 'OAuthException', ...rest } = input;
  if (challenge) res.set('WWW-Authenticate', `OAuth "Facebook Platform" "${challenge}" "${rest.message.replace(/"/g, "'")}"`);
  const error: Record<string, unknown> = { message: rest.message, type, code: rest.code };
  if (rest.error_subcode !== undefined) error.error_subcode = rest.error_subcode;
  if (rest.is_transient !== undefined) error.is_transient = rest.is_transient;
  if (rest.error_user_title !== undefined) error.error_user_title = rest.error_user_title;
  if (rest.error_user_msg !== undefined) error.error_user_msg = rest.error_user_msg;
  error.fbtrace_id = traceId();
  res.status(status).json({ error });
}

export function unsupportedGet(res: Response, id: string, method = 'GET'): void {
  graphError(res, {
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

export function missingPermission(res: Response, permission: string): void {
  graphError(res, { message: `(#10) This endpoint requires the '${permission}' permission.`, code: 10, status: 403 });
}

function fbTime(ms: number): string {
  return new Date(ms).toUTCString().replace(/ GMT$/, ' UTC');
}

/** The 190 error for a token that is not valid, by why (observed messages and subcodes). */
export function tokenError(res: Response, check: ReturnType<typeof checkToken>, clientId: string, now: number): void {
  const fail = (message: string, error_subcode?: number) =>
    graphError(res, { message, code: 190, ...(error_subcode ? { error_subcode } : {}), challenge: 'invalid_token' });
  if (check.status === 'expired' && check.token?.expiresAt) {
    return fail(
      `Error validating access token: Session has expired on ${fbTime(check.token.expiresAt)}. The current time is ${fbTime(now)}.`,
      463,
    );
  }
  if (check.status === 'revoked' && check.grant?.revokeReason === 'password_changed') {
    return fail(
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      460,
    );
  }
  if (check.status === 'revoked') return fail(`Error validating access token: The user has not authorized application ${clientId}.`, 458);
  fail('Invalid OAuth access token - Cannot parse access token', 467);
}

function graphTokenValue(ctx: GraphContext): string | undefined {
  return ctx.params.access_token ?? bearerToken(ctx.req);
}

export interface Caller {
  token: TokenRecord;
  grant: Grant;
  user: MetaUser;
  /** Set when the caller used a Page token. */
  page?: MetaPage;
}

/** The caller behind the request's token, or an error response (and undefined). */
export function authenticate(ctx: GraphContext, aboutMe: boolean): Caller | undefined {
  const { state, res } = ctx;
  const value = graphTokenValue(ctx);
  const clientId = state.clients.meta.clientId;
  if (!value || value.includes('|')) {
    // An app token (APPID|SECRET) is no user: observed messages for /me and for other nodes.
    graphError(
      res,
      aboutMe
        ? { message: 'An active access token must be used to query information about the current user.', code: 2500 }
        : { message: 'An access token is required to request this resource.', code: 104 },
    );
    return undefined;
  }
  const check = checkToken(state, 'meta', value);
  const user = state.identities.meta.find((u) => u.id === check.token?.identityId);
  if (check.status !== 'valid' || !check.token || !check.grant || !user) {
    tokenError(res, check, clientId, state.now());
    return undefined;
  }
  const pageId = check.token.meta?.pageId;
  const page = pageId ? user.pages.find((p) => p.id === pageId) : undefined;
  usageHeaders(state, res, check.token, page);
  return { token: check.token, grant: check.grant, user, ...(page ? { page } : {}) };
}

/** Pages the caller may act on: its own Page (Page token) or every Page of the user (user token). */
function accessiblePages(caller: Caller): MetaPage[] {
  return caller.page ? [caller.page] : caller.user.pages;
}

export function findPage(state: SandboxState, caller: Caller, id: string): MetaPage | undefined {
  const found = metaObjects(state.identities).pages.get(id);
  return found && accessiblePages(caller).some((p) => p.id === id) ? found.page : undefined;
}

export function findInstagram(state: SandboxState, caller: Caller, id: string) {
  const found = metaObjects(state.identities).instagram.get(id);
  return found && accessiblePages(caller).some((p) => p.id === found.page.id) ? found : undefined;
}

/** Top-level entries of a `fields` list with their modifiers, e.g. `id,reactions.summary(true),comments{id}`. */
function fieldSpecs(fields: string | undefined, defaults: string[]): string[] {
  if (!fields) return [...defaults];
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of fields) {
    if (ch === '(' || ch === '{') depth++;
    if (ch === ')' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else current += ch;
  }
  names.push(current);
  return names.map((n) => n.trim()).filter(Boolean);
}

const baseName = (spec: string) => spec.split(/[.{(]/)[0] ?? '';

/** A field that fails the whole call (an expanded edge the caller may not read, a bad modifier), as Graph does. */
export class GraphFieldError extends Error {
  constructor(readonly input: GraphErrorInput) {
    super(input.message);
  }
}

/** Picks `fields` from a node's available values (Graph always adds `id`); an unknown name fails like Graph does. */
export function selectFields(
  ctx: GraphContext,
  nodeType: string,
  /** Each field's value; an edge that can be expanded gets its spec with modifiers (`insights.metric(a,b)`). */
  available: Record<string, (spec: string) => unknown>,
  defaults: string[],
) {
  const out: Record<string, unknown> = {};
  const specs = fieldSpecs(ctx.params.fields, defaults);
  if (available.id && !specs.some((spec) => baseName(spec) === 'id')) specs.push('id');
  for (const spec of specs) {
    const name = baseName(spec);
    const value = available[name];
    if (!value) {
      graphError(ctx.res, {
        message: `(#100) Tried accessing nonexisting field (${name}) on node type (${nodeType})`,
        code: 100,
      });
      return undefined;
    }
    let v: unknown;
    try {
      v = value(spec);
    } catch (error) {
      if (!(error instanceof GraphFieldError)) throw error;
      graphError(ctx.res, error.input);
      return undefined;
    }
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Meta's time format: 2024-01-31T12:00:00+0000. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/**
 * Usage headers, as percentages of a budget the sandbox counts but never enforces (inject a rate_limit
 * fault to see throttling). User-token calls count against the app's platform limit and answer
 * X-App-Usage (200 calls per user per hour); Page-token calls count against the Page's business use
 * case limit and answer X-Business-Use-Case-Usage (4800 calls per Page per 24 hours), the documented
 * formulas with one engaged user.
 */
function usageHeaders(state: SandboxState, res: Response, token: TokenRecord, page?: MetaPage): void {
  const now = state.now();
  const bump = (key: string, windowMs: number) => {
    let w = state.rateWindows.get(key);
    if (!w || now >= w.start + windowMs) {
      w = { start: now, count: 0 };
      state.rateWindows.set(key, w);
    }
    return ++w.count;
  };
  if (token.meta?.type === 'PAGE' && page) {
    const percent = Math.min(100, Math.floor((bump(`meta:page:${page.id}`, 86_400_000) * 100) / 4800));
    res.set('X-Business-Use-Case-Usage', JSON.stringify(bucUsage(page.id, percent, 0)));
    return;
  }
  const users = new Set(
    [...state.grants.values()].filter((g) => g.platform === 'meta' && g.revokedAt === undefined).map((g) => g.identityId),
  ).size;
  const percent = Math.min(100, Math.floor((bump('meta:app', 3_600_000) * 100) / (200 * Math.max(1, users))));
  res.set(
    'X-App-Usage',
    JSON.stringify({
      call_count: percent,
      total_cputime: Math.floor(percent / 2),
      total_time: Math.floor(percent / 2),
    }),
  );
}

export function bucUsage(objectId: string, percent: number, regainMinutes: number) {
  return {
    [objectId]: [
      {
        type: 'pages',
        call_count: percent,
        total_cputime: Math.floor(percent / 2),
        total_time: Math.floor(percent / 2),
        estimated_time_to_regain_access: regainMinutes,
      },
    ],
  };
}
