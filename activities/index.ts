// Activities: every side effect the workflows need, built from explicit dependencies so the worker and
// the tests wire the same code to their own database, keyring, providers and Temporal client.
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import type { AccountPolicy } from '../workflows/contract.js';
import { accountActivities } from './accounts.js';
import { connectActivities } from './connect.js';
import type { Providers } from '../providers/registry.js';
import { syncActivities, type SyncPolicy } from './sync.js';
import { publishActivities, type MediaForPublishing } from './publish.js';
import { mediaCleanupActivities } from './media-cleanup.js';
import type { MediaStorage } from '../lib/media-storage.js';

export type { AccountSnapshot } from './accounts.js';

export interface ActivityDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
  /** For starting and signalling account workflows from the connect flow. */
  temporal: Client;
  taskQueue: string;
  policy: AccountPolicy;
  /** How much a sync reads (decision 018); the defaults without it. */
  syncPolicy?: SyncPolicy;
  /** Reads a post's images for publishing (the media storage); without it, posts with images fail with that reason. */
  mediaForPublishing?: MediaForPublishing;
  /** Where uploaded images live, for removing those nobody uses; without it, none are removed. */
  mediaStorage?: MediaStorage;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...connectActivities(deps),
    ...accountActivities(deps),
    ...syncActivities(deps),
    ...publishActivities(deps),
    ...mediaCleanupActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
