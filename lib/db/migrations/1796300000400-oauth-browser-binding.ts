import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SHA-256 of the secret the browser that started an OAuth flow holds in an HttpOnly cookie: the
 * callback is accepted only with it (RFC 9700, section 4.7.1; decision 015). Nullable because states made
 * before this column existed have none; the callback refuses those, so they can only expire.
 */
export class OAuthBrowserBinding1796300000400 implements MigrationInterface {
  name = 'OAuthBrowserBinding1796300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE oauth_states ADD COLUMN browser_binding_hash text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE oauth_states DROP COLUMN browser_binding_hash`);
  }
}
