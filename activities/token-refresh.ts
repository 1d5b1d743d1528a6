// Token refresh that cannot lose a grant. X rotates the refresh token on every use, so a refresh is
// serialised per account, journalled (began / how it ended), stored with a compare-and-set on the old
// refresh token, and that write is retried for the activity's whole life: never by refreshing again.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import { SocialAccountEntity, type RefreshOutcome, type SocialAccount } from '../lib/db/entities.js';
import { activityLog, workerMetrics } from '../lib/activity-telemetry.js';
import { appCredentialsAccepted } from '../lib/sentry.js';
import { ProviderError, type TokenSet } from '../providers/contract.js';
import { platformMetadata, type Providers } from '../providers/registry.js';
import { activityFailure, failureFields } from './failures.js';

/** Namespace of the per-account advisory lock (the first key of pg_advisory_lock(int, int)). */
const REFRESH_LOCK = 0x5353_0001;

export interface TokenRefreshDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
}

export function tokenRefresh({ db, keyring, providers }: TokenRefreshDeps) {
  // While the lock is held, reads go through its connection too: a refresh needing a second pooled
  // connection could wait forever behind refreshes that each hold one.
  const load = async (accountId: number, on: QueryRunner | DataSource = db): Promise<SocialAccount> => {
    const account = await on.manager.getRepository(SocialAccountEntity).findOneBy({ id: accountId });
    if (!account) throw ApplicationFailure.nonRetryable(`Account ${accountId} does not exist.`, 'AccountNotFound');
    return account;
  };
  const stored = (account: SocialAccount) => ({ tokenExpiresAt: account.tokenExpiresAt?.toISOString() ?? null });

  /** Refreshes the access token. X rotates the refresh token: the new pair is stored before returning. */
  return async function refreshAccessToken(accountId: number): Promise<{ tokenExpiresAt: string | null }> {
    const requested = await load(accountId);
    // A session-level advisory lock keyed by account id, on a connection of its own that also does this
    // refresh's writes. Not SELECT ... FOR UPDATE: a row lock held through a 15 s provider call would
    // block every other writer of the row (status changes, syncs, key rotation). Not a transaction-scoped
    // lock either: the "refresh began" mark must be committed before the provider call, so a kill -9
    // during the call leaves it behind. A killed process's connection closes, which frees the lock.
    const lock = db.createQueryRunner();
    await lock.connect();
    try {
      await acquireHeartbeating(lock, accountId);
      const account = await load(accountId, lock);
      // Another refresh (or a reconnect) stored a new token while this one waited: that is the answer.
      if (account.accessTokenEnc !== requested.accessTokenEnc) return stored(account);
      return await refreshLocked(lock, account);
    } finally {
      try {
        await lock.query('SELECT pg_advisory_unlock($1, $2)', [REFRESH_LOCK, accountId]);
        await lock.release();
      } catch (error) {
        // A connection that may still hold the lock is never handed back to the pool.
        await (lock as QueryRunner & { releasePostgresConnection(err: unknown): Promise<void> }).releasePostgresConnection(error);
      }
    }
  };

  async function refreshLocked(lock: QueryRunner, account: SocialAccount): Promise<{ tokenExpiresAt: string | null }> {
    const { id: accountId, platform } = account;
    const provider = providers.get(platform);
    const refreshToken = keyring.decryptOptional(account.refreshTokenEnc);
    if (!provider?.refresh || !refreshToken) {
      throw ApplicationFailure.nonRetryable(`No refresh token is stored for this ${platform} account.`, 'ProviderRejected');
    }
    const event = { event_type: 'token_refresh', platform, account_id: accountId, business_id: account.businessId };
    // A refresh that began and never ended was cut short, most likely during the provider call.
    const interruptedAt = account.refreshStartedAt && !account.refreshFinishedAt ? account.refreshStartedAt : null;
    await lock.query(
      'UPDATE social_accounts SET refresh_started_at = now(), refresh_finished_at = NULL, refresh_outcome = NULL WHERE id = $1',
      [accountId],
    );
    let fresh: TokenSet;
    try {
      fresh = await provider.refresh(refreshToken);
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'grant_dead') {
        // A refused token that is no longer the stored one lost a race (a concurrent refresh or a
        // reconnect): the grant is alive, and the stored pair is the answer.
        const now = await load(accountId, lock);
        if (now.refreshTokenEnc !== account.refreshTokenEnc) {
          await finish(lock, accountId, 'race');
          activityLog().info('token refresh lost a race; the stored token is newer', { ...event, outcome: 'race' });
          return stored(now);
        }
        await finish(lock, accountId, 'grant_dead');
        if (interruptedAt) {
          const name = platformMetadata(platform)?.displayName ?? platform;
          error.message =
            `The previous refresh was interrupted during the provider call at ${interruptedAt.toISOString()}; ` +
            `${name} may have rotated the token. ${error.message}`;
        }
      } else if (interruptedAt) {
        // This attempt settled nothing (the provider refused or failed it), so the cut one stays on record:
        // the next refresh that meets a dead grant still says the token may have been rotated then.
        await lock
          .query("UPDATE social_accounts SET refresh_started_at = $2, refresh_outcome = 'failed' WHERE id = $1", [accountId, interruptedAt])
          .catch(() => undefined);
      } else {
        await finish(lock, accountId, 'failed').catch(() => undefined);
      }
      const failure = activityFailure(error);
      workerMetrics.tokenRefresh(platform, 'failed');
      activityLog().warn('token refresh failed', { ...event, outcome: 'failed', ...failureFields(failure) });
      throw failure;
    }
    // The provider has already retired the old refresh token: losing this write would lose the grant.
    const written = await storeUntilDeadline(lock, account, fresh);
    workerMetrics.tokenRefresh(platform, 'success');
    appCredentialsAccepted(platform);
    activityLog().info('access token refreshed', {
      ...event,
      outcome: written ? 'success' : 'race',
      expires_at: fresh.expiresAt?.toISOString() ?? null,
      refresh_token_rotated: fresh.refreshToken !== null,
    });
    return written ? { tokenExpiresAt: fresh.expiresAt?.toISOString() ?? null } : stored(await load(accountId, lock));
  }

  /** Waits for the account's refresh lock, heartbeating, so a long wait is not taken for a dead worker. */
  async function acquireHeartbeating(lock: QueryRunner, accountId: number): Promise<void> {
    for (;;) {
      Context.current().heartbeat();
      const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [REFRESH_LOCK, accountId])) as [
        { locked: boolean },
      ];
      if (locked) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Stores the new pair if the refresh token is still the one this refresh used (compare-and-set), and
   * retries through database trouble with heartbeats until the activity's start-to-close deadline. On
   * the lock's connection while it works, on pooled connections once it broke. False: someone else
   * changed the token meanwhile, and theirs is kept.
   */
  async function storeUntilDeadline(lock: QueryRunner, account: SocialAccount, fresh: TokenSet): Promise<boolean> {
    const info = Context.current().info;
    const deadline = info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs;
    const params = [
      account.id,
      keyring.encrypt(fresh.accessToken),
      keyring.encryptOptional(fresh.refreshToken),
      fresh.expiresAt,
      fresh.refreshTokenExpiresAt,
      account.refreshTokenEnc,
    ];
    let onLock = true;
    for (let attempt = 1; ; attempt++) {
      Context.current().heartbeat();
      try {
        const [, count] = (await (onLock ? lock : db).query(
          `UPDATE social_accounts SET access_token_enc = $2,
             refresh_token_enc = COALESCE($3, refresh_token_enc), token_expires_at = $4,
             refresh_token_expires_at = COALESCE($5, refresh_token_expires_at),
             status = 'active', status_message = NULL, updated_at = now(),
             refresh_finished_at = now(), refresh_outcome = 'success'
           WHERE id = $1 AND refresh_token_enc IS NOT DISTINCT FROM $6`,
          params,
        )) as [unknown, number];
        if (count === 0) await finish(onLock ? lock : db, account.id, 'race');
        return count > 0;
      } catch (error) {
        if (Date.now() + 1000 > deadline) throw error;
        activityLog().warn('storing refreshed tokens failed; retrying', {
          event_type: 'token_refresh',
          account_id: account.id,
          attempt,
          ...failureFields(error),
        });
        onLock = false; // the lock's connection may be the broken part
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 2_000)));
      }
    }
  }

  async function finish(runner: QueryRunner | DataSource, accountId: number, outcome: RefreshOutcome): Promise<void> {
    await runner.query('UPDATE social_accounts SET refresh_finished_at = now(), refresh_outcome = $2 WHERE id = $1', [accountId, outcome]);
  }
}
