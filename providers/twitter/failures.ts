// How X's failures read. Token endpoint: OAuth error bodies; a dead grant is `invalid_grant`, or the
// documented (and observed) 400 invalid_request "Value passed for the token was invalid." on refresh,
// which is what a reused rotated or revoked refresh token gets. 401 unauthorized_client is our app's
// credentials (a rotated secret), never the user's grant. API: RFC 7807 problem bodies; rate limits say
// when the window resets in x-rate-limit-reset (epoch seconds). The same text posted twice is a 403
// "You are not allowed to create a Tweet with duplicate content." (observed; it names no post).
import { z } from 'zod';
import { DuplicatePostError, type Provider, type ProviderError, type ProviderFailure } from '../contract.js';
import { classified, oauthDetail, oauthErrorOf, tokenEndpointKind } from '../failures.js';
import { kindForStatus } from '../http.js';

const DEAD_REFRESH_TOKEN = 'Value passed for the token was invalid.';
const problem = z.object({ title: z.string().optional(), detail: z.string().optional(), type: z.string().optional() });
// X answers 403 with these problem types when the app itself may not call the API.
const APP_PROBLEMS = ['client-not-enrolled', 'client-forbidden'];

export function classifyTwitterFailure(provider: Pick<Provider, 'platform' | 'metadata'>, failure: ProviderFailure): ProviderError {
  const reset = failure.status === 429 ? retryAfterMs(failure.headers) : undefined;
  if (failure.step !== 'api') {
    const error = oauthErrorOf(failure.body);
    const deadGrant =
      failure.step === 'refresh' &&
      (error?.error === 'invalid_grant' || (error?.error === 'invalid_request' && error.description === DEAD_REFRESH_TOKEN));
    return classified(provider, failure, deadGrant ? 'grant_dead' : tokenEndpointKind(failure, error?.error), oauthDetail(failure), reset);
  }
  const body = problem.safeParse(failure.body);
  const detail = (body.success && (body.data.detail ?? body.data.title)) || `HTTP ${failure.status}`;
  if (failure.status === 401) return classified(provider, failure, 'grant_dead', `the access token was refused (${detail})`);
  if (failure.status === 403 && /duplicate content/i.test(detail)) {
    return new DuplicatePostError(
      provider.platform,
      `X refused the post: duplicate content (an identical post already exists on this account)`,
      failure.status,
    );
  }
  if (failure.status === 403 && body.success && APP_PROBLEMS.some((p) => body.data.type?.includes(p))) {
    return classified(provider, failure, 'app_misconfigured', detail);
  }
  return classified(provider, failure, kindForStatus(failure.status), detail, reset);
}

/** X says when the window resets (x-rate-limit-reset, epoch seconds); at least a second from now. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const reset = Number(headers.get('x-rate-limit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(1000, reset * 1000 - now) : undefined;
}
