// How Meta's failures read. Graph answers `{error:{message, type, code, error_subcode, fbtrace_id}}`,
// at the token endpoint too: 190 is a dead user or Page grant (subcodes 458 app removed, 460 password
// changed, 463 expired, 467 invalid), except on a call made with our app token (debug_token), where it
// means the app secret is wrong; code 1 "Error validating client secret." and 101 (invalid application
// id) are our app's credentials; 4/17/32/613 and 80001-80014 are throttling; 1 and 2 are Graph's own
// temporary errors. Usage headers say when access returns. Publishing: #368 ("You've already posted
// this") and #506 (duplicate status message) refuse a repeated post; 9 / 2207042 is Instagram's daily
// publishing limit (no time given: an hour).
import { z } from 'zod';
import { DuplicatePostError, type Provider, type ProviderError, type ProviderFailure } from '../contract.js';
import { APP_CREDENTIAL_ERRORS, classified, oauthErrorOf } from '../failures.js';
import { kindForStatus } from '../http.js';

const graphError = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    type: z.string().optional(),
    error_user_msg: z.string().optional(),
  }),
});
const THROTTLE_CODES = new Set([4, 17, 32, 613]);
const DUPLICATE_CODES = new Set([368, 506]);
const HOUR_MS = 3_600_000;
const isThrottle = (code: number) => THROTTLE_CODES.has(code) || (code >= 80001 && code <= 80014);

export function classifyMetaFailure(provider: Pick<Provider, 'platform' | 'metadata'>, failure: ProviderFailure): ProviderError {
  const parsed = graphError.safeParse(failure.body);
  const oauthError = oauthErrorOf(failure.body);
  if (!parsed.success) {
    const kind = oauthError && APP_CREDENTIAL_ERRORS.includes(oauthError.error) ? 'app_misconfigured' : kindForStatus(failure.status);
    return classified(
      provider,
      failure,
      kind,
      oauthError?.error ?? `HTTP ${failure.status}`,
      kind === 'rate_limited' ? retryAfterMs(failure.headers) : undefined,
    );
  }
  const { code, error_subcode: subcode, message = 'no message' } = parsed.data.error;
  const detail = `Graph error ${code ?? failure.status}${subcode ? `/${subcode}` : ''}: ${message}`;
  if (code === 190) return classified(provider, failure, failure.step === 'app_token' ? 'app_misconfigured' : 'grant_dead', detail);
  if (code === 101 || (code === 1 && /client secret/i.test(message))) return classified(provider, failure, 'app_misconfigured', detail);
  if (code !== undefined && DUPLICATE_CODES.has(code))
    return new DuplicatePostError(
      provider.platform,
      `${provider.metadata.displayName} refused the post as a duplicate: ${parsed.data.error.error_user_msg ?? message}`,
      failure.status,
    );
  if (code === 9 && subcode === 2207042)
    return classified(provider, failure, 'rate_limited', `the daily publishing limit is reached (${detail})`, HOUR_MS);
  if ((code !== undefined && isThrottle(code)) || failure.status === 429)
    return classified(provider, failure, 'rate_limited', detail, retryAfterMs(failure.headers));
  if (failure.status >= 500 || code === 1 || code === 2) return classified(provider, failure, 'transient', detail);
  return classified(provider, failure, 'rejected', detail);
}

/**
 * Meta's usage headers (X-Business-Use-Case-Usage: per business id, a list of entries; X-App-Usage: one
 * object) carry `estimated_time_to_regain_access` in minutes; the longest applies. Without one, a minute.
 */
export function retryAfterMs(headers: Headers): number {
  for (const header of ['x-business-use-case-usage', 'x-app-usage']) {
    try {
      const parsed: unknown = JSON.parse(headers.get(header) ?? 'null');
      if (!parsed || typeof parsed !== 'object') continue;
      const entries: unknown[] = 'call_count' in parsed ? [parsed] : Object.values(parsed).flat();
      const minutes = Math.max(
        0,
        ...entries.map((e) => Number((e as { estimated_time_to_regain_access?: unknown })?.estimated_time_to_regain_access) || 0),
      );
      if (minutes > 0) return minutes * 60_000;
    } catch {
      // A malformed header: try the next, then the default.
    }
  }
  return 60_000;
}
