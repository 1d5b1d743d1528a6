// Instagram Business accounts: connected through the Meta login (an account is picked with its Facebook
// Page, providers/meta/grant.ts) and acting with that Page's token; syncs media with their insights.
import type { Config } from '../../lib/config.js';
import type { Provider } from '../contract.js';
import { metaLoginProvider } from '../meta/grant.js';
import { mediaPage } from './media.js';
import { instagramPublisher } from './publish.js';

export function instagramProvider(config: Config): Provider | null {
  return metaLoginProvider(config, 'instagram', mediaPage, instagramPublisher);
}
