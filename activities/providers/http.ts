// Shared mechanics for provider calls: oauth4webapi options, timeouts, and turning HTTP outcomes into
// ProviderErrors the workflow can act on. Each provider adds its own error body reading.
import * as oauth from 'oauth4webapi';
import type { Platform } from '../../lib/domain.js';
import { ProviderError, type OAuthApp, type TokenSet } from './types.js';

const TIMEOUT_MS = 15_000;

/** Options for every oauth4webapi request: a timeout, and plain http only for the local sandbox. */
export function oauthRequestOptions(app: OAuthApp) {
  return {
    signal: () => AbortSignal.timeout(TIMEOUT_MS),
    [oauth.allowInsecureRequests]: app.sandbox,
  };
}

export function authorizationServer(app: OAuthApp, paths: { issuer: string; authorize: string; token: string; revoke?: string }): oauth.AuthorizationServer {
  return {
    issuer: paths.issuer,
    authorization_endpoint: paths.authorize,
    token_endpoint: paths.token,
    revocation_endpoint: paths.revoke,
  };
}

/**
 * The callback parameters in the form oauth4webapi's code grant takes. The API already checked `state`
 * against its one-time record before the code reached the activity, so the state check is skipped here.
 */
export function callbackParameters(as: oauth.AuthorizationServer, client: oauth.Client, code: string): URLSearchParams {
  return oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
}

/** A token endpoint answer in our terms (the same for every provider). */
export function tokenSetFrom(response: oauth.TokenEndpointResponse): TokenSet {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    expiresAt: secondsFromNow(response.expires_in),
    refreshTokenExpiresAt: secondsFromNow(response.refresh_token_expires_in),
    scopes: response.scope ?? null,
  };
}

export function secondsFromNow(seconds: unknown, now = Date.now()): Date | null {
  return typeof seconds === 'number' && seconds > 0 ? new Date(now + seconds * 1000) : null;
}

/** A provider API call with a bearer token and a timeout; network failures become `unavailable`. */
export async function apiRequest(platform: Platform, url: URL | string, init: RequestInit & { accessToken: string }): Promise<Response> {
  const { accessToken, headers, ...rest } = init;
  try {
    return await fetch(url, {
      ...rest,
      headers: { accept: 'application/json', ...headers, authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProviderError(platform, 'unavailable', `${platform} did not answer: ${(error as Error).name}`);
  }
}

export async function readJson(response: Response): Promise<Record<string, any>> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

/** The generic reading of a failed status, for what a provider's body does not say more precisely. */
export function kindForStatus(status: number): ProviderError['kind'] {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'grant_revoked';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/**
 * Turns an oauth4webapi failure at the token endpoint into a ProviderError. `grantDeadErrors` are the
 * OAuth error codes that mean the grant (refresh token) is gone for this provider.
 */
export function tokenEndpointFailure(
  platform: Platform,
  error: unknown,
  options: { grantDeadErrors: string[]; retryAfterMs?: (response: Response) => number | undefined },
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const dead = options.grantDeadErrors.includes(error.error);
    const kind = dead ? 'grant_revoked' : kindForStatus(error.status);
    return new ProviderError(platform, kind, `${platform} token endpoint: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`, error.status, kind === 'rate_limited' ? options.retryAfterMs?.(error.response) : undefined);
  }
  const response = (error as { cause?: unknown })?.cause;
  if (response instanceof Response) {
    const kind = kindForStatus(response.status);
    return new ProviderError(platform, kind, `${platform} token endpoint answered ${response.status}`, response.status, kind === 'rate_limited' ? options.retryAfterMs?.(response) : undefined);
  }
  const name = (error as Error)?.name;
  // fetch reports an unreachable host as TypeError('fetch failed'); oauth4webapi's argument errors are TypeErrors too.
  if (name === 'TimeoutError' || name === 'AbortError' || (error instanceof TypeError && error.message === 'fetch failed')) {
    return new ProviderError(platform, 'unavailable', `${platform} token endpoint did not answer (${name})`);
  }
  return new ProviderError(platform, 'rejected', `${platform} token endpoint: ${(error as Error)?.message ?? String(error)}`);
}
