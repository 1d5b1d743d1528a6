import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes so that every dashboard read costs what its business (or account) holds, not what the
 * database holds: the metrics timeseries (per business and posting day) and the sync-progress
 * estimate (an account's recent successful runs), which both scanned their whole table.
 */
export class DashboardIndexes1796186002001 implements MigrationInterface {
  name = 'DashboardIndexes1796186002001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ix_post_metrics_business_posted ON post_metrics (business_id, posted_at);
      CREATE INDEX ix_sync_runs_account_started ON sync_runs (account_id, started_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_post_metrics_business_posted, ix_sync_runs_account_started`);
  }
}
