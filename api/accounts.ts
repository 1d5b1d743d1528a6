// Reading accounts for the API: never the token columns, only what a response may show.
import type { DataSource } from 'typeorm';
import { AccountSyncStateEntity, SocialAccountEntity, type AccountSyncState, type SocialAccount } from '../lib/db/entities.js';
import type { Platform } from '../lib/domain.js';

const SHOWN = [
  'id',
  'businessId',
  'platform',
  'username',
  'displayName',
  'avatarUrl',
  'status',
  'statusMessage',
  'tokenExpiresAt',
  'parentAccountId',
  'connectedAt',
  'lastSyncAt',
  'lastSyncStatus',
] as const satisfies (keyof SocialAccount)[];

export type AccountRow = Pick<SocialAccount, (typeof SHOWN)[number]> & { hasRefreshToken: boolean };

/** A business's accounts, optionally of one platform and one id; an id of another business finds nothing. */
export async function accountsFor(db: DataSource, businessId: number, platform?: Platform, accountId?: number): Promise<AccountRow[]> {
  const query = db
    .getRepository(SocialAccountEntity)
    .createQueryBuilder('a')
    .select(SHOWN.map((column) => `a.${column}`))
    // Whether a refresh token exists, without reading it.
    .addSelect('a.refreshTokenEnc IS NOT NULL', 'has_refresh_token')
    .where('a.businessId = :businessId', { businessId })
    .orderBy('a.platform')
    .addOrderBy('a.id');
  if (platform !== undefined) query.andWhere('a.platform = :platform', { platform });
  if (accountId !== undefined) query.andWhere('a.id = :accountId', { accountId });
  const { entities, raw } = await query.getRawAndEntities<{ has_refresh_token: boolean }>();
  return entities.map((account, i) => ({ ...account, hasRefreshToken: raw[i]!.has_refresh_token }));
}

const SYNC_STATE = [
  'status',
  'statusMessage',
  'warning',
  'tokenExpiresAt',
  'canRefresh',
  'nextRefreshAt',
  'nextSyncAt',
  'lastSync',
  'currentJobId',
  'currentJobTrigger',
  'currentJobStartedAt',
  'updatedAt',
] as const satisfies (keyof AccountSyncState)[];

export type SyncStateRow = Pick<AccountSyncState, (typeof SYNC_STATE)[number]>;

/**
 * A business's connected accounts, each with the state its workflow last wrote (decision 014), in one
 * query: what sync-status and the dashboard's lists show. `syncState` is null where no workflow has
 * written yet (an account connected before the projection existed, or a workflow not yet started).
 */
export async function accountsWithSyncState(
  db: DataSource,
  businessId: number,
): Promise<(AccountRow & { syncState: SyncStateRow | null })[]> {
  const query = db
    .getRepository(SocialAccountEntity)
    .createQueryBuilder('a')
    .select(SHOWN.map((column) => `a.${column}`))
    .addSelect('a.refreshTokenEnc IS NOT NULL', 'has_refresh_token')
    .leftJoin(AccountSyncStateEntity.options.name, 's', 's.accountId = a.id')
    .addSelect('s.accountId IS NOT NULL', 's_present')
    .where('a.businessId = :businessId AND a.status <> :disconnected', { businessId, disconnected: 'disconnected' })
    .orderBy('a.platform')
    .addOrderBy('a.id');
  for (const column of SYNC_STATE) query.addSelect(`s.${column}`, `s_${column}`);
  const { entities, raw } = await query.getRawAndEntities<Record<string, unknown>>();
  return entities.map((account, i) => {
    const row = raw[i]!;
    const syncState = row.s_present ? (Object.fromEntries(SYNC_STATE.map((c) => [c, row[`s_${c}`]])) as SyncStateRow) : null;
    return { ...account, hasRefreshToken: row.has_refresh_token as boolean, syncState };
  });
}
