// Every query the dashboard's reads send costs what one business holds: the test fills the database
// with many businesses, drives the dashboard's endpoints over HTTP while recording the SQL TypeORM
// sends, then EXPLAINs each SELECT and fails on a sequential scan of a large table. It asks the real
// planner with real statistics (ANALYZE) rather than forcing plans with `enable_seqscan = off`, which
// would hide a missing index behind a costly full-index scan.
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../lib/db/data-source.js';
import { seedDemo } from '../lib/db/seed.js';
import { capturingLogger, createTestDatabase, testConfig, testTemporalClient } from '../test/support/env.js';
import { createApp } from './app.js';

/** A table this big is "large": a sequential scan of it is a cost that grows with the whole database. */
const LARGE_TABLE_ROWS = 1_000;
const BUSINESSES = 400;

let db: DataSource;
let recording: DataSource;
let temporal: Client;
let server: Server;
let base: string;
let businessId: number;
const sent: { sql: string; parameters: unknown[] }[] = [];

const recorder: TypeOrmLogger = {
  logQuery: (sql, parameters) => void sent.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] }),
  logQueryError: () => {},
  logQuerySlow: () => {},
  logSchemaBuild: () => {},
  logMigration: () => {},
  log: () => {},
};

beforeAll(async () => {
  let url: string;
  ({ db, url } = await createTestDatabase());
  ({ businessId } = await seedDemo(db, { email: 'owner@example.com', password: 'owner-password', businessName: 'Acme' }));
  // Test data in bulk: 400 businesses of 2 accounts, each account with 100 posts and 20 sync runs.
  await db.query(`INSERT INTO businesses (name) SELECT 'business ' || g FROM generate_series(1, $1) g`, [BUSINESSES - 1]);
  await db.query(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, status, last_sync_at, last_sync_status)
     SELECT b.id, p, b.id || '-' || p, 'user' || b.id, 'active', now(), 'success'
     FROM businesses b, unnest(array['twitter', 'linkedin']) p`,
  );
  await db.query(
    `INSERT INTO post_metrics (account_id, business_id, platform, external_post_id, posted_at, impressions, engagements, fetched_at)
     SELECT a.id, a.business_id, a.platform, 'post-' || g, now() - g * interval '7 hours', g * 10, g, now()
     FROM social_accounts a, generate_series(1, 100) g`,
  );
  await db.query(
    `INSERT INTO sync_runs (job_id, account_id, business_id, platform, trigger, status, started_at, finished_at, posts_synced)
     SELECT 'account:' || a.id || ':sync:0123abcd:' || g, a.id, a.business_id, a.platform, 'schedule', 'success',
            now() - g * interval '15 minutes', now() - g * interval '15 minutes' + interval '4 seconds', 100
     FROM social_accounts a, generate_series(1, 20) g`,
  );
  await db.query('ANALYZE');

  recording = new DataSource({ ...createDataSource(url).options, logger: recorder });
  await recording.initialize();
  temporal = await testTemporalClient();
  const app = createApp({
    db: recording,
    temporal,
    config: testConfig(),
    logger: capturingLogger('api').logger,
    rateLimits: { loginPerMinute: 100, oauthPerMinute: 1000 },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await temporal?.connection.close();
  await recording?.destroy();
  await db?.destroy();
});

/** The large tables a query's plan reads in full. */
async function seqScansOfLargeTables(sql: string, parameters: unknown[]): Promise<string[]> {
  const [explained] = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
  const scanned: string[] = [];
  const walk = (node: PlanNode) => {
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) scanned.push(node['Relation Name']);
    node.Plans?.forEach(walk);
  };
  walk(explained!['QUERY PLAN'][0].Plan);
  if (scanned.length === 0) return [];
  const large = await db.query<{ relname: string }[]>(
    `SELECT relname FROM pg_class WHERE relname = ANY($1) AND relkind = 'r' AND reltuples > $2`,
    [scanned, LARGE_TABLE_ROWS],
  );
  return large.map((r) => r.relname);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

describe('dashboard queries', () => {
  it('read only what the asking business holds, whatever the database holds', async () => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'owner-password' }),
    });
    const { token } = await login.json();
    const get = async (path: string) => {
      const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(200);
      return res.json();
    };
    const [{ job_id: jobId }] = await db.query<[{ job_id: string }]>(
      `SELECT job_id FROM sync_runs WHERE business_id = $1 ORDER BY started_at DESC LIMIT 1`,
      [businessId],
    );

    sent.length = 0;
    // What the dashboard's pages read (web/app/endpoints.server.ts).
    await get('/auth/me');
    await get(`/oauth/twitter/status?business_id=${businessId}`);
    const status = await get(`/analytics/sync-status/${businessId}`);
    expect(status.connected_accounts).toBe(2);
    const history = await get(`/analytics/sync-history/${businessId}?limit=10`);
    expect(history.total_syncs).toBe(40);
    const progress = await get(`/analytics/sync-progress/${jobId}`);
    expect(progress.status).toBe('completed');
    const series = await get(`/analytics/timeseries/${businessId}?days=30`);
    expect(series.points.length).toBeGreaterThan(0);

    const selects = sent.filter((q) => /^\s*SELECT/i.test(q.sql));
    expect(selects.length).toBeGreaterThanOrEqual(8);
    const scans = await Promise.all(selects.map(async (q) => ({ sql: q.sql, tables: await seqScansOfLargeTables(q.sql, q.parameters) })));
    expect(scans.filter((s) => s.tables.length > 0)).toEqual([]);
  });

  it('reports a sequential scan of a large table', async () => {
    expect(await seqScansOfLargeTables('SELECT count(*) FROM post_metrics WHERE clicks = $1', [3])).toEqual(['post_metrics']);
    // A small table read in full is no finding.
    expect(await seqScansOfLargeTables('SELECT * FROM users', [])).toEqual([]);
  });
});
