// Account activities: the stored facts a workflow may know, token refresh (token-refresh.ts), status
// changes and disconnect.
import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import type { AccountStatus } from '../lib/domain.js';
import { SocialAccountEntity, type SocialAccount } from '../lib/db/entities.js';
import { activityLog, workerMetrics } from '../lib/activity-telemetry.js';
import type { AccountPolicy, AccountProjection, AccountState } from '../workflows/contract.js';
import { platformMetadata, platformsOfApp, type Providers } from '../providers/registry.js';
import { tokenRefresh } from './token-refresh.js';

/** What a workflow may know about a stored account: ids and non-secret facts, never tokens. */
export type AccountSnapshot = Pick<
  AccountState,
  'accountId' | 'businessId' | 'platform' | 'username' | 'status' | 'statusMessage' | 'tokenExpiresAt' | 'canRefresh' | 'policy'
>;

export interface AccountDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
  policy: AccountPolicy;
}

export function accountActivities(deps: AccountDeps) {
  const { db, keyring, providers } = deps;
  const accounts = () => db.getRepository(SocialAccountEntity);

  async function row(accountId: number): Promise<SocialAccount> {
    const account = await accounts().findOneBy({ id: accountId });
    if (!account) throw ApplicationFailure.nonRetryable(`Account ${accountId} does not exist.`, 'AccountNotFound');
    return account;
  }

  return {
    async loadAccount(accountId: number): Promise<AccountSnapshot> {
      const account = await row(accountId);
      const refresh = platformMetadata(account.platform)?.capabilities.refresh ?? 'none';
      return {
        accountId: account.id,
        businessId: account.businessId,
        platform: account.platform,
        username: account.username,
        status: account.status,
        statusMessage: account.statusMessage,
        tokenExpiresAt: account.tokenExpiresAt?.toISOString() ?? null,
        canRefresh: refresh !== 'none' && account.refreshTokenEnc !== null,
        policy: deps.policy,
      };
    },

    refreshAccessToken: tokenRefresh(deps),

    async setAccountStatus(input: { accountId: number; status: AccountStatus; message: string | null }): Promise<void> {
      await accounts().update({ id: input.accountId }, { status: input.status, statusMessage: input.message });
      if (input.status === 'reconnect_required') workerMetrics.reconnectRequired();
      activityLog().info('account status changed', {
        event_type: 'account_status_changed',
        account_id: input.accountId,
        status: input.status,
      });
    },

    /**
     * Writes the workflow's visible state to the dashboard's projection (decision 014). The business comes
     * from the account row, so a deleted account writes nothing; an older observation never replaces a
     * newer one (a retried write that lost a race).
     */
    async recordAccountState(view: AccountProjection): Promise<void> {
      await db.query(
        `INSERT INTO account_sync_state (account_id, business_id, status, status_message, warning, token_expires_at, can_refresh,
           next_refresh_at, next_sync_at, last_sync, current_job_id, current_job_trigger, current_job_started_at, observed_at, updated_at)
         SELECT id, business_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now() FROM social_accounts WHERE id = $1
         ON CONFLICT (account_id) DO UPDATE SET status = EXCLUDED.status, status_message = EXCLUDED.status_message,
           warning = EXCLUDED.warning, token_expires_at = EXCLUDED.token_expires_at, can_refresh = EXCLUDED.can_refresh,
           next_refresh_at = EXCLUDED.next_refresh_at, next_sync_at = EXCLUDED.next_sync_at, last_sync = EXCLUDED.last_sync,
           current_job_id = EXCLUDED.current_job_id, current_job_trigger = EXCLUDED.current_job_trigger,
           current_job_started_at = EXCLUDED.current_job_started_at, observed_at = EXCLUDED.observed_at, updated_at = now()
         WHERE account_sync_state.observed_at <= EXCLUDED.observed_at`,
        [
          view.accountId,
          view.status,
          view.statusMessage,
          view.warning,
          view.tokenExpiresAt,
          view.canRefresh,
          view.nextRefreshAt,
          view.nextSyncAt,
          view.lastSync === null ? null : JSON.stringify(view.lastSync),
          view.currentSync?.jobId ?? null,
          view.currentSync?.trigger ?? null,
          view.currentSync?.startedAt ?? null,
          view.observedAt,
        ],
      );
    },

    /**
     * Revokes the grant at the provider (best effort: the outcome is reported, not thrown), then deletes
     * the tokens. A grant shared with another connected account of the business (a Meta login behind
     * several Pages and Instagram accounts) is kept.
     */
    async disconnectAccount(accountId: number): Promise<{ revoked: boolean; revokeError: string | null }> {
      const account = await row(accountId);
      let revokeError: string | null = null;
      try {
        await revoke(account);
      } catch (error) {
        revokeError = error instanceof Error ? error.message : String(error);
      }
      await accounts().update(
        { id: accountId },
        { status: 'disconnected', statusMessage: null, accessTokenEnc: null, refreshTokenEnc: null, userTokenEnc: null },
      );
      workerMetrics.disconnect(account.platform, revokeError === null);
      activityLog().info('account disconnected', {
        event_type: 'account_disconnected',
        platform: account.platform,
        account_id: accountId,
        business_id: account.businessId,
        revoked: revokeError === null,
        revoke_error: revokeError,
      });
      return { revoked: revokeError === null, revokeError };
    },
  };

  async function revoke(account: SocialAccount): Promise<void> {
    const provider = providers.get(account.platform);
    if (!provider) return;
    const userToken = keyring.decryptOptional(account.userTokenEnc);
    if (userToken && (await grantSharedWithOthers(account, userToken))) return;
    await provider.revoke({
      accessToken: keyring.decryptOptional(account.accessTokenEnc),
      refreshToken: keyring.decryptOptional(account.refreshTokenEnc),
      userToken,
    });
  }

  /**
   * Another live account of the same OAuth app, in any business, acts through the same grant. Two logins
   * of one Facebook user get different user tokens for one grant, so the grant is named by its user
   * (`grantUserId`, stored at connect); accounts stored before that are matched by their user token.
   */
  async function grantSharedWithOthers(account: SocialAccount, userToken: string): Promise<boolean> {
    const app = platformMetadata(account.platform)?.oauthApp ?? account.platform;
    const grantUserId = account.metadata.grantUserId ?? null;
    const others = await accounts()
      .createQueryBuilder('a')
      .select(['a.id', 'a.userTokenEnc', 'a.metadata'])
      .where('a.id <> :id AND a.platform IN (:...platforms) AND a.status <> :disconnected AND a.userTokenEnc IS NOT NULL', {
        id: account.id,
        platforms: platformsOfApp(app),
        disconnected: 'disconnected',
      })
      // Only rows that could match: the same grant user, or none recorded (compared by token below).
      .andWhere("(a.metadata->>'grantUserId' IS NULL OR a.metadata->>'grantUserId' = :grantUserId)", { grantUserId })
      .getMany();
    return others.some(
      (other) =>
        (grantUserId !== null && other.metadata.grantUserId === grantUserId) || keyring.decryptOptional(other.userTokenEnc) === userToken,
    );
  }
}
