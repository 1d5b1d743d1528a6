// The provider registry: which OAuth app and base URLs each platform uses. Outside production a platform
// without credentials uses the sandbox (`npm start`, tests); in production it is "not configured".
// Instagram Business accounts connect through Meta's login and act through their Page's token.
import type { Config } from '../../lib/config.js';
import type { Platform } from '../../lib/domain.js';
import { linkedinClient } from './linkedin/client.js';
import { metaClient } from './meta/client.js';
import { twitterClient } from './twitter/client.js';
import type { OAuthApp } from './types.js';

export type OAuthProvider = 'linkedin' | 'twitter' | 'meta';

/** The OAuth app that grants a platform's accounts. */
export function oauthProviderOf(platform: Platform): OAuthProvider {
  return platform === 'instagram' ? 'meta' : platform;
}

export function oauthApps(config: Config): Record<OAuthProvider, OAuthApp | null> {
  const sandbox = (prefix: string, name: string, scopes: string): OAuthApp | null =>
    config.isProduction
      ? null
      : {
          clientId: `sandbox-${name}-client`,
          clientSecret: `sandbox-${name}-secret`,
          authUrl: `${config.SANDBOX_URL}/${prefix}`,
          apiUrl: `${config.SANDBOX_URL}/${prefix}`,
          scopes,
          sandbox: true,
        };
  const real = (id: string | undefined, secret: string | undefined, authUrl: string, apiUrl: string, scopes: string): OAuthApp | null =>
    id && secret ? { clientId: id, clientSecret: secret, authUrl, apiUrl, scopes, sandbox: authUrl.startsWith('http:') } : null;

  const metaSandbox = sandbox('meta', 'meta', config.META_SCOPES);
  return {
    linkedin:
      real(config.LINKEDIN_CLIENT_ID, config.LINKEDIN_CLIENT_SECRET, config.LINKEDIN_AUTH_URL, config.LINKEDIN_API_URL, config.LINKEDIN_SCOPES) ??
      sandbox('linkedin', 'linkedin', config.LINKEDIN_SCOPES),
    twitter:
      real(config.TWITTER_CLIENT_ID, config.TWITTER_CLIENT_SECRET, config.TWITTER_AUTH_URL, config.TWITTER_API_URL, config.TWITTER_SCOPES) ??
      sandbox('x', 'twitter', config.TWITTER_SCOPES),
    meta:
      real(config.META_APP_ID, config.META_APP_SECRET, config.META_WWW_URL, config.META_GRAPH_URL, config.META_SCOPES) ??
      (metaSandbox && { ...metaSandbox, authUrl: `${config.SANDBOX_URL}/meta/www`, apiUrl: `${config.SANDBOX_URL}/meta/graph` }),
  };
}

export interface ProviderClients {
  linkedin: ReturnType<typeof linkedinClient> | null;
  twitter: ReturnType<typeof twitterClient> | null;
  meta: ReturnType<typeof metaClient> | null;
}

export function providerClients(config: Config): ProviderClients {
  const apps = oauthApps(config);
  return {
    linkedin: apps.linkedin && linkedinClient({ ...apps.linkedin, apiVersion: config.LINKEDIN_API_VERSION }),
    twitter: apps.twitter && twitterClient(apps.twitter),
    meta: apps.meta && metaClient({ ...apps.meta, graphVersion: config.META_GRAPH_VERSION }),
  };
}

export { ProviderError } from './types.js';
export type { OAuthApp, Profile, TokenSet } from './types.js';
