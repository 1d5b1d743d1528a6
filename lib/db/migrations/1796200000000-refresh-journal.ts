import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the last token refresh began and how it ended, so a refresh cut short (a kill -9 during the
 * provider call) is told apart from a grant the user revoked.
 */
export class RefreshJournal1796200000000 implements MigrationInterface {
  name = 'RefreshJournal1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE social_accounts ADD COLUMN refresh_started_at timestamptz NULL,
         ADD COLUMN refresh_finished_at timestamptz NULL, ADD COLUMN refresh_outcome text NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE social_accounts DROP COLUMN refresh_started_at, DROP COLUMN refresh_finished_at, DROP COLUMN refresh_outcome',
    );
  }
}
