import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account workflow's visible state, one row per account, written by the workflow whenever that
 * state changes (issue 12 item 1, decision 014): the dashboard's lists read it in one query instead of
 * querying every account's workflow. `observed_at` is the workflow's clock when it saw the state; a
 * write older than the stored one is ignored, so a retried write can never move the row back.
 */
export class AccountSyncState1796300000300 implements MigrationInterface {
  name = 'AccountSyncState1796300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_sync_state (
        account_id int PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        status text NOT NULL,
        status_message text,
        warning text,
        token_expires_at timestamptz,
        can_refresh boolean NOT NULL DEFAULT false,
        next_refresh_at timestamptz,
        next_sync_at timestamptz,
        last_sync jsonb,
        current_job_id text,
        current_job_trigger text,
        current_job_started_at timestamptz,
        observed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_account_sync_state_business ON account_sync_state (business_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_sync_state`);
  }
}
