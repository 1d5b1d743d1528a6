import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tokens an OAuth callback's code was exchanged for, kept (encrypted) with the state until the
 * connect finishes: a retry after a failed profile call resumes from them instead of sending the
 * single-use code again.
 */
export class ConnectTokens1796200000001 implements MigrationInterface {
  name = 'ConnectTokens1796200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE oauth_states ADD COLUMN tokens_enc text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE oauth_states DROP COLUMN tokens_enc`);
  }
}
