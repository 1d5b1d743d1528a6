import { DataSource } from 'typeorm';
import { entities } from './entities.js';
import { Initial1732400000000 } from './migrations/1732400000000-initial.js';
import { DashboardIndexes1796186002001 } from './migrations/1796186002001-dashboard-indexes.js';
import { PlatformsFromRegistry1796190000000 } from './migrations/1796190000000-platforms-from-registry.js';
import { RefreshJournal1796200000000 } from './migrations/1796200000000-refresh-journal.js';
import { ConnectTokens1796200000001 } from './migrations/1796200000001-connect-tokens.js';
import { Publishing1796300000000 } from './migrations/1796300000000-publishing.js';
import { AccountSyncState1796300000300 } from './migrations/1796300000300-account-sync-state.js';
import { OAuthBrowserBinding1796300000400 } from './migrations/1796300000400-oauth-browser-binding.js';
import { MetaSelectionOutcome1796300000500 } from './migrations/1796300000500-meta-selection-outcome.js';
import { SyncCursors1796300000600 } from './migrations/1796300000600-sync-cursors.js';
import { PostThreads1796300000710 } from './migrations/1796300000710-post-threads.js';

// In timestamp order, one file each.
const migrations = [
  Initial1732400000000,
  DashboardIndexes1796186002001,
  PlatformsFromRegistry1796190000000,
  RefreshJournal1796200000000,
  ConnectTokens1796200000001,
  Publishing1796300000000,
  AccountSyncState1796300000300,
  OAuthBrowserBinding1796300000400,
  MetaSelectionOutcome1796300000500,
  SyncCursors1796300000600,
  PostThreads1796300000710,
];

/** A TypeORM DataSource on pg. Schema changes only through migrations, never `synchronize`. */
export function createDataSource(url: string, options: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: options.poolSize ?? 10 },
  });
}

/** Connects and applies pending migrations (each in its own transaction). */
export async function openDatabase(url: string, options: { migrate?: boolean; poolSize?: number } = {}) {
  const dataSource = createDataSource(url, options);
  await dataSource.initialize();
  if (options.migrate) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
