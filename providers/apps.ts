// Which OAuth app a provider uses: the real one when its credentials are configured, else (outside
// production) the sandbox's, so `npm start` and the tests work with no accounts anywhere. In production
// a provider without credentials is "not configured".
import type { Config } from '../lib/config.js';
import type { OAuthApp } from './oauth.js';

export function oauthApp(
  config: Config,
  real: { clientId: string | undefined; clientSecret: string | undefined; authUrl: string; apiUrl: string; scopes: string },
  sandbox: { name: string; authPath: string; apiPath: string },
): OAuthApp | null {
  if (real.clientId && real.clientSecret) {
    return {
      clientId: real.clientId,
      clientSecret: real.clientSecret,
      authUrl: real.authUrl,
      apiUrl: real.apiUrl,
      scopes: real.scopes,
      sandbox: real.authUrl.startsWith('http:'),
    };
  }
  if (config.isProduction) return null;
  return {
    clientId: `sandbox-${sandbox.name}-client`,
    clientSecret: `sandbox-${sandbox.name}-secret`,
    authUrl: `${config.SANDBOX_URL}/${sandbox.authPath}`,
    apiUrl: `${config.SANDBOX_URL}/${sandbox.apiPath}`,
    scopes: real.scopes,
    sandbox: true,
  };
}
