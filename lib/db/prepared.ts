// Hot-path reads as named prepared statements (issue 12). Postgres parses and plans a named statement
// once per pooled connection; TypeORM's db.query sends unnamed ones, planned again on every call, and
// for sync-status that planning was most of the database's time per request.
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs `text` as the prepared statement `name` (one name per text, for the life of the process) on
 * the DataSource's pool; logged through its logger as db.query would be.
 */
export async function preparedQuery<T>(db: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  db.logger.logQuery(text, values);
  const pool = (db.driver as PostgresDriver).master as Pool;
  return (await pool.query({ name, text, values })).rows as T[];
}
