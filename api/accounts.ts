// Reading accounts for the API: never the token columns, only what a response may show.
import type { DataSource } from 'typeorm';
import { SocialAccountEntity, type SocialAccount } from '../lib/db/entities.js';
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
