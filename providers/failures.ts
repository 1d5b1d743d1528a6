// What every provider's classify() shares: the OAuth error body (RFC 6749 section 5.2) and its reading
// of app-credential errors. Each provider adds its own error shapes and dead-grant rules.
import { z } from 'zod';
import { ProviderError, type Provider, type ProviderFailure, type ProviderFailureKind } from './contract.js';
import { kindForStatus } from './http.js';

const oauthErrorBody = z.object({ error: z.string().min(1), error_description: z.string().optional() });

/** The OAuth error in a token-endpoint answer, if it is one. */
export function oauthErrorOf(body: unknown): { error: string; description: string | null } | null {
  const parsed = oauthErrorBody.safeParse(body);
  return parsed.success ? { error: parsed.data.error, description: parsed.data.error_description ?? null } : null;
}

/** Our app's id or secret was refused: fix the configuration; the users' grants are fine. */
export const APP_CREDENTIAL_ERRORS: readonly string[] = ['invalid_client', 'unauthorized_client'];

/** A classified error whose message names the provider and the step; rate limits always carry a wait. */
export function classified(
  provider: Pick<Provider, 'platform' | 'metadata'>,
  failure: ProviderFailure,
  kind: ProviderFailureKind,
  detail: string,
  retryAfterMs?: number,
): ProviderError {
  const where = failure.step === 'api' ? 'API' : failure.step === 'app_token' ? 'app token check' : 'token endpoint';
  return new ProviderError(
    provider.platform,
    kind,
    `${provider.metadata.displayName} ${where}: ${detail}`,
    failure.status,
    kind === 'rate_limited' ? (retryAfterMs ?? 60_000) : undefined,
  );
}

/** The generic reading of a token-endpoint failure: app credentials, then the status. */
export function tokenEndpointKind(failure: ProviderFailure, oauthError: string | undefined): ProviderFailureKind {
  if (oauthError && APP_CREDENTIAL_ERRORS.includes(oauthError)) return 'app_misconfigured';
  return kindForStatus(failure.status);
}

export function oauthDetail(failure: ProviderFailure): string {
  const error = oauthErrorOf(failure.body);
  if (!error) return `HTTP ${failure.status}`;
  return error.description ? `${error.error} (${error.description})` : error.error;
}
