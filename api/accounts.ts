// Reading accounts for the API: never the token columns, only what a response may show.
import type { DataSource } from 'typeorm';
import type { AccountStatus, Platform } from '../lib/domain.js';

export interface AccountRow {
  id: number;
  businessId: number;
  platform: Platform;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  status: AccountStatus;
  statusMessage: string | null;
  tokenExpiresAt: Date | null;
  hasRefreshToken: boolean;
  parentAccountId: number | null;
  connectedAt: Date;
  lastSyncAt: Date | null;
  lastSyncStatus: string | null;
}

const COLUMNS = `id, business_id AS "businessId", platform, username, display_name AS "displayName", avatar_url AS "avatarUrl",
  status, status_message AS "statusMessage", token_expires_at AS "tokenExpiresAt",
  (refresh_token_enc IS NOT NULL) AS "hasRefreshToken", parent_account_id AS "parentAccountId",
  connected_at AS "connectedAt", last_sync_at AS "lastSyncAt", last_sync_status AS "lastSyncStatus"`;

/** A business's accounts, optionally of one platform and one id; an id of another business finds nothing. */
export function accountsFor(db: DataSource, businessId: number, platform?: Platform, accountId?: number): Promise<AccountRow[]> {
  return db.query(
    `SELECT ${COLUMNS} FROM social_accounts
     WHERE business_id = $1 AND ($2::text IS NULL OR platform = $2) AND ($3::int IS NULL OR id = $3)
     ORDER BY platform, id`,
    [businessId, platform ?? null, accountId ?? null],
  );
}
