import { describe, expect, it } from 'vitest';
import { connectBanner, connectErrorMessage, reconnectReason, withPlatformNames } from './connect-messages.js';

const banner = (query: string) => connectBanner(new URLSearchParams(query));

describe('connectBanner', () => {
  it('says which platform was connected', () => {
    expect(banner('connected=twitter')).toMatchObject({ tone: 'success', title: 'X connected' });
    expect(banner('connected=instagram')).toMatchObject({ tone: 'success', title: 'Instagram Business connected' });
  });

  it("asks to pick Pages after Meta's consent", () => {
    expect(banner('meta_pending=12')).toMatchObject({ tone: 'info', title: 'Choose what to connect' });
  });

  it('turns every callback error code into a readable problem, naming the platform', () => {
    expect(banner('error=access_denied&platform=linkedin')).toEqual({
      tone: 'danger',
      title: 'LinkedIn was not connected',
      message: 'Access was not granted on LinkedIn. If that was a mistake, choose Connect and then Allow.',
    });
    expect(banner('error=state_expired&platform=x')).toMatchObject({
      tone: 'danger',
      title: 'The sign-in link expired',
    });
    expect(banner('error=provider_unavailable&platform=meta')?.title).toBe('Facebook Pages could not be reached');
  });

  it('prefers the error when both are present, and has nothing to say otherwise', () => {
    expect(banner('connected=twitter&error=invalid_state')?.tone).toBe('danger');
    expect(banner('')).toBeNull();
    expect(banner('tab=1')).toBeNull();
  });
});

describe('connectErrorMessage', () => {
  const codes = [
    'access_denied',
    'invalid_state',
    'state_expired',
    'state_already_used',
    'state_platform_mismatch',
    'missing_code',
    'token_exchange_failed',
    'provider_unavailable',
    'connect_pending',
    'selection_expired',
    'platform_not_configured',
    'rate_limited',
  ];

  it('has its own words for each known code (no code falls through to the generic text)', () => {
    const messages = codes.map((code) => connectErrorMessage(code, 'twitter'));
    for (const [i, m] of messages.entries()) {
      expect(m.message, codes[i]).not.toContain(`(${codes[i]})`);
      expect(m.title.length, codes[i]).toBeGreaterThan(5);
    }
    expect(new Set(messages.map((m) => m.message)).size).toBe(codes.length);
    // A callback without any state is, to the user, the same as one with a state nobody issued.
    expect(connectErrorMessage('missing_state')).toEqual(connectErrorMessage('invalid_state'));
  });

  it('still explains an unknown code, quoting it for support', () => {
    expect(connectErrorMessage('weird_thing', 'twitter')).toEqual({
      title: 'X was not connected',
      message: 'Something went wrong while connecting (weird_thing). Choose Connect to try again.',
    });
    expect(connectErrorMessage('weird_thing').title).toBe('the platform was not connected');
  });
});

describe('withPlatformNames', () => {
  it('replaces platform ids in API messages with the names people know', () => {
    expect(withPlatformNames('twitter: The account must be reconnected first. meta: A sync is already running.')).toBe(
      'X: The account must be reconnected first. Facebook Pages: A sync is already running.',
    );
    expect(withPlatformNames('Nothing about twitterers here')).toBe('Nothing about twitterers here');
  });
});

describe('reconnectReason', () => {
  it('drops the "Reconnect required:" the page already says', () => {
    expect(reconnectReason('Reconnect required: X API: Unauthorized')).toBe('X API: Unauthorized');
    expect(reconnectReason('Token expired - re-authentication required')).toBe('Token expired - re-authentication required');
    expect(reconnectReason('Reconnect required: ')).toBeUndefined();
    expect(reconnectReason(null)).toBeUndefined();
  });
});
