// Instagram Business accounts: connected through the Meta login (an account is picked with its Facebook
// Page, providers/meta/grant.ts) and acting with that Page's token; syncs media with their insights.
import type { Config } from '../../lib/config.js';
import type { Provider } from '../contract.js';
import { classifyMetaFailure } from '../meta/failures.js';
import { metaApp, metaGrant } from '../meta/grant.js';
import { builtInPlatform } from '../metadata.js';
import { mediaPage } from './media.js';

export function instagramProvider(config: Config): Provider | null {
  const app = metaApp(config);
  if (!app) return null;
  const provider: Provider = {
    platform: 'instagram',
    metadata: builtInPlatform('instagram')!,
    classify: (failure) => classifyMetaFailure(provider, failure),
    authorizationUrl: (request) => grant.authorizationUrl(request),
    exchangeCode: (code, verifier, redirectUri) => grant.exchangeCode(code, verifier, redirectUri),
    revoke: (stored) => grant.revoke(stored.userToken),
    discover: (tokens) => grant.discover(tokens),
    selectAccounts: (userToken, pick) => grant.selectAccounts(userToken, pick),
    postsPage: (accessToken, target, cursor) => mediaPage(grant.get, accessToken, target.externalId, cursor),
  };
  const grant = metaGrant(provider, app, config);
  return provider;
}
