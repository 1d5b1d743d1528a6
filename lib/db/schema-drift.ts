// Compares what the entities say about the schema with what the migrations built, read from the
// Postgres catalog. Migrations are the truth (the database is never `synchronize`d), so an entity that
// drifts from them reads or writes columns that do not exist, or silently ignores ones that do.
import type { DataSource, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/** Tables the migrations create that no entity maps, each with the reason. */
const TABLES_WITHOUT_ENTITY: Record<string, string> = {
  rate_limits: "rate-limiter-flexible's Postgres store: only that library reads and writes it",
};

interface CatalogColumn {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
  default: string | null;
}
interface CatalogKey {
  table: string;
  name: string;
  kind: 'primary' | 'unique' | 'index';
  columns: string[];
}

/** One line per difference, e.g. `oauth_states.outcome: in the table, not in the entity`; empty when they agree. */
export async function schemaDrift(db: DataSource, entities: readonly EntityMetadata[] = db.entityMetadatas): Promise<string[]> {
  const { columns, keys, foreignKeys } = await readCatalog(db);
  const ignored = new Set([...Object.keys(TABLES_WITHOUT_ENTITY), migrationsTable(db)]);
  const drift: string[] = [];
  const mapped = new Set(entities.map((e) => e.tableName));

  for (const table of new Set(columns.map((c) => c.table))) {
    if (!mapped.has(table) && !ignored.has(table)) drift.push(`${table}: a table no entity maps`);
  }
  for (const entity of entities) {
    const table = entity.tableName;
    const actual = new Map(columns.filter((c) => c.table === table).map((c) => [c.column, c]));
    if (actual.size === 0) {
      drift.push(`${table}: the entity ${entity.name} maps a table the migrations do not create`);
      continue;
    }
    for (const column of entity.columns) {
      const name = column.databaseName;
      const found = actual.get(name);
      actual.delete(name);
      if (!found) {
        drift.push(`${table}.${name}: in the entity, not in the table`);
        continue;
      }
      const type = column.isArray ? 'ARRAY' : db.driver.normalizeType(column); // information_schema names every array ARRAY
      if (type !== found.type) drift.push(`${table}.${name}: type ${type} in the entity, ${found.type} in the table`);
      if (column.isNullable !== found.nullable) {
        drift.push(
          `${table}.${name}: ${column.isNullable ? 'nullable' : 'NOT NULL'} in the entity, ${found.nullable ? 'nullable' : 'NOT NULL'} in the table`,
        );
      }
      const expected = entityDefault(column);
      const present = catalogDefault(found.default);
      if (expected !== present)
        drift.push(`${table}.${name}: default ${expected ?? 'none'} in the entity, ${present ?? 'none'} in the table`);
    }
    for (const name of actual.keys()) drift.push(`${table}.${name}: in the table, not in the entity`);

    const want = entityKeys(entity);
    const have = keys.filter((k) => k.table === table);
    for (const key of want) {
      const match = have.find((k) => k.kind === key.kind && sameColumns(k.columns, key.columns) && (!key.name || k.name === key.name));
      if (!match) drift.push(`${table}: ${describe(key)} in the entity, not in the table`);
    }
    for (const key of have) {
      const match = want.find((k) => k.kind === key.kind && sameColumns(k.columns, key.columns) && (!k.name || k.name === key.name));
      if (!match) drift.push(`${table}: ${describe(key)} in the table, not in the entity`);
    }

    const declared = entity.foreignKeys.map(
      (fk) =>
        `${fk.columns.map((c) => c.databaseName).join(', ')} -> ${fk.referencedTablePath}(${fk.referencedColumns.map((c) => c.databaseName).join(', ')}) ON DELETE ${fk.onDelete ?? 'NO ACTION'}`,
    );
    const existing = foreignKeys.filter((fk) => fk.table === table).map((fk) => fk.definition);
    for (const fk of declared) if (!existing.includes(fk)) drift.push(`${table}: foreign key ${fk} in the entity, not in the table`);
    for (const fk of existing) if (!declared.includes(fk)) drift.push(`${table}: foreign key ${fk} in the table, not in the entity`);
  }
  return drift;
}

function migrationsTable(db: DataSource): string {
  return db.options.migrationsTableName ?? 'migrations';
}

const describe = (key: Omit<CatalogKey, 'table'>) => `${key.kind}${key.name ? ` ${key.name}` : ''} (${key.columns.join(', ')})`;
const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((c, i) => c === b[i]);

/** The keys an entity declares. Unnamed ones (a column's `unique: true`) match whichever name Postgres gave. */
function entityKeys(entity: EntityMetadata): Omit<CatalogKey, 'table'>[] {
  return [
    { kind: 'primary', name: '', columns: entity.primaryColumns.map((c) => c.databaseName) },
    ...entity.uniques.map((u) => ({ kind: 'unique' as const, name: u.givenName ?? '', columns: u.columns.map((c) => c.databaseName) })),
    ...entity.indices.map((i) => ({
      kind: i.isUnique ? ('unique' as const) : ('index' as const),
      name: i.givenName ?? '',
      columns: i.columns.map((c) => c.databaseName),
    })),
  ];
}

/** The default the entity expects Postgres to fill in, in the catalog's spelling without casts. */
function entityDefault(column: ColumnMetadata): string | undefined {
  if (column.generationStrategy === 'increment') return 'sequence';
  // A function default is an SQL expression (`() => 'now()'`); anything else a literal.
  if (typeof column.default === 'function') return String(column.default());
  const value: unknown = column.default;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`;
  return String(value);
}

/** `'member'::text` -> `'member'`, `'{}'::integer[]` -> `'{}'`, `nextval('users_id_seq'::regclass)` -> `sequence`. */
function catalogDefault(value: string | null): string | undefined {
  if (value === null) return undefined;
  if (value.startsWith('nextval(')) return 'sequence';
  return value.replace(/::[a-z ]+(\[\])?$/, '');
}

interface CatalogForeignKey {
  table: string;
  definition: string;
}

interface IndexRow {
  table: string;
  name: string;
  kind: 'p' | 'u' | 'i';
  columns: string[];
}

async function readCatalog(db: DataSource): Promise<{ columns: CatalogColumn[]; keys: CatalogKey[]; foreignKeys: CatalogForeignKey[] }> {
  // Catalog reads have no entity: raw SQL with typed rows.
  const columns = await db.query<CatalogColumn[]>(
    `SELECT table_name AS "table", column_name AS "column", data_type AS "type", is_nullable = 'YES' AS nullable,
            column_default AS "default"
     FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  // Every index of the schema: a primary key's, a unique constraint's (kind p / u), or a plain one (i).
  const indexes = await db.query<IndexRow[]>(
    `SELECT t.relname AS "table", i.relname AS name,
            CASE WHEN x.indisprimary THEN 'p' WHEN x.indisunique THEN 'u' ELSE 'i' END AS kind,
            array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE s.nspname = current_schema()`,
  );
  // Foreign keys in the entities' spelling: `user_id -> users(id) ON DELETE CASCADE`.
  const foreignKeys = await db.query<CatalogForeignKey[]>(
    `SELECT t.relname AS "table",
            (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
            || ' -> ' || r.relname || '('
            || (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum)
            || ') ON DELETE '
            || CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT'
                                  WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS definition
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE c.contype = 'f' AND s.nspname = current_schema()`,
  );
  const kinds = { p: 'primary', u: 'unique', i: 'index' } as const;
  return {
    columns,
    foreignKeys,
    keys: indexes.map((row) => ({
      table: row.table,
      // Postgres names a primary key <table>_pkey; the entity never names it.
      name: row.kind === 'p' ? '' : row.name,
      kind: kinds[row.kind],
      columns: row.columns,
    })),
  };
}
