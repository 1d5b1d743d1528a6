// Injected faults: the next N matching provider calls answer 429 (with the provider's reset headers),
// a 5xx, or arrive late. Each provider renders the fault in its own documented error shape.
//
// Matching: a fault without `pathPrefix` hits the provider's API calls (not its OAuth endpoints, so a
// token refresh does not use up a fault meant for a sync). A fault with `pathPrefix` hits any call
// whose provider path starts with it, OAuth endpoints included; the prefix is the path on the real host
// (`/2/users/me`, `/rest/posts`, `/oauth/v2/accessToken`, `/me/accounts`, `/oauth/access_token`), and
// the sandbox prefixes (`/x`, `/linkedin`, `/meta/graph` plus a Graph version) are accepted too.
// Consent pages are never faulted. `invalid_client` answers what the token endpoint says to an app whose
// client credentials it refuses; give it the token endpoint's `pathPrefix`.
import type { NextFunction, Request, Response } from 'express';
import { secret } from './random.js';
import type { Fault, FaultKind, Platform, SandboxState } from './store.js';

/**
 * `commit_then_error` and `commit_then_hang` let the call do its work (a post is published) and then
 * answer a 5xx, or answer only after `delayMs`: the provider committed but the client cannot know.
 * They hit mutations only (not GET).
 */
export interface FaultInput {
  platform: Platform;
  kind: FaultKind;
  pathPrefix?: string;
  times?: number;
  resetSeconds?: number;
  delayMs?: number;
  status?: number;
  code?: number;
}

export function addFault(state: SandboxState, input: FaultInput): Fault {
  const fault: Fault = {
    id: secret('fault_', 6),
    platform: input.platform,
    kind: input.kind,
    remaining: input.times ?? 1,
    resetSeconds: input.resetSeconds ?? 60,
    delayMs: input.delayMs ?? 2000,
    ...(input.pathPrefix ? { pathPrefix: normalizePrefix(input.pathPrefix) } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.code ? { code: input.code } : {}),
  };
  state.faults.push(fault);
  return fault;
}

/** Provider path as the real host sees it: sandbox prefixes and Meta's version segment removed. */
function normalizePrefix(prefix: string): string {
  let p = prefix.startsWith('/') ? prefix : `/${prefix}`;
  p = p.replace(/^\/(x|linkedin|meta\/graph|meta\/www)(?=\/|$)/, '');
  p = p.replace(/^\/v\d+\.\d+(?=\/|$)/, '');
  return p || '/';
}

const commits = new Set<FaultKind>(['commit_then_error', 'commit_then_hang']);

function takeFault(state: SandboxState, platform: Platform, path: string, apiCall: boolean, method = 'GET'): Fault | undefined {
  const index = state.faults.findIndex(
    (f) =>
      f.platform === platform &&
      f.remaining > 0 &&
      (f.pathPrefix ? path.startsWith(f.pathPrefix) : apiCall) &&
      (!commits.has(f.kind) || method !== 'GET'),
  );
  if (index < 0) return undefined;
  const fault = state.faults[index] as Fault;
  fault.remaining--;
  if (fault.remaining <= 0) state.faults.splice(index, 1);
  return fault;
}

export interface FaultRenderer {
  /** The provider path for matching, and whether it is an API (non-OAuth) call; null: never faulted. */
  classify(req: Request): { path: string; apiCall: boolean } | null;
  rateLimited(fault: Fault, req: Request, res: Response): void;
  serverError(fault: Fault, req: Request, res: Response): void;
  /** The token endpoint refusing the app's client credentials, as the provider words it (a rotated secret). */
  invalidClient(req: Request, res: Response): void;
}

export function faultMiddleware(state: SandboxState, platform: Platform, renderer: FaultRenderer) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const target = renderer.classify(req);
    const fault = target ? takeFault(state, platform, target.path, target.apiCall, req.method) : undefined;
    if (!fault) return next();
    if (fault.kind === 'commit_then_error' || fault.kind === 'commit_then_hang') {
      afterCommit(res, (end) => {
        if (fault.kind === 'commit_then_hang') return void setTimeout(end, fault.delayMs);
        // Drop what the handler answered (an id header among them) and answer the provider's 5xx.
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        renderer.serverError(fault, req, res);
      });
      return next();
    }
    if (fault.kind === 'latency') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      return next();
    }
    if (fault.kind === 'rate_limit') return renderer.rateLimited(fault, req, res);
    if (fault.kind === 'invalid_client') return renderer.invalidClient(req, res);
    return renderer.serverError(fault, req, res);
  };
}

/**
 * Runs `then` when the handler ends its response, instead of ending it; `then` gets the original end
 * (for a late answer) and may instead write another response, which ends normally.
 */
function afterCommit(res: Response, then: (end: () => void) => void): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  (res as { end: unknown }).end = (...args: unknown[]) => {
    (res as { end: unknown }).end = end;
    then(() => void end(...args));
    return res;
  };
}
