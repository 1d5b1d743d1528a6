import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which platforms exist is the provider registry's to say (providers/registry.ts), so a new platform is
 * a folder and a registry line, not a schema change: the initial CHECK on social_accounts.platform goes.
 */
export class PlatformsFromRegistry1796190000000 implements MigrationInterface {
  name = 'PlatformsFromRegistry1796190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE social_accounts DROP CONSTRAINT IF EXISTS social_accounts_platform_check');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE social_accounts ADD CONSTRAINT social_accounts_platform_check CHECK (platform IN ('linkedin', 'twitter', 'meta', 'instagram'))`,
    );
  }
}
