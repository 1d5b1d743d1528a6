// Product vocabulary with no dependencies, so deterministic workflow code can import it too.

import type { BuiltInPlatform } from '../providers/metadata.js';

/**
 * A platform id: one of the built-ins (providers/metadata.ts) or one registered at run time. Which ids
 * exist is the provider registry's to say (providers/registry.ts validates them at the edges).
 */
export type Platform = BuiltInPlatform | (string & {});

export type AccountStatus = 'connecting' | 'active' | 'syncing' | 'refreshing' | 'reconnect_required' | 'disconnected';

/** A post's counts as Social Sync keeps them, whatever the platform calls them. */
export interface PostCounts {
  impressions: number;
  likes: number;
  comments: number;
  shares: number;
  clicks: number;
  engagements: number;
}

/**
 * A target's state: one account a post goes to. `unconfirmed`: the provider may or may not have
 * published it (a crash, a timeout or a 5xx after the call) and a read-back could not tell yet.
 */
export type PostTargetStatus = 'draft' | 'scheduled' | 'publishing' | 'published' | 'failed' | 'unconfirmed' | 'canceled';

/** A post's state, summarising its targets (`partially_published`: some published, some failed). */
export type PostStatus = PostTargetStatus | 'partially_published';
