import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Publishing (issue 11): a business's time zone, uploaded media, posts and one target per account.
 * A target is the unit of exactly-once: `attempt_started_at` is written before the provider's mutating
 * call, `provider_state` keeps each provider id as soon as it exists (uploaded media, an Instagram
 * container), and the result right after; a target whose outcome is unknown is `unconfirmed`.
 */
export class Publishing1796300000000 implements MigrationInterface {
  name = 'Publishing1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE businesses ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'`);
    await q.query(`
      CREATE TABLE media (
        id serial PRIMARY KEY,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        storage_key text NOT NULL UNIQUE,
        mime_type text NOT NULL,
        bytes int NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_media_business ON media (business_id);

      CREATE TABLE posts (
        id serial PRIMARY KEY,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        author_user_id int REFERENCES users(id) ON DELETE SET NULL,
        text text NOT NULL,
        media_ids int[] NOT NULL DEFAULT '{}',
        scheduled_at timestamptz,
        status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_posts_business_scheduled ON posts (business_id, scheduled_at);
      CREATE INDEX ix_posts_status_scheduled ON posts (status, scheduled_at);

      CREATE TABLE post_targets (
        id serial PRIMARY KEY,
        post_id int NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        account_id int NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        platform text NOT NULL,
        text text,
        status text NOT NULL,
        provider_post_id text,
        permalink text,
        error text,
        published_at timestamptz,
        attempt_started_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        provider_state jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_post_targets_post_account UNIQUE (post_id, account_id)
      );
      CREATE INDEX ix_post_targets_account ON post_targets (account_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE post_targets, posts, media`);
    await q.query(`ALTER TABLE businesses DROP COLUMN time_zone`);
  }
}
