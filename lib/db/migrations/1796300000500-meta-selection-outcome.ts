import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A Meta Page pick records its outcome on the pending row (and drops the user token) instead of
 * deleting it, in the transaction that stores the accounts: a retry after a lost completion (a worker
 * killed right after the commit) returns the same accounts, so their workflows are still started.
 */
export class MetaSelectionOutcome1796300000500 implements MigrationInterface {
  name = 'MetaSelectionOutcome1796300000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pending_connections ALTER COLUMN user_token_enc DROP NOT NULL, ADD COLUMN outcome jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM pending_connections WHERE outcome IS NOT NULL`);
    await q.query(`ALTER TABLE pending_connections DROP COLUMN outcome, ALTER COLUMN user_token_enc SET NOT NULL`);
  }
}
