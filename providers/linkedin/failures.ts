// How LinkedIn's failures read. Token endpoint: OAuth error bodies; a refresh token that is invalid,
// expired or revoked answers 400 invalid_request ("The provided authorization grant or refresh token is
// invalid, expired or revoked"), which is the dead grant; a missing parameter is invalid_request too, and
// is not. invalid_client is our app's credentials. API: `{message, serviceErrorCode, status}`; 401 with
// 65600 (invalid), 65601 (revoked), 65602 (expired) access tokens. No rate-limit headers are documented:
// Retry-After when sent, else a minute. A repeated post is 422 DUPLICATE_POST, "Content is a duplicate
// of urn:li:share:..." (observed), naming the post that exists.
import { z } from 'zod';
import { DuplicatePostError, type Provider, type ProviderError, type ProviderFailure } from '../contract.js';
import { classified, oauthDetail, oauthErrorOf, tokenEndpointKind } from '../failures.js';
import { kindForStatus } from '../http.js';

const apiError = z.object({ message: z.string().optional(), serviceErrorCode: z.number().optional(), code: z.string().optional() });
const DEAD_REFRESH = /refresh token is invalid, expired or revoked/i;
const duplicateAnswer = z.object({
  message: z.string(),
  errorDetails: z.object({ inputErrors: z.array(z.object({ code: z.string().optional() })) }).optional(),
});

/** The URN a 422 DUPLICATE_POST names, when the body is one. */
function duplicateOf(body: unknown): string | null {
  const parsed = duplicateAnswer.safeParse(body);
  if (!parsed.success) return null;
  const duplicate =
    parsed.data.errorDetails?.inputErrors.some((e) => e.code === 'DUPLICATE_POST') || /is a duplicate of/i.test(parsed.data.message);
  return duplicate ? (parsed.data.message.match(/urn:li:(?:share|ugcPost):\d+/)?.[0] ?? null) : null;
}

export function classifyLinkedinFailure(provider: Pick<Provider, 'platform' | 'metadata'>, failure: ProviderFailure): ProviderError {
  const wait = failure.status === 429 ? retryAfterMs(failure.headers) : undefined;
  if (failure.step !== 'api') {
    const error = oauthErrorOf(failure.body);
    const deadGrant =
      failure.step === 'refresh' &&
      (error?.error === 'invalid_grant' || (error?.error === 'invalid_request' && DEAD_REFRESH.test(error.description ?? '')));
    return classified(provider, failure, deadGrant ? 'grant_dead' : tokenEndpointKind(failure, error?.error), oauthDetail(failure), wait);
  }
  const body = apiError.safeParse(failure.body);
  const message = (body.success && body.data.message) || `HTTP ${failure.status}`;
  const detail = body.success && body.data.serviceErrorCode ? `${message} (serviceErrorCode ${body.data.serviceErrorCode})` : message;
  if (failure.status === 401) return classified(provider, failure, 'grant_dead', `the access token was refused: ${detail}`);
  const existing = failure.status === 422 ? duplicateOf(failure.body) : null;
  if (existing) return new DuplicatePostError(provider.platform, `LinkedIn refused the post: it duplicates ${existing}`, 422, existing);
  return classified(provider, failure, kindForStatus(failure.status), detail, wait);
}

/** LinkedIn documents no rate-limit headers; honour Retry-After (seconds) when sent, else wait a minute. */
export function retryAfterMs(headers: Headers): number {
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}
