// What must hold after the fault suite's cycles, each a row of the table it prints: found against
// expected, from Postgres (the system of record), Temporal visibility and each live workflow's status query.
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { queryAccountStatus } from '../../lib/account-workflows.js';
import type { RefreshFacts } from './refresh-watch.js';

export interface CheckRow {
  check: string;
  expected: string;
  found: number;
  ok: boolean;
  detail?: string;
}

export interface SuiteFacts {
  db: DataSource;
  temporal: Client;
  /** External ids whose grants were revoked on purpose. */
  revokedExternalIds: string[];
  /** Every account a connect should have made (initial and during kills). */
  connectedExternalIds: { platform: string; id: string }[];
  /** X refreshes the worker was killed in (a kill inside X's token call may cost the grant). */
  killedInRefresh: { accountId: number; platform: string }[];
  faultsEndedAt: Date;
  refreshes: RefreshFacts;
  unexpectedExits: string[];
}

const INTERRUPTED = 'interrupted during the provider call';

interface AccountRow {
  id: number;
  platform: string;
  external_id: string;
  status: string;
  status_message: string | null;
}

export async function runChecks(facts: SuiteFacts): Promise<CheckRow[]> {
  const { db, temporal } = facts;
  const rows: CheckRow[] = [];
  const row = (check: string, expected: number | string, found: number, detail?: string, ok?: boolean) =>
    rows.push({
      check,
      expected: String(expected),
      found,
      ok: ok ?? found === expected,
      ...(detail ? { detail } : {}),
    });
  const accounts = await db.query<AccountRow[]>(
    'SELECT id, platform, external_id, status, status_message FROM social_accounts ORDER BY id',
  );
  const revoked = new Set(facts.revokedExternalIds);
  const killedX = new Set(facts.killedInRefresh.map((k) => k.accountId));

  const reconnect = accounts.filter((a) => a.status === 'reconnect_required' && !revoked.has(a.external_id));
  const cutInsideX = reconnect.filter((a) => killedX.has(a.id) && a.status_message?.includes(INTERRUPTED));
  const wrong = reconnect.filter((a) => !cutInsideX.includes(a));
  row('accounts wrongly in reconnect_required', 0, wrong.length, wrong.map(describe).join('; '));
  row(
    'X refresh cut by kill -9 inside the token call (counted apart)',
    `≤ ${facts.killedInRefresh.length}`,
    cutInsideX.length,
    cutInsideX.map(describe).join('; '),
    cutInsideX.length <= facts.killedInRefresh.length,
  );
  const revokedAlive = accounts.filter((a) => revoked.has(a.external_id) && a.status !== 'reconnect_required');
  row('revoked grants not (yet) reconnect_required', 0, revokedAlive.length, revokedAlive.map(describe).join('; '));

  const present = new Set(accounts.map((a) => `${a.platform === 'instagram' ? 'meta' : a.platform}:${a.external_id}`));
  const missing = facts.connectedExternalIds.filter((c) => !present.has(`${c.platform}:${c.id}`));
  row('connects that left no account', 0, missing.length, missing.map((m) => `${m.platform} ${m.id}`).join(', '));

  const broken: string[] = [];
  for await (const wf of temporal.workflow.list({
    query: 'ExecutionStatus = "Failed" OR ExecutionStatus = "Terminated" OR ExecutionStatus = "TimedOut"',
  })) {
    broken.push(`${wf.workflowId} ${wf.status.name}`);
  }
  row('failed, terminated or timed-out workflows', 0, broken.length, broken.join(', '));

  const [{ n: repeated }] = await db.query(
    `SELECT count(*)::int AS n FROM (SELECT account_id, split_part(job_id, ':', 5) FROM sync_runs GROUP BY 1, 2 HAVING count(*) > 1) d`,
  );
  const [{ n: overlapping }] = await db.query(
    `SELECT count(*)::int AS n FROM sync_runs a JOIN sync_runs b ON a.account_id = b.account_id AND a.id < b.id
      AND a.finished_at IS NOT NULL AND b.finished_at IS NOT NULL AND a.started_at < b.finished_at AND b.started_at < a.finished_at`,
  );
  row('duplicate sync runs (one job twice, or two at once)', 0, repeated + overlapping);
  const [{ n: stuck }] = await db.query(
    `SELECT count(*)::int AS n FROM sync_runs WHERE finished_at IS NULL AND started_at < now() - interval '5 minutes'`,
  );
  row('sync runs left running (over 5 minutes)', 0, stuck);
  const [{ n: dupMetrics }] = await db.query(
    `SELECT count(*)::int AS n FROM (SELECT account_id, external_post_id FROM post_metrics GROUP BY 1, 2 HAVING count(*) > 1) d`,
  );
  row('duplicate post metrics', 0, dupMetrics);

  const late = facts.refreshes.afterExpiry.filter((r) => !revokedIds(accounts, revoked).has(r.accountId));
  row(
    'refreshes begun after the token expired',
    0,
    late.length,
    late.map((r) => `account ${r.accountId} at ${r.startedAt.toISOString()} (expired ${r.expiredAt.toISOString()})`).join('; '),
  );
  const attempts = [...facts.refreshes.attempts.values()].reduce((a, b) => a + b, 0);
  row('refresh attempts seen (for scale)', '> 0', attempts, undefined, attempts > 0);

  const idle: string[] = [];
  for (const account of accounts.filter((a) => !['reconnect_required', 'disconnected'].includes(a.status))) {
    try {
      const status = await queryAccountStatus(temporal, account.id);
      if (!status.nextSyncAt && !status.currentSync) idle.push(`${account.id}: no next sync`);
      else if (status.canRefresh && !status.nextRefreshAt) idle.push(`${account.id}: no next refresh`);
    } catch (error) {
      idle.push(`${account.id}: ${(error as Error).message}`);
    }
  }
  row('live accounts with nothing scheduled next', 0, idle.length, idle.join('; '));

  const unsynced = await unsyncedLiveAccounts(db, facts.faultsEndedAt);
  row('live accounts with no successful sync after the faults', 0, unsynced.length, unsynced.join(', '));
  row('processes that died on their own', 0, facts.unexpectedExits.length, facts.unexpectedExits.join('; '));
  return rows;
}

/** Live accounts without a successful sync that finished after `since`. */
export async function unsyncedLiveAccounts(db: DataSource, since: Date): Promise<number[]> {
  const rows = await db.query<{ id: number }[]>(
    `SELECT a.id FROM social_accounts a WHERE a.status NOT IN ('reconnect_required', 'disconnected')
       AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.account_id = a.id AND r.status = 'success' AND r.finished_at > $1)`,
    [since],
  );
  return rows.map((r) => r.id);
}

function revokedIds(accounts: AccountRow[], revoked: Set<string>): Set<number> {
  return new Set(accounts.filter((a) => revoked.has(a.external_id)).map((a) => a.id));
}

function describe(a: AccountRow): string {
  return `${a.platform} account ${a.id}: ${a.status_message ?? '(no message)'}`;
}

/** The table, as printed and as pasted into docs/fault-suite.md. */
export function formatTable(rows: CheckRow[]): string {
  const lines = ['| check | expected | found | result |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.check} | ${r.expected} | ${r.found} | ${r.ok ? 'ok' : 'FAIL'} |`);
  const details = rows.filter((r) => r.detail).map((r) => `- ${r.check}: ${r.detail}`);
  return [...lines, ...(details.length ? ['', ...details] : [])].join('\n');
}
