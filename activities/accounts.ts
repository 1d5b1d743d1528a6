// Account activities: the stored facts a workflow may know, token refresh (persisting a rotated pair
// in the same activity that received it), status changes and disconnect.
import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import type { AccountStatus, Platform } from '../lib/domain.js';
import { activityLog, workerMetrics } from '../lib/activity-telemetry.js';
import type { AccountPolicy, AccountState } from '../workflows/contract.js';
import { activityFailure } from './connect.js';
import { ProviderError, type ProviderClients, type TokenSet } from './providers/index.js';

/** What a workflow may know about a stored account: ids and non-secret facts, never tokens. */
export type AccountSnapshot = Pick<
  AccountState,
  'accountId' | 'businessId' | 'platform' | 'username' | 'status' | 'statusMessage' | 'tokenExpiresAt' | 'canRefresh' | 'policy'
>;

export interface AccountDeps {
  db: DataSource;
  keyring: Keyring;
  providers: ProviderClients;
  policy: AccountPolicy;
}

const REFRESHABLE: Platform[] = ['twitter', 'linkedin'];

export function accountActivities(deps: AccountDeps) {
  const { db, keyring, providers } = deps;

  async function row(accountId: number) {
    const [account] = await db.query('SELECT * FROM social_accounts WHERE id = $1', [accountId]);
    if (!account) throw ApplicationFailure.nonRetryable(`Account ${accountId} does not exist.`, 'AccountNotFound');
    return account;
  }

  return {
    async loadAccount(accountId: number): Promise<AccountSnapshot> {
      const account = await row(accountId);
      return {
        accountId: account.id,
        businessId: account.business_id,
        platform: account.platform,
        username: account.username,
        status: account.status,
        statusMessage: account.status_message,
        tokenExpiresAt: account.token_expires_at?.toISOString() ?? null,
        canRefresh: REFRESHABLE.includes(account.platform) && account.refresh_token_enc !== null,
        policy: deps.policy,
      };
    },

    /** Refreshes the access token. X rotates the refresh token: the new pair is stored before returning. */
    async refreshAccessToken(accountId: number): Promise<{ tokenExpiresAt: string | null }> {
      const account = await row(accountId);
      const platform = account.platform as Platform;
      const client = platform === 'twitter' || platform === 'linkedin' ? providers[platform] : null;
      const refreshToken = keyring.decryptOptional(account.refresh_token_enc);
      if (!client || !refreshToken) {
        throw ApplicationFailure.nonRetryable(`No refresh token is stored for this ${platform} account.`, 'ProviderRejected');
      }
      const event = { event_type: 'token_refresh', platform, account_id: accountId, business_id: account.business_id };
      let fresh: TokenSet;
      try {
        fresh = await client.refresh(refreshToken);
      } catch (error) {
        const failure = activityFailure(error);
        workerMetrics.tokenRefresh(platform, 'failed');
        activityLog().warn('token refresh failed', { ...event, outcome: 'failed', error_type: (failure as { type?: string }).type ?? null, error_message: (failure as Error).message });
        throw failure;
      }
      // The provider has already retired the old refresh token: losing this write would lose the grant,
      // so it is retried here rather than by re-running the refresh.
      await withRetries(() =>
        db.query(
          `UPDATE social_accounts SET access_token_enc = $2,
             refresh_token_enc = COALESCE($3, refresh_token_enc), token_expires_at = $4,
             refresh_token_expires_at = COALESCE($5, refresh_token_expires_at),
             status = 'active', status_message = NULL, updated_at = now()
           WHERE id = $1`,
          [accountId, keyring.encrypt(fresh.accessToken), keyring.encryptOptional(fresh.refreshToken), fresh.expiresAt, fresh.refreshTokenExpiresAt],
        ),
      );
      workerMetrics.tokenRefresh(platform, 'success');
      activityLog().info('access token refreshed', {
        ...event,
        outcome: 'success',
        expires_at: fresh.expiresAt?.toISOString() ?? null,
        refresh_token_rotated: fresh.refreshToken !== null && fresh.refreshToken !== undefined,
      });
      return { tokenExpiresAt: fresh.expiresAt?.toISOString() ?? null };
    },

    async setAccountStatus(input: { accountId: number; status: AccountStatus; message: string | null }): Promise<void> {
      await db.query('UPDATE social_accounts SET status = $2, status_message = $3, updated_at = now() WHERE id = $1', [
        input.accountId,
        input.status,
        input.message,
      ]);
      if (input.status === 'reconnect_required') workerMetrics.reconnectRequired();
      activityLog().info('account status changed', { event_type: 'account_status_changed', account_id: input.accountId, status: input.status });
    },

    /**
     * Revokes the grant at the provider (best effort: the outcome is reported, not thrown), then deletes
     * the tokens. A Meta grant shared with another connected Page or Instagram account is kept.
     */
    async disconnectAccount(accountId: number): Promise<{ revoked: boolean; revokeError: string | null }> {
      const account = await row(accountId);
      let revokeError: string | null = null;
      try {
        await revoke(account);
      } catch (error) {
        revokeError = error instanceof ProviderError || error instanceof Error ? error.message : String(error);
      }
      await db.query(
        `UPDATE social_accounts SET status = 'disconnected', status_message = NULL, access_token_enc = NULL,
           refresh_token_enc = NULL, user_token_enc = NULL, updated_at = now() WHERE id = $1`,
        [accountId],
      );
      workerMetrics.disconnect(account.platform, revokeError === null);
      activityLog().info('account disconnected', {
        event_type: 'account_disconnected',
        platform: account.platform,
        account_id: accountId,
        business_id: account.business_id,
        revoked: revokeError === null,
        revoke_error: revokeError,
      });
      return { revoked: revokeError === null, revokeError };
    },
  };

  async function revoke(account: Record<string, any>): Promise<void> {
    const platform = account.platform as Platform;
    const access = keyring.decryptOptional(account.access_token_enc);
    if (platform === 'meta' || platform === 'instagram') {
      const userToken = keyring.decryptOptional(account.user_token_enc);
      if (!userToken || !providers.meta) return;
      const others = await db.query(
        `SELECT user_token_enc FROM social_accounts WHERE business_id = $1 AND id <> $2 AND platform IN ('meta', 'instagram')
           AND status <> 'disconnected' AND user_token_enc IS NOT NULL`,
        [account.business_id, account.id],
      );
      if (others.some((o: { user_token_enc: string }) => keyring.decrypt(o.user_token_enc) === userToken)) return;
      await providers.meta.revoke(userToken);
      return;
    }
    const client = providers[platform];
    if (!client) return;
    const refresh = keyring.decryptOptional(account.refresh_token_enc);
    // Revoking the refresh token ends the whole grant where there is one; the access token otherwise.
    if (refresh && platform === 'twitter') await providers.twitter!.revoke(refresh, 'refresh_token');
    else if (refresh) await client.revoke(refresh);
    if (access) await client.revoke(access);
  }
}

async function withRetries<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
