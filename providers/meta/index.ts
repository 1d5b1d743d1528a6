// Facebook Pages: connects through the Meta login (grant.ts), syncs a Page's posts with their insights,
// publishes to its feed (publish.ts).
import type { Config } from '../../lib/config.js';
import type { Provider } from '../contract.js';
import { metaLoginProvider } from './grant.js';
import { pagePostsPage } from './posts.js';
import { facebookPublisher } from './publish.js';

export function metaProvider(config: Config): Provider | null {
  return metaLoginProvider(config, 'meta', pagePostsPage, facebookPublisher);
}
