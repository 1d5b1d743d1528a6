// Reading accounts for the API: never the token columns, only what a response may show.
import type { DataSource } from 'typeorm';
import {
  AccountSyncStateEntity,
  MembershipEntity,
  SocialAccountEntity,
  type AccountSyncState,
  type SocialAccount,
} from '../lib/db/entities.js';
import { preparedQuery } from '../lib/db/prepared.js';
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
 * query: what sync-status shows. `syncState` is null where no workflow has written yet (an account
 * connected before the projection existed, or a workflow not yet started). The same statement checks
 * that `userId` belongs to the business, so the tenancy check costs no round trip of its own (issue 12):
 * undefined when the user is not a member.
 */
export async function memberAccountsWithSyncState(
  db: DataSource,
  userId: number,
  businessId: number,
): Promise<(AccountRow & { syncState: SyncStateRow | null })[] | undefined> {
  // SQL built once from the entities' column names and sent as a prepared statement: the query
  // builder's building, hydrating and per-call planning cost more than the read itself.
  const rows = await preparedQuery<Record<string, unknown>>(db, 'member-accounts-with-sync-state', accountsWithSyncStateSql(db), [
    userId,
    businessId,
    'disconnected',
  ]);
  if (!rows[0]?.member) return undefined;
  // A member of a business without accounts gets the one row of the membership alone.
  return rows
    .filter((row) => row.id !== null)
    .map((row) => {
      const account = Object.fromEntries(SHOWN.map((c) => [c, row[c]])) as Pick<SocialAccount, (typeof SHOWN)[number]>;
      const syncState = row.s_present ? (Object.fromEntries(SYNC_STATE.map((c) => [c, row[`s_${c}`]])) as SyncStateRow) : null;
      return { ...account, hasRefreshToken: row.has_refresh_token as boolean, syncState };
    });
}

const sqlByDataSource = new WeakMap<DataSource, string>();

function accountsWithSyncStateSql(db: DataSource): string {
  let sql = sqlByDataSource.get(db);
  if (!sql) {
    const account = db.getMetadata(SocialAccountEntity);
    const state = db.getMetadata(AccountSyncStateEntity);
    const membership = db.getMetadata(MembershipEntity);
    const column = (metadata: typeof account, property: string) => metadata.findColumnWithPropertyName(property)!.databaseName;
    sql = [
      'SELECT',
      [
        `m.${column(membership, 'businessId')} IS NOT NULL AS member`,
        ...SHOWN.map((c) => `a.${column(account, c)} AS "${c}"`),
        `a.${column(account, 'refreshTokenEnc')} IS NOT NULL AS has_refresh_token`,
        `s.${column(state, 'accountId')} IS NOT NULL AS s_present`,
        ...SYNC_STATE.map((c) => `s.${column(state, c)} AS "s_${c}"`),
      ].join(', '),
      // One row whatever matches, so "not a member" and "no accounts" are told apart.
      `FROM (VALUES (1)) one`,
      `LEFT JOIN ${membership.tablePath} m ON m.${column(membership, 'userId')} = $1 AND m.${column(membership, 'businessId')} = $2`,
      `LEFT JOIN ${account.tablePath} a ON a.${column(account, 'businessId')} = m.${column(membership, 'businessId')} AND a.${column(account, 'status')} <> $3`,
      `LEFT JOIN ${state.tablePath} s ON s.${column(state, 'accountId')} = a.${column(account, 'id')}`,
      `ORDER BY a.${column(account, 'platform')}, a.${column(account, 'id')}`,
    ].join(' ');
    sqlByDataSource.set(db, sql);
  }
  return sql;
}
