import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1732400000000 implements MigrationInterface {
  name = 'Initial1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        email text NOT NULL UNIQUE,
        name text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE businesses (
        id serial PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE memberships (
        user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, business_id)
      );
      CREATE TABLE sessions (
        id serial PRIMARY KEY,
        user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_sessions_expires ON sessions (expires_at);
      CREATE TABLE oauth_states (
        id serial PRIMARY KEY,
        state_hash text NOT NULL UNIQUE,
        user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        platform text NOT NULL,
        code_verifier_enc text,
        redirect_uri text NOT NULL,
        -- Set when the callback consumes the state: the code waits here, encrypted, for the activity.
        consumed_at timestamptz,
        code_enc text,
        -- What the exchange produced (account ids, never tokens), so a retried activity answers the same.
        outcome jsonb,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_oauth_states_expires ON oauth_states (expires_at);
      CREATE TABLE social_accounts (
        id serial PRIMARY KEY,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        platform text NOT NULL CHECK (platform IN ('linkedin', 'twitter', 'meta', 'instagram')),
        external_id text NOT NULL,
        username text,
        display_name text,
        avatar_url text,
        status text NOT NULL DEFAULT 'connecting',
        status_message text,
        access_token_enc text,
        refresh_token_enc text,
        token_expires_at timestamptz,
        refresh_token_expires_at timestamptz,
        scopes text,
        -- Meta: the long-lived user token a Page token came from (to revoke the grant).
        user_token_enc text,
        metadata jsonb NOT NULL DEFAULT '{}',
        parent_account_id int REFERENCES social_accounts(id) ON DELETE SET NULL,
        last_sync_at timestamptz,
        last_sync_status text,
        connected_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_social_accounts_external UNIQUE (business_id, platform, external_id)
      );
      -- A Meta login waiting for the user to pick which Pages / Instagram accounts to connect.
      CREATE TABLE pending_connections (
        id serial PRIMARY KEY,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        platform text NOT NULL,
        user_token_enc text NOT NULL,
        choices jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sync_runs (
        id serial PRIMARY KEY,
        job_id text NOT NULL UNIQUE,
        account_id int NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        platform text NOT NULL,
        trigger text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        posts_synced int NOT NULL DEFAULT 0,
        impressions bigint NOT NULL DEFAULT 0,
        engagements bigint NOT NULL DEFAULT 0,
        engagement_rate double precision NOT NULL DEFAULT 0,
        error_message text,
        -- Live progress of a running sync, written by the activity as it pages.
        progress_step text,
        progress_done int NOT NULL DEFAULT 0,
        progress_total int
      );
      CREATE INDEX ix_sync_runs_business_started ON sync_runs (business_id, started_at DESC);
      CREATE TABLE post_metrics (
        id serial PRIMARY KEY,
        account_id int NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
        business_id int NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
        platform text NOT NULL,
        external_post_id text NOT NULL,
        posted_at timestamptz,
        text text,
        impressions bigint NOT NULL DEFAULT 0,
        likes bigint NOT NULL DEFAULT 0,
        comments bigint NOT NULL DEFAULT 0,
        shares bigint NOT NULL DEFAULT 0,
        clicks bigint NOT NULL DEFAULT 0,
        engagements bigint NOT NULL DEFAULT 0,
        fetched_at timestamptz NOT NULL,
        CONSTRAINT uq_post_metrics_post UNIQUE (account_id, external_post_id)
      );
      -- rate-limiter-flexible's Postgres store: counters shared by every API process.
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits, post_metrics, sync_runs, pending_connections, social_accounts, oauth_states, sessions,
      memberships, businesses, users`);
  }
}
