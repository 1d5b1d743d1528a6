// Facebook Pages: connects through the Meta login (grant.ts), syncs a Page's posts with their insights.
import type { Config } from '../../lib/config.js';
import type { Provider } from '../contract.js';
import { builtInPlatform } from '../metadata.js';
import { classifyMetaFailure } from './failures.js';
import { metaApp, metaGrant } from './grant.js';
import { pagePostsPage } from './posts.js';

export function metaProvider(config: Config): Provider | null {
  const app = metaApp(config);
  if (!app) return null;
  const provider: Provider = {
    platform: 'meta',
    metadata: builtInPlatform('meta')!,
    classify: (failure) => classifyMetaFailure(provider, failure),
    authorizationUrl: (request) => grant.authorizationUrl(request),
    exchangeCode: (code, verifier, redirectUri) => grant.exchangeCode(code, verifier, redirectUri),
    revoke: (stored) => grant.revoke(stored.userToken),
    discover: (tokens) => grant.discover(tokens),
    selectAccounts: (userToken, pick) => grant.selectAccounts(userToken, pick),
    postsPage: (accessToken, target, cursor) => pagePostsPage(grant.get, accessToken, target.externalId, cursor),
  };
  const grant = metaGrant(provider, app, config);
  return provider;
}
