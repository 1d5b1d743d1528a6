// The scale benchmark (issue 12 item 6). Seeds N accounts, half X and half LinkedIn, without a browser
// (bench/scale-seed.ts: sandbox-minted grants, then what a connect does after its callback), in
// businesses of 1, 4, 20 and 100 accounts (the rest in a filler business), lets every first sync finish,
// then measures side by side: the connect callback on a sample through the real OAuth flow; the floors
// (a Postgres point read, one Temporal query, /health); sync-status, sync-history, sync-progress and the
// dashboard's Connections page at 50 concurrent clients per business size, and the old way of
// sync-status (one Temporal query per account) for comparison; then a steady window with the scheduled
// syncs: their start lag, provider calls per sync, refresh lateness and refreshes after expiry, and the
// RSS and CPU of the worker, the Temporal dev server and Postgres. Everything listens on 127.0.0.1.
// Writes bench/results/scale-<date>-<N>.md. Knobs (bench/README.md): BENCH_ACCOUNTS, BENCH_SECONDS,
// BENCH_CLIENTS, BENCH_CONNECTS, BENCH_SEED_CONCURRENCY, BENCH_POSTS, BENCH_X_TOKEN_SECONDS,
// BENCH_SYNC_INTERVAL_SECONDS, BENCH_STEADY_SECONDS.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { queryAccountStatus } from '../lib/account-workflows.js';
import { BusinessEntity, MembershipEntity } from '../lib/db/entities.js';
import { RefreshWatch } from '../test/faults/refresh-watch.js';
import { TEST_KEYS } from '../test/support/env.js';
import { consentAt, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';
import { mintIdentities, seedAccounts, type SeedAccount, type SeedPlatform } from './scale-seed.js';
import {
  closedLoop,
  dashboardCookie,
  load,
  percentile,
  pool,
  postgresPid,
  startApiProcess,
  startDashboard,
  startWorkerProcess,
  stats,
  temporalPid,
  usage,
  type ProcessGroup,
  type Stats,
  type Usage,
} from './scale-support.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SIZES = [1, 4, 20, 100];
const TOTAL = Math.max(125, env('BENCH_ACCOUNTS', 125));
const SECONDS = env('BENCH_SECONDS', 10);
const CLIENTS = env('BENCH_CLIENTS', 50);
const CONNECTS = env('BENCH_CONNECTS', 200);
const CONNECT_CONCURRENCY = 8;
const SEED_CONCURRENCY = env('BENCH_SEED_CONCURRENCY', 32);
/** Seeded posts per X user and LinkedIn organization (the sandbox's default is 250 and 230). */
const POSTS = env('BENCH_POSTS', 50);
/** X access tokens live this long (7200 s at X). Seeded accounts' first tokens have lifetimes spread up to
 *  it, as if they had connected at random times before the run, so refreshes come at X's real steady rate
 *  (about N/2 per 6,600 s) from the start. */
const X_TOKEN_SECONDS = env('BENCH_X_TOKEN_SECONDS', 7200);
const INTERVAL = env('BENCH_SYNC_INTERVAL_SECONDS', 900);
const STEADY_SECONDS = env('BENCH_STEADY_SECONDS', 300);
/** The worker's SDK metrics (task slots, schedule-to-start latencies) on 127.0.0.1 at this port; off by default. */
const METRICS_PORT = process.env.BENCH_WORKER_METRICS_PORT ?? '0';

let system: TestSystem | undefined;
const children: ChildProcess[] = [];
let refreshes: RefreshWatch | undefined;

afterAll(async () => {
  refreshes?.stop();
  for (const child of children) child.kill('SIGKILL');
  await system?.stop();
});

const platformOf = (i: number): SeedPlatform => (i % 2 === 0 ? 'twitter' : 'linkedin');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (fromMs: number) => Math.round((Date.now() - fromMs) / 100) / 10;

/**
 * Waits until `count` accounts show a finished sync (the dashboard's projection). Not "and none running":
 * at thousands of accounts the first scheduled syncs start before the last first syncs end.
 */
async function firstSyncsDone(sys: TestSystem, count: number): Promise<void> {
  await expect
    .poll(async () => (await sys.db.query(`SELECT count(*)::int AS n FROM account_sync_state WHERE last_sync IS NOT NULL`))[0].n, {
      timeout: 60 * 60_000,
      interval: 2_000,
    })
    .toBeGreaterThanOrEqual(count);
}

it(`scale: ${TOTAL} accounts, ${CLIENTS} clients, ${SECONDS} s per measurement`, async () => {
  const phases: { name: string; seconds: number }[] = [];
  let phaseStart = Date.now();
  const phase = (name: string) => {
    phases.push({ name, seconds: seconds(phaseStart) });
    console.log(`phase: ${name}, ${phases.at(-1)!.seconds} s`); // progress while the run goes on
    phaseStart = Date.now();
  };

  system = await startTestSystem({ SYNC_INTERVAL_SECONDS: String(INTERVAL) });
  const sys = system;
  // The worker in a process of its own, so its memory and CPU are its own.
  await sys.worker.stop();
  sys.worker = { ...sys.worker, stop: async () => {} };
  // What the worker and the API processes share: the test system's servers and keys.
  const shared = {
    NODE_ENV: 'test',
    DATABASE_URL: sys.databaseUrl,
    TEMPORAL_ADDRESS: sys.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: sys.config.TEMPORAL_TASK_QUEUE,
    TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
    SANDBOX_URL: sys.sandbox.url,
  };
  const worker = startWorkerProcess({
    ...shared,
    SYNC_INTERVAL_SECONDS: String(INTERVAL),
    WORKER_METRICS_PORT: METRICS_PORT,
    WORKER_METRICS_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  children.push(worker);
  // What the load rows and the dashboard call: the API as deployed. (The OAuth sample below goes
  // through the test system's in-process API, whose address the sandbox knows as the redirect.)
  const apiProcess = await startApiProcess(shared, path.join(os.tmpdir(), `bench-api-${process.pid}.log`));
  children.push(apiProcess.child);
  const apiUrl = apiProcess.url;
  const dashboard = await startDashboard(apiUrl);
  children.push(dashboard.child);
  await sleep(8_000); // the worker bundling its workflows
  const groups: ProcessGroup[] = [
    { name: 'worker', rootPid: worker.pid },
    { name: 'API', rootPid: apiProcess.child.pid },
    { name: 'Temporal dev server', rootPid: temporalPid(sys.config.TEMPORAL_ADDRESS) },
    { name: 'Postgres (all processes)', rootPid: postgresPid(sys.databaseUrl) },
  ];
  const snapshots: { when: string; at: number; usage: Usage[] }[] = [];
  const snapshot = (when: string) => snapshots.push({ when, at: Date.now(), usage: groups.map(usage) });
  snapshot('no accounts');
  phase('start: servers, worker, dashboard');

  await sandboxAdmin(sys, '/config', {
    twitter: { accessTokenSeconds: X_TOKEN_SECONDS },
    content: { seededPosts: { x: POSTS, linkedin: POSTS } },
  });
  // Businesses of each size for the same user, a filler business for the rest, one for the connect sample.
  const sized = [...SIZES, TOTAL - 125].filter((s) => s > 0);
  const businesses: number[] = [];
  for (const size of [...sized, CONNECTS]) {
    const business = await sys.db.getRepository(BusinessEntity).save({ name: `Bench ${size}` });
    await sys.db.getRepository(MembershipEntity).save({ userId: sys.user.userId, businessId: business.id, role: 'owner' });
    businesses.push(business.id);
  }
  const plan = sized.flatMap((size, b) => Array.from({ length: size }, () => businesses[b]!));
  const connectBusiness = businesses.at(-1)!;
  const count = (n: number, platform: SeedPlatform) =>
    Array.from({ length: n }, (_, i) => platformOf(i)).filter((p) => p === platform).length;
  const identities: Record<SeedPlatform, string[]> = { twitter: [], linkedin: [] };
  for (const platform of ['twitter', 'linkedin'] as const) {
    identities[platform] = await mintIdentities(sys.sandbox.url, platform, count(TOTAL, platform) + count(CONNECTS, platform));
  }
  const take = { twitter: 0, linkedin: 0 };
  const next = (platform: SeedPlatform) => identities[platform][take[platform]++]!;
  const accounts: SeedAccount[] = plan.map((businessId, i) => ({ platform: platformOf(i), identity: next(platformOf(i)), businessId }));
  const sample = Array.from({ length: CONNECTS }, (_, i) => ({ platform: platformOf(i), identity: next(platformOf(i)) }));
  phase('sandbox identities');

  refreshes = new RefreshWatch(sys.db);
  refreshes.start();
  const seedStart = Date.now();
  const { failures: seedFailures, stepMs } = await seedAccounts(
    { db: sys.db, temporal: sys.temporal, config: { ...sys.config, TOKEN_ENCRYPTION_KEYS: TEST_KEYS }, sandboxUrl: sys.sandbox.url },
    accounts,
    SEED_CONCURRENCY,
    X_TOKEN_SECONDS,
  );
  const seedSeconds = seconds(seedStart);
  const seedFailed = [...seedFailures.values()].reduce((a, b) => a + b, 0);
  phase(`seeding ${TOTAL} accounts (${SEED_CONCURRENCY} at a time)`);
  await firstSyncsDone(sys, TOTAL - seedFailed);
  const firstSyncsSeconds = seconds(seedStart);
  phase('first syncs (after seeding ended)');
  snapshot(`${TOTAL} accounts, first syncs done`);

  // The connect callback through the real OAuth flow, 8 at a time: authorize, consent, then the callback
  // timed alone (its code exchange, discovery and account workflow start run in the connect workflow).
  const browsers: ApiClient[] = await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, () => sys.login()));
  const callbackLatencies: number[] = [];
  const connectFailures = new Map<string, number>();
  const connectStart = Date.now();
  await pool(sample, CONNECT_CONCURRENCY, async ({ platform, identity }, lane) => {
    const browser = browsers[lane]!;
    try {
      const authorize = await browser(`/api/v1/oauth/${platform}/authorize?business_id=${connectBusiness}`);
      const { authorization_url } = (await authorize.json()) as { authorization_url: string };
      const callback = await consentAt(authorization_url, 'allow', identity);
      const started = performance.now();
      const res = await browser.visit(callback, { headers: { accept: 'application/json' }, redirect: 'manual' });
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
      if (res.status !== 200) throw new Error(`${res.status} ${body.error?.code ?? ''}`.trim());
      callbackLatencies.push(performance.now() - started);
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 60) : String(error);
      connectFailures.set(reason, (connectFailures.get(reason) ?? 0) + 1);
    }
  });
  const connectSeconds = seconds(connectStart);
  const connects = stats(
    callbackLatencies,
    connectSeconds,
    [...connectFailures.values()].reduce((a, b) => a + b, 0),
  );
  phase(`connect sample (${CONNECTS} through OAuth)`);
  await firstSyncsDone(sys, TOTAL - seedFailed + connects.requests);
  phase('connect sample first syncs');

  // Floors.
  const api = await sys.login();
  const bearer = { authorization: `Bearer ${api.token}` };
  const cookie = { cookie: await dashboardCookie(dashboard.url, sys.user.email, sys.user.password) };
  const [anyAccount] = await sys.db.query(`SELECT account_id FROM account_sync_state LIMIT 1`);
  const pgRead = await closedLoop(1, 3, () =>
    sys.db.query('SELECT * FROM account_sync_state WHERE account_id = $1', [anyAccount.account_id]),
  );
  const oneQuery = await closedLoop(1, 3, () => queryAccountStatus(sys.temporal, anyAccount.account_id));
  const health = await load(`${apiUrl}/health`, {}, CLIENTS, SECONDS);

  const rows: { name: string; size: number | null; result: Stats }[] = [
    { name: 'Postgres point read (1 client)', size: null, result: pgRead },
    { name: 'one Temporal status query (1 client)', size: null, result: oneQuery },
    { name: `/health (${CLIENTS} clients)`, size: null, result: health },
  ];
  for (const [b, size] of SIZES.entries()) {
    const businessId = businesses[b]!;
    const [job] = await sys.db.query(`SELECT job_id FROM sync_runs WHERE business_id = $1 LIMIT 1`, [businessId]);
    const status = `${apiUrl}/api/v1/analytics/sync-status/${businessId}`;
    // The floor again just before, so the comparison with sync-status is not skewed by load that drifts over the run.
    rows.push({ name: `/health (${CLIENTS} clients), just before`, size, result: await load(`${apiUrl}/health`, {}, CLIENTS, SECONDS) });
    rows.push({ name: 'sync-status, 1 client', size, result: await load(status, bearer, 1, SECONDS) });
    rows.push({ name: 'sync-status', size, result: await load(status, bearer, CLIENTS, SECONDS) });
    const ids: number[] = (await sys.db.query(`SELECT id FROM social_accounts WHERE business_id = $1`, [businessId])).map(
      (r: { id: number }) => r.id,
    );
    // What sync-status cost before decision 014: one Temporal query per account of the business.
    rows.push({
      name: 'before: one Temporal query per account',
      size,
      result: await closedLoop(CLIENTS, SECONDS, () => Promise.all(ids.map((id) => queryAccountStatus(sys.temporal, id, 2_000)))),
    });
    rows.push({
      name: 'sync-history',
      size,
      result: await load(`${apiUrl}/api/v1/analytics/sync-history/${businessId}`, bearer, CLIENTS, SECONDS),
    });
    if (job) {
      const progress = `${apiUrl}/api/v1/analytics/sync-progress/${encodeURIComponent(job.job_id)}`;
      rows.push({ name: 'sync-progress', size, result: await load(progress, bearer, CLIENTS, SECONDS) });
    }
    // The dashboard's Connections page (server-rendered: its loader's API calls and the HTML).
    const page = `${dashboard.url}/b/${businessId}/connections`;
    const probe = await fetch(page, { headers: cookie, redirect: 'manual' });
    await probe.body?.cancel();
    if (probe.status !== 200) throw new Error(`the Connections page answered ${probe.status}`);
    rows.push({ name: 'dashboard Connections page, 1 client', size, result: await load(page, cookie, 1, SECONDS) });
    rows.push({ name: 'dashboard Connections page', size, result: await load(page, cookie, CLIENTS, SECONDS) });
  }
  snapshot(`${TOTAL + connects.requests} accounts, after the load`);
  phase(`load rows (${SECONDS} s each)`);

  // The steady window, once scheduled syncs are due (the first one `INTERVAL` after the first sync).
  const [{ first }] = await sys.db.query(`SELECT min(next_sync_at) AS first FROM account_sync_state`);
  if (first && new Date(first).getTime() > Date.now()) await sleep(new Date(first).getTime() - Date.now());
  phase('waiting for the first scheduled syncs');
  const planned = new Map<number, number>(
    (await sys.db.query(`SELECT account_id, next_sync_at FROM account_sync_state WHERE next_sync_at IS NOT NULL`)).map(
      (r: { account_id: number; next_sync_at: Date }) => [r.account_id, r.next_sync_at.getTime()],
    ),
  );
  await sandboxAdmin(sys, '/requests', undefined, 'DELETE');
  const windowStart = new Date();
  snapshot('steady window start');
  await sleep(STEADY_SECONDS * 1000);
  const windowEnd = new Date();
  snapshot('steady window end');
  const { requests } = (await sandboxAdmin(sys, '/requests')) as { requests: Record<string, number> };
  phase(`steady window (${STEADY_SECONDS} s)`);
  refreshes.stop();

  const runs: { account_id: number; platform: string; started_at: Date }[] = await sys.db.query(
    `SELECT account_id, platform, started_at FROM sync_runs WHERE trigger = 'schedule' AND started_at >= $1 AND started_at < $2`,
    [windowStart, windowEnd],
  );
  const due = [...planned.values()].filter((at) => at >= windowStart.getTime() && at < windowEnd.getTime()).length;
  const lags = runs
    .filter((r) => planned.has(r.account_id))
    .map((r) => (r.started_at.getTime() - planned.get(r.account_id)!) / 1000)
    .sort((a, b) => a - b);
  const syncsBy = (platform: string) => runs.filter((r) => r.platform === platform).length;
  const callsBy = (prefix: string, token: boolean) =>
    Object.entries(requests)
      .filter(([key]) => key.split(' ')[1]!.startsWith(prefix) && /oauth2?\/|accessToken/.test(key) === token)
      .reduce((sum, [, n]) => sum + n, 0);

  const allRefreshes = refreshes.results().refreshes;
  const windowRefreshes = allRefreshes.filter((r) => r.startedAt >= windowStart && r.startedAt < windowEnd).length;
  const late = allRefreshes.map((r) => r.lateSeconds).filter((s): s is number => s !== null);
  const afterExpiry = allRefreshes.filter((r) => r.afterExpiry).length;

  const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '?' : n.toFixed(digits));
  const date = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (shared with other work)`;
  const [start, seeded, , windowOpen, windowClose] = snapshots;
  const table = [
    `# Scale benchmark, ${date.slice(0, 10)}`,
    '',
    `Machine: ${machine}. Run at ${date}.`,
    '',
    'The API, the worker and the dashboard each run in a process of their own, as deployed (the API with its info-level access log to a file); the load generator is `bench/load.ts` in its own process on the same machine.',
    '',
    `N = ${TOTAL} accounts (X and LinkedIn alternately, half each), in businesses of ${SIZES.join(', ')}${TOTAL > 125 ? ` and ${TOTAL - 125}` : ''}; ` +
      `${POSTS} seeded posts per account (sandbox \`content.seededPosts\`), X access tokens of ${X_TOKEN_SECONDS} s (the seeded accounts' first ones chosen so their refreshes fall due evenly over the next ${X_TOKEN_SECONDS - 600} s, as if connected at random times before), ` +
      `SYNC_INTERVAL_SECONDS ${INTERVAL}. Seeded without a browser: the sandbox's admin API minted consented codes ` +
      `(\`POST /admin/grants/codes\`), then each account went through the provider client's code exchange and discovery, ` +
      `the connect activity's \`storeAccounts\` and \`ensureAccountWorkflow\` (${SEED_CONCURRENCY} at a time): ` +
      `${TOTAL - seedFailed} in ${seedSeconds} s (${((TOTAL - seedFailed) / seedSeconds).toFixed(1)}/s), ${seedFailed} failed` +
      `${seedFailures.size ? ` (${[...seedFailures].map(([why, n]) => `${n} × ${why}`).join('; ')})` : ''}; ` +
      `every first sync done ${firstSyncsSeconds} s after seeding began. Seeding's time by step, mean ms per account ` +
      `(${SEED_CONCURRENCY} in flight): ${Object.entries(stepMs)
        .map(([step, ms]) => `${step} ${(ms / TOTAL).toFixed(1)}`)
        .join(', ')}.`,
    '',
    '## Phases',
    '',
    '| phase | seconds |',
    '| --- | --- |',
    ...phases.map((p) => `| ${p.name} | ${p.seconds} |`),
    '',
    '## Connect callback (real OAuth flow)',
    '',
    `${CONNECTS} connects (half X, half LinkedIn), ${CONNECT_CONCURRENCY} at a time, after seeding; the callback timed alone ` +
      '(it waits for the connect workflow: code exchange at the sandbox, discovery, storing, starting the account workflow).',
    '',
    '| connects | errors | callback p50 ms | p95 ms | p99 ms | connects/s (whole flow) |',
    '| --- | --- | --- | --- | --- | --- |',
    `| ${connects.requests} | ${connects.errors}${connectFailures.size ? ` (${[...connectFailures].map(([why, n]) => `${n} × ${why}`).join(', ')})` : ''} | ${connects.p50} | ${connects.p95} | ${connects.p99} | ${(connects.requests / connectSeconds).toFixed(1)} |`,
    '',
    `## Under load (${CLIENTS} concurrent clients unless said, ${SECONDS} s per row)`,
    '',
    '| measurement | business size | requests | p50 ms | p99 ms | req/s | errors | stale |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ({ name, size, result: r }) =>
        `| ${name} | ${size ?? ''} | ${r.requests} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.errors} | ${r.stale} |`,
    ),
    '',
    `## Steady window (${STEADY_SECONDS} s from ${windowStart.toISOString().slice(11, 19)} UTC)`,
    '',
    `Planned times: the projection's next_sync_at (account_sync_state), read just before the window; lag = ` +
      `sync_runs.started_at of a scheduled sync minus it. Syncs due in the window: ${due}; scheduled syncs started: ${runs.length} ` +
      `(due before the window: ${runs.filter((r) => (planned.get(r.account_id) ?? Infinity) < windowStart.getTime()).length}, ` +
      `no planned time read: ${runs.filter((r) => !planned.has(r.account_id)).length}).`,
    '',
    '| sync start lag p50 s | p99 s | max s | scheduled syncs/s |',
    '| --- | --- | --- | --- |',
    `| ${fmt(percentile(lags, 0.5))} | ${fmt(percentile(lags, 0.99))} | ${fmt(lags.at(-1))} | ${(runs.length / STEADY_SECONDS).toFixed(2)} |`,
    '',
    '| provider calls (sandbox /admin/requests) | scheduled syncs | API calls | per sync | token endpoint calls |',
    '| --- | --- | --- | --- | --- |',
    ...[
      ['X', 'twitter', '/x/'],
      ['LinkedIn', 'linkedin', '/linkedin/'],
    ].map(([label, platform, prefix]) => {
      const syncs = syncsBy(platform!);
      const calls = callsBy(prefix!, false);
      return `| ${label} | ${syncs} | ${calls} | ${syncs ? (calls / syncs).toFixed(2) : '?'} | ${callsBy(prefix!, true)} |`;
    }),
    '',
    `Refreshes (the refresh journal polled each second from seeding to the window's end by test/faults/refresh-watch.ts): ` +
      `${allRefreshes.length} in all, ${windowRefreshes} in the window; late after the projection's next_refresh_at: ` +
      `max ${fmt(late.length ? Math.max(...late) : null)} s, p99 ${fmt(
        percentile(
          [...late].sort((a, b) => a - b),
          0.99,
        ),
      )} s; ` +
      `after expiry: ${afterExpiry}.`,
    '',
    '## Memory and CPU',
    '',
    `| when | ${groups.map((g) => `${g.name} RSS MiB`).join(' | ')} | ${groups.map((g) => `${g.name} CPU s`).join(' | ')} |`,
    `| --- | ${groups.map(() => '---').join(' | ')} | ${groups.map(() => '---').join(' | ')} |`,
    ...snapshots.map(
      (s) => `| ${s.when} | ${s.usage.map((u) => u.rssMiB ?? '?').join(' | ')} | ${s.usage.map((u) => fmt(u.cpuSeconds)).join(' | ')} |`,
    ),
    '',
    '| CPU, % of one core | ' + groups.map((g) => g.name).join(' | ') + ' |',
    `| --- | ${groups.map(() => '---').join(' | ')} |`,
    ...[
      ['start to first syncs done (seeding)', start, seeded],
      ['steady window', windowOpen, windowClose],
    ].map(([label, from, to]) => {
      const a = from as (typeof snapshots)[number];
      const b = to as (typeof snapshots)[number];
      const wall = (b.at - a.at) / 1000;
      return `| ${label as string} (${wall.toFixed(0)} s) | ${groups
        .map((_, g) => {
          const cpu = (b.usage[g]!.cpuSeconds ?? NaN) - (a.usage[g]!.cpuSeconds ?? NaN);
          return `${fmt((cpu / wall) * 100, 0)}%`;
        })
        .join(' | ')} |`;
    }),
    '',
    `In the steady window: worker CPU per scheduled sync ${
      runs.length ? fmt(((windowClose!.usage[0]!.cpuSeconds ?? NaN) - (windowOpen!.usage[0]!.cpuSeconds ?? NaN)) / runs.length, 3) : '?'
    } s (refreshes included: ${windowRefreshes}).`,
    '',
  ].join('\n');
  const file = `bench/results/scale-${date.slice(0, 16).replace(/[:T]/g, '-')}-${TOTAL}.md`;
  writeFileSync(file, table);
  console.log(table);
  expect(rows.length).toBeGreaterThan(3);
});
