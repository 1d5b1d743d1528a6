// The one place a provider failure becomes the Temporal failure that retries it the right way, or not
// at all. The account workflow acts on these types: GrantRevoked moves the account to
// reconnect_required; ProviderRejected fails without retrying; RateLimited waits for the provider's
// reset; ProviderUnavailable and AppCredentialsRejected retry with backoff (an app credential problem is
// ours to fix: it is reported, and never asks the user to reconnect).
import { ApplicationFailure } from '@temporalio/activity';
import { workerMetrics } from '../lib/activity-telemetry.js';
import type { Platform } from '../lib/domain.js';
import { alertAppCredentialsRejected } from '../lib/sentry.js';
import { builtInPlatform } from '../providers/metadata.js';
import { ProviderError, type ProviderFailureKind } from '../providers/contract.js';

const RETRY_TYPES: Record<ProviderFailureKind, string> = {
  grant_dead: 'GrantRevoked',
  rejected: 'ProviderRejected',
  rate_limited: 'RateLimited',
  transient: 'ProviderUnavailable',
  app_misconfigured: 'AppCredentialsRejected',
};

export function activityFailure(error: unknown): unknown {
  if (!(error instanceof ProviderError)) return error;
  const type = RETRY_TYPES[error.kind];
  switch (error.kind) {
    case 'rate_limited':
      return ApplicationFailure.create({ message: error.message, type, nextRetryDelay: error.retryAfterMs ?? 60_000 });
    case 'app_misconfigured':
      // Every account of the platform meets this at once: counted each time, alerted once (issue 10 item 2).
      workerMetrics.appCredentialsRejected(error.platform);
      alertAppCredentialsRejected(
        error.platform,
        `The app's credentials were rejected by ${builtInPlatform(error.platform)?.displayName ?? error.platform}: ${error.message}`,
      );
      return ApplicationFailure.retryable(error.message, type);
    case 'transient':
      return ApplicationFailure.retryable(error.message, type);
    case 'grant_dead':
    case 'rejected':
      return ApplicationFailure.nonRetryable(error.message, type);
  }
}

/** The platform has no provider here: unknown, or without credentials in production. */
export function notConfigured(platform: Platform): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${platform} is not configured.`, 'NotConfigured');
}

/** Type and message of a failure, for log lines. */
export function failureFields(failure: unknown): { error_type: string | null; error_message: string } {
  return { error_type: (failure as { type?: string }).type ?? null, error_message: (failure as Error)?.message ?? String(failure) };
}
