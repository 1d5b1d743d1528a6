import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental sync (issue 12 item 3, decision 018): each account's sync cursor, the newest post a sync
 * has stored and when the last full rescan finished, so a scheduled sync reads only what can have
 * changed; and whether a sync run was a full rescan, so its history and the ETA compare like with like.
 */
export class SyncCursors1796300000600 implements MigrationInterface {
  name = 'SyncCursors1796300000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sync_cursors (
        account_id int PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
        newest_post_id text,
        newest_post_at timestamptz,
        full_rescan_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE sync_runs ADD COLUMN full_rescan boolean NOT NULL DEFAULT true;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs DROP COLUMN full_rescan; DROP TABLE sync_cursors`);
  }
}
