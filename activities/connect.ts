// Connecting accounts: the OAuth code exchange and the Meta page pick run here, in activities, so they
// are retried durably and visible to operators. Codes, verifiers and tokens are read from and written
// to Postgres (encrypted) and never returned: results carry ids and names only.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { DataSource, EntityManager } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import type { MetaChoice } from '../lib/db/entities.js';
import type { Platform } from '../lib/domain.js';
import { ensureAccountWorkflow } from '../lib/account-workflows.js';
import { activityLog, workerMetrics } from '../lib/activity-telemetry.js';
import { appCredentialsAccepted } from '../lib/sentry.js';
import type { DiscoveredAccount, Profile, Provider, TokenSet } from '../providers/contract.js';
import { platformMetadata, type Providers } from '../providers/registry.js';
import { activityFailure, failureFields, notConfigured } from './failures.js';

export interface ConnectedAccount {
  id: number;
  businessId: number;
  platform: Platform;
  username: string | null;
  /** True when this external account was already connected to the business (a reconnect). */
  reconnected: boolean;
}

export interface ConnectOutcome {
  platform: Platform;
  businessId: number;
  accounts: ConnectedAccount[];
  /** Meta: the Pages (and Instagram accounts) the user may pick from. */
  pending?: { id: number; choices: MetaChoice[] };
}

export interface ConnectDeps {
  db: DataSource;
  keyring: Keyring;
  providers: Providers;
  temporal: Client;
  taskQueue: string;
}

const PENDING_TTL_MS = 30 * 60_000;

interface ConsumedStateRow {
  id: number;
  user_id: number;
  business_id: number;
  platform: Platform;
  code_enc: string | null;
  code_verifier_enc: string | null;
  tokens_enc: string | null;
  redirect_uri: string;
  outcome: ConnectOutcome | null;
}

export function connectActivities(deps: ConnectDeps) {
  const { db, keyring, providers } = deps;

  /**
   * The code is single-use: its tokens are stored with the state right after the exchange, and a retry
   * (after a failed profile call, say) resumes from them instead of sending the code again.
   */
  async function exchangeOnce(provider: Provider, state: ConsumedStateRow): Promise<TokenSet> {
    if (state.tokens_enc) return tokensFromJson(keyring.decrypt(state.tokens_enc));
    if (!state.code_enc) throw ApplicationFailure.nonRetryable('The authorization code is gone.', 'StateGone');
    const tokens = await provider.exchangeCode(
      keyring.decrypt(state.code_enc),
      keyring.decryptOptional(state.code_verifier_enc),
      state.redirect_uri,
    );
    await db.query('UPDATE oauth_states SET tokens_enc = $2, code_enc = NULL, code_verifier_enc = NULL WHERE id = $1', [
      state.id,
      keyring.encrypt(JSON.stringify(tokens)),
    ]);
    return tokens;
  }

  return {
    /** Exchanges the code parked on a consumed OAuth state and stores the account(s) it grants. */
    async exchangeAuthorizationCode(oauthStateId: number): Promise<ConnectOutcome> {
      // Raw SQL: the OAuthState entity does not map the outcome column yet.
      const [state] = await db.query<ConsumedStateRow[]>(
        `SELECT id, user_id, business_id, platform, code_enc, code_verifier_enc, tokens_enc, redirect_uri, outcome
         FROM oauth_states WHERE id = $1 AND consumed_at IS NOT NULL`,
        [oauthStateId],
      );
      if (!state) throw ApplicationFailure.nonRetryable('The OAuth state is gone.', 'StateGone');
      if (state.outcome) return state.outcome; // a retry after the work was done
      const platform = state.platform;
      const logFields = {
        event_type: 'oauth_token_exchange',
        platform,
        business_id: state.business_id,
        user_id: state.user_id,
        oauth_state_id: state.id,
      };
      try {
        const provider = providers.get(platform);
        if (!provider) throw notConfigured(platform);
        const tokens = await exchangeOnce(provider, state);
        const discovery = await heartbeating(() => provider.discover(tokens));
        let outcome: ConnectOutcome;
        if (discovery.kind === 'choose') {
          const [pending] = await db.query<{ id: number }[]>(
            `INSERT INTO pending_connections (business_id, user_id, platform, user_token_enc, choices, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
            [
              state.business_id,
              state.user_id,
              platform,
              keyring.encrypt(discovery.userToken.accessToken),
              JSON.stringify(discovery.choices),
              new Date(Date.now() + PENDING_TTL_MS),
            ],
          );
          outcome = { platform, businessId: state.business_id, accounts: [], pending: { id: pending!.id, choices: discovery.choices } };
          await finishState(db, state.id, outcome);
        } else {
          outcome = await db.transaction(async (tx) => {
            const result = {
              platform,
              businessId: state.business_id,
              accounts: await storeAccounts(tx, keyring, state.business_id, discovery.accounts),
            };
            await finishState(tx, state.id, result);
            return result;
          });
        }
        workerMetrics.tokenExchange(platform, 'success');
        appCredentialsAccepted(platform);
        activityLog().info('authorization code exchanged', {
          ...logFields,
          outcome: 'success',
          account_ids: outcome.accounts.map((a) => a.id),
          pending_selection: outcome.pending ? outcome.pending.id : null,
        });
        return outcome;
      } catch (error) {
        const failure = activityFailure(error);
        workerMetrics.tokenExchange(platform, 'failed');
        activityLog().warn('authorization code exchange failed', { ...logFields, outcome: 'failed', ...failureFields(failure) });
        throw failure;
      }
    },

    /** Connects the Pages and Instagram accounts the user picked after Meta consent. */
    async connectMetaSelection(input: {
      pendingId: number;
      businessId: number;
      userId: number;
      pageIds: string[];
      instagramIds: string[];
    }): Promise<ConnectOutcome> {
      const [pending] = await db.query<{ id: number; platform: Platform; user_token_enc: string | null; outcome: ConnectOutcome | null }[]>(
        `SELECT id, platform, user_token_enc, outcome FROM pending_connections
         WHERE id = $1 AND business_id = $2 AND user_id = $3 AND expires_at > now()`,
        [input.pendingId, input.businessId, input.userId],
      );
      if (!pending) throw ApplicationFailure.nonRetryable('That Page selection has expired. Connect Meta again.', 'PendingGone');
      // Done before, and the answer lost (a worker killed after the commit): the same accounts again, so
      // the workflow goes on to start theirs.
      if (pending.outcome) return pending.outcome;
      const provider = providers.get(pending.platform);
      if (!provider?.selectAccounts) throw notConfigured(pending.platform);
      const userToken = keyring.decrypt(pending.user_token_enc!);
      const platform = platformMetadata(pending.platform)?.oauthApp ?? pending.platform;
      try {
        const picked = await heartbeating(() =>
          provider.selectAccounts!(userToken, { pageIds: input.pageIds, instagramIds: input.instagramIds }),
        );
        const outcome = await db.transaction(async (tx) => {
          const accounts = await storeAccounts(tx, keyring, input.businessId, picked, userToken);
          const done: ConnectOutcome = { platform, businessId: input.businessId, accounts };
          await tx.query('UPDATE pending_connections SET outcome = $2, user_token_enc = NULL WHERE id = $1', [input.pendingId, done]);
          return done;
        });
        activityLog().info('Meta pages connected', {
          event_type: 'meta_selection_connected',
          platform,
          business_id: input.businessId,
          user_id: input.userId,
          account_ids: outcome.accounts.map((a) => a.id),
        });
        return outcome;
      } catch (error) {
        throw activityFailure(error);
      }
    },

    /** Starts the account's workflow, or tells the running one its tokens were renewed. */
    async ensureAccountWorkflow(account: ConnectedAccount): Promise<void> {
      await ensureAccountWorkflow(deps.temporal, deps.taskQueue, account);
    },
  };
}

/**
 * Heartbeats while a discovery runs: a grant with many Pages takes many provider calls, and the
 * heartbeat timeout tells a slow discovery from a dead worker.
 */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return work(); // called directly, outside an activity (unit tests)
  }
  const beat = setInterval(() => context.heartbeat(), 5_000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

/**
 * Stores discovered accounts in order, linking each to a parent stored before it (an Instagram account to
 * its Page). Also the scale benchmark's seeding (bench/scale-seed.ts), so its accounts are stored as a connect stores them.
 */
export async function storeAccounts(
  tx: EntityManager,
  keyring: Keyring,
  businessId: number,
  discovered: DiscoveredAccount[],
  userToken?: string,
): Promise<ConnectedAccount[]> {
  const stored: ConnectedAccount[] = [];
  const idsByExternalId = new Map<string, number>();
  for (const account of discovered) {
    const parentAccountId = account.parentExternalId ? (idsByExternalId.get(account.parentExternalId) ?? null) : null;
    const connected = await upsertAccount(tx, keyring, {
      businessId,
      platform: account.platform,
      profile: account.profile,
      tokens: account.tokens,
      userToken,
      parentAccountId,
    });
    idsByExternalId.set(account.profile.externalId, connected.id);
    stored.push(connected);
  }
  return stored;
}

/** A TokenSet read back from its stored JSON (dates were written as ISO strings). */
function tokensFromJson(json: string): TokenSet {
  const stored = JSON.parse(json) as Omit<TokenSet, 'expiresAt' | 'refreshTokenExpiresAt'> & {
    expiresAt: string | null;
    refreshTokenExpiresAt: string | null;
  };
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return { ...stored, expiresAt: date(stored.expiresAt), refreshTokenExpiresAt: date(stored.refreshTokenExpiresAt) };
}

/** Clears the code, verifier and tokens from the consumed state and records what they produced. */
async function finishState(db: DataSource | EntityManager, stateId: number, outcome: ConnectOutcome): Promise<void> {
  await db.query('UPDATE oauth_states SET code_enc = NULL, code_verifier_enc = NULL, tokens_enc = NULL, outcome = $2 WHERE id = $1', [
    stateId,
    JSON.stringify(outcome),
  ]);
}

/**
 * Stores a connected account: new, or the same external account connected again (a reconnect), which
 * takes the new tokens but keeps a stored refresh token the provider did not send again.
 */
async function upsertAccount(
  tx: EntityManager,
  keyring: Keyring,
  input: {
    businessId: number;
    platform: Platform;
    profile: Profile;
    tokens: TokenSet;
    userToken?: string;
    parentAccountId?: number | null;
  },
): Promise<ConnectedAccount> {
  const { profile, tokens } = input;
  const [row] = await tx.query<{ id: number; username: string | null; reconnected: boolean }[]>(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, display_name, avatar_url, status, status_message,
       access_token_enc, refresh_token_enc, token_expires_at, refresh_token_expires_at, scopes, user_token_enc, metadata, parent_account_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', NULL, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (business_id, platform, external_id) DO UPDATE SET
       username = EXCLUDED.username, display_name = EXCLUDED.display_name, avatar_url = EXCLUDED.avatar_url,
       status = 'active', status_message = NULL,
       access_token_enc = EXCLUDED.access_token_enc,
       refresh_token_enc = COALESCE(EXCLUDED.refresh_token_enc, social_accounts.refresh_token_enc),
       token_expires_at = EXCLUDED.token_expires_at,
       refresh_token_expires_at = COALESCE(EXCLUDED.refresh_token_expires_at, social_accounts.refresh_token_expires_at),
       scopes = COALESCE(EXCLUDED.scopes, social_accounts.scopes),
       user_token_enc = COALESCE(EXCLUDED.user_token_enc, social_accounts.user_token_enc),
       metadata = social_accounts.metadata || EXCLUDED.metadata,
       parent_account_id = COALESCE(EXCLUDED.parent_account_id, social_accounts.parent_account_id),
       updated_at = now()
     RETURNING id, username, (xmax <> 0) AS reconnected`,
    [
      input.businessId,
      input.platform,
      profile.externalId,
      profile.username,
      profile.displayName,
      profile.avatarUrl,
      keyring.encrypt(tokens.accessToken),
      keyring.encryptOptional(tokens.refreshToken),
      tokens.expiresAt,
      tokens.refreshTokenExpiresAt,
      tokens.scopes,
      keyring.encryptOptional(input.userToken),
      JSON.stringify(profile.metadata ?? {}),
      input.parentAccountId ?? null,
    ],
  );
  if (row!.reconnected) {
    // The dashboard reads the projection (decision 014): a reconnect shows at once, not only when the
    // account's workflow has taken the signal and written. observed_at stays, so its next write still lands.
    await tx.query(
      `UPDATE account_sync_state SET status = CASE WHEN status = 'reconnect_required' THEN 'active' ELSE status END,
         status_message = CASE WHEN status = 'reconnect_required' THEN NULL ELSE status_message END,
         warning = NULL, token_expires_at = $2, updated_at = now()
       WHERE account_id = $1`,
      [row!.id, tokens.expiresAt],
    );
  }
  return { id: row!.id, businessId: input.businessId, platform: input.platform, username: row!.username, reconnected: row!.reconnected };
}
