import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * X threads (issue 11 item 4): a target's further tweets, published as replies after the first. The
 * tweet ids are journaled in `provider_state` (key `tweets`) like every other provider id.
 */
export class PostThreads1796300000710 implements MigrationInterface {
  name = 'PostThreads1796300000710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE post_targets ADD COLUMN thread jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE post_targets DROP COLUMN thread`);
  }
}
