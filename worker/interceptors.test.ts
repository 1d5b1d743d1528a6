import { describe, expect, it } from 'vitest';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { errorTypeOf, isFinalFailure } from './interceptors.js';

const policy = { maximumAttempts: 5, nonRetryableErrorTypes: ['GrantRevoked', 'ProviderRejected'] };

describe('isFinalFailure', () => {
  it('is final on the last attempt the retry policy allows, not before', () => {
    const unavailable = ApplicationFailure.retryable('503', 'ProviderUnavailable');
    expect(isFinalFailure(unavailable, { attempt: 1, retryPolicy: policy })).toBe(false);
    expect(isFinalFailure(unavailable, { attempt: 4, retryPolicy: policy })).toBe(false);
    expect(isFinalFailure(unavailable, { attempt: 5, retryPolicy: policy })).toBe(true);
  });

  it('is final at once for a non-retryable failure, by flag or by type', () => {
    expect(isFinalFailure(ApplicationFailure.nonRetryable('gone', 'StateGone'), { attempt: 1, retryPolicy: policy })).toBe(true);
    expect(isFinalFailure(ApplicationFailure.retryable('401', 'GrantRevoked'), { attempt: 1, retryPolicy: policy })).toBe(true);
    expect(isFinalFailure(Object.assign(new Error('x'), { name: 'ProviderRejected' }), { attempt: 1, retryPolicy: policy })).toBe(true);
  });

  it('is never final with unlimited attempts (maximumAttempts 0 or no policy), unless not retryable', () => {
    expect(isFinalFailure(new Error('db down'), { attempt: 50, retryPolicy: { maximumAttempts: 0 } })).toBe(false);
    expect(isFinalFailure(new Error('db down'), { attempt: 50, retryPolicy: undefined })).toBe(false);
  });

  it('does not count a cancellation as a failure', () => {
    expect(isFinalFailure(new CancelledFailure('cancelled'), { attempt: 5, retryPolicy: policy })).toBe(false);
  });

  it('names errors as Temporal matches them against nonRetryableErrorTypes', () => {
    expect(errorTypeOf(ApplicationFailure.retryable('x', 'RateLimited'))).toBe('RateLimited');
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
  });
});
