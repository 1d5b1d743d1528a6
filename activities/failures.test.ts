import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../providers/contract.js';
import { activityFailure } from './failures.js';

const failure = (error: ProviderError) => activityFailure(error) as ApplicationFailure;

describe('provider failures as Temporal failures', () => {
  it('keeps the types the workflow acts on, and adds AppCredentialsRejected as retryable', () => {
    expect(failure(new ProviderError('twitter', 'grant_dead', 'gone'))).toMatchObject({
      type: 'GrantRevoked',
      nonRetryable: true,
      message: 'gone',
    });
    expect(failure(new ProviderError('twitter', 'rejected', 'no'))).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure(new ProviderError('twitter', 'transient', '503'))).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure(new ProviderError('twitter', 'app_misconfigured', 'unauthorized_client'))).toMatchObject({
      type: 'AppCredentialsRejected',
      nonRetryable: false,
    });
  });

  it('a rate limit retries after the provider reset', () => {
    const limited = failure(new ProviderError('twitter', 'rate_limited', '429', 429, 42_000));
    expect(limited).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expect(limited.nextRetryDelay).toBe(42_000);
  });

  it('leaves anything else as it is', () => {
    const other = new Error('boom');
    expect(activityFailure(other)).toBe(other);
    expect(failure(new ProviderError('twitter', 'rejected', 'x'))).toBeInstanceOf(ApplicationFailure);
  });
});
