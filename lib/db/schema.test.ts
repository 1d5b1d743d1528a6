// The entities describe exactly the schema the migrations build: an empty database, migrated, read
// back from the Postgres catalog and compared with TypeORM's entity metadata in both directions.
import { randomBytes } from 'node:crypto';
import { DataSource, EntitySchema } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDatabase } from '../../scripts/stack.js';
import { openDatabase } from './data-source.js';
import { OAuthStateEntity, SyncRunEntity, entities } from './entities.js';
import { schemaDrift } from './schema-drift.js';

let url: string;
let db: DataSource;

beforeAll(async () => {
  const target = new URL(inject('templateDatabaseUrl'));
  target.pathname = `/schema_${randomBytes(6).toString('hex')}`;
  url = target.toString();
  await ensureDatabase(url); // empty: this test runs the migrations itself
  db = await openDatabase(url, { migrate: true, poolSize: 2 });
});

afterAll(async () => {
  await db?.destroy();
});

describe('entities and migrations', () => {
  it('agree on every table, column, type, nullability, default, key, index and foreign key', async () => {
    expect(await schemaDrift(db)).toEqual([]);
  });

  it('reports drift in either direction', async () => {
    // The OAuth state as it was before the `outcome` column was mapped, with made-up changes on top.
    const { outcome: _outcome, redirectUri: _redirectUri, ...columns } = OAuthStateEntity.options.columns;
    const drifted = new EntitySchema({
      ...OAuthStateEntity.options,
      columns: {
        ...columns,
        redirectUri: { type: 'text', name: 'redirect_uri', nullable: true },
        platform: { type: 'int' },
        nickname: { type: 'text', nullable: true },
      },
      indices: [],
      // Deleting the user no longer cascades, and the business is not referenced at all.
      foreignKeys: [{ target: 'User', columnNames: ['userId'], referencedColumnNames: ['id'] }],
    });
    const unknownTable = new EntitySchema({ name: 'Ghost', tableName: 'ghosts', columns: { id: { type: 'int', primary: true } } });
    const source = new DataSource({
      type: 'postgres',
      url,
      entities: [...entities.filter((e) => e !== OAuthStateEntity && e !== SyncRunEntity), drifted, unknownTable],
    });
    await source.initialize();
    try {
      expect((await schemaDrift(source)).sort()).toEqual(
        [
          'ghosts: the entity Ghost maps a table the migrations do not create',
          'oauth_states.nickname: in the entity, not in the table',
          'oauth_states.outcome: in the table, not in the entity',
          'oauth_states.platform: type integer in the entity, text in the table',
          'oauth_states.redirect_uri: nullable in the entity, NOT NULL in the table',
          'oauth_states: index ix_oauth_states_expires (expires_at) in the table, not in the entity',
          'oauth_states: foreign key user_id -> users(id) ON DELETE NO ACTION in the entity, not in the table',
          'oauth_states: foreign key user_id -> users(id) ON DELETE CASCADE in the table, not in the entity',
          'oauth_states: foreign key business_id -> businesses(id) ON DELETE CASCADE in the table, not in the entity',
          'sync_runs: a table no entity maps',
        ].sort(),
      );
    } finally {
      await source.destroy();
    }
  });
});
