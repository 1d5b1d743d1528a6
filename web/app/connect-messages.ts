// What the Connections page says when the browser comes back from a provider. The API's OAuth callback
// redirects to /b/{id}/connections with `?connected={platform}`, `?meta_pending={id}`, or
// `?error={code}&platform={p}`; this turns those into a banner a business user can act on. Shared by
// server and browser (no server-only imports).
import { KNOWN_PLATFORM_IDS, platformDisplayName } from './platforms.js';

export type BannerTone = 'success' | 'info' | 'warning' | 'danger';

export interface Banner {
  tone: BannerTone;
  title: string;
  message: string;
}

/** A readable title and explanation for an error code from the OAuth callback (or a connect action). */
export function connectErrorMessage(code: string, platform?: string | null): { title: string; message: string } {
  const name = platform ? platformDisplayName(platform) : 'the platform';
  const again = `Choose Connect to try again.`;
  switch (code) {
    case 'access_denied':
      return {
        title: `${name} was not connected`,
        message: `Access was not granted on ${name}. If that was a mistake, choose Connect and then Allow.`,
      };
    case 'invalid_state':
    case 'missing_state':
      return {
        title: 'The sign-in link was not valid',
        message: `Social Sync could not match this sign-in to one it started (perhaps an old tab or a bookmarked link). ${again}`,
      };
    case 'state_expired':
      return {
        title: 'The sign-in link expired',
        message: `Connecting has to be finished within 10 minutes of starting it. ${again}`,
      };
    case 'state_already_used':
      return {
        title: 'This sign-in was already used',
        message: `Each sign-in link works once (the page may have been reloaded or opened twice). Check the account below; if it is not connected, choose Connect again.`,
      };
    case 'browser_mismatch':
      return {
        title: 'The sign-in was started in another browser',
        message: `For your safety, Social Sync finishes connecting only in the browser where Connect was chosen (and only if it keeps cookies). ${again}`,
      };
    case 'state_platform_mismatch':
      return {
        title: 'The sign-in was for another platform',
        message: `The answer came back from a different platform than the one this sign-in was started for. ${again}`,
      };
    case 'missing_code':
      return {
        title: `${name} did not complete the sign-in`,
        message: `${name} sent you back without an authorization. ${again}`,
      };
    case 'token_exchange_failed':
      return {
        title: `${name} did not accept the connection`,
        message: `${name} refused to finish the connection (the authorization may have expired or been revoked). ${again}`,
      };
    case 'provider_unavailable':
      return {
        title: `${name} could not be reached`,
        message: `${name} did not answer while the connection was being completed. Try again in a few minutes.`,
      };
    case 'connect_pending':
      return {
        title: 'Still connecting',
        message:
          platform === 'meta'
            ? `${name} is taking longer than usual. The Pages and Instagram accounts to choose from appear here as soon as the connection completes.`
            : `${name} is taking longer than usual. The account will appear below as soon as the connection completes; refresh this page in a moment.`,
      };
    case 'selection_expired':
      return {
        title: 'The Page selection expired',
        message: 'Pages have to be chosen within 30 minutes of signing in to Facebook. Choose Connect to sign in again.',
      };
    case 'platform_not_configured':
      return {
        title: `${name} is not set up on this server`,
        message: `An administrator has to configure ${name} before accounts can be connected.`,
      };
    case 'unknown_platform':
      return { title: 'Unknown platform', message: 'That platform is not supported.' };
    case 'rate_limited':
      return { title: 'Too many attempts', message: 'Wait a minute, then choose Connect again.' };
    default:
      return {
        title: `${name} was not connected`,
        message: `Something went wrong while connecting (${code}). ${again}`,
      };
  }
}

/** The banner for a Connections page URL, or null when it carries no outcome. */
export function connectBanner(params: URLSearchParams): Banner | null {
  const error = params.get('error');
  if (error) return { tone: 'danger', ...connectErrorMessage(error, params.get('platform')) };
  const connected = params.get('connected');
  if (connected) {
    const name = platformDisplayName(connected);
    return {
      tone: 'success',
      title: `${name} connected`,
      message: `Social Sync is now syncing this account. Its first sync starts right away; see its progress under Analytics.`,
    };
  }
  if (params.get('meta_pending')) {
    return {
      tone: 'info',
      title: 'Choose what to connect',
      message: 'Facebook granted access. Pick the Pages and Instagram accounts Social Sync should sync.',
    };
  }
  return null;
}

/** "twitter: The account must be reconnected first." -> "X: The account must be reconnected first." */
const PLATFORM_PREFIX = new RegExp(`\\b(${KNOWN_PLATFORM_IDS.join('|')}):`, 'g');
export function withPlatformNames(message: string): string {
  return message.replace(PLATFORM_PREFIX, (_, id: string) => `${platformDisplayName(id)}:`);
}

/** The reason in a reconnect-required status message, without the "Reconnect required:" the page already says. */
export function reconnectReason(message: string | null | undefined): string | undefined {
  const reason = message?.replace(/^\s*Reconnect required:\s*/i, '').trim();
  return reason ? withPlatformNames(reason) : undefined;
}
