// The scale benchmark (issue 12 item 6): connects N X accounts through the real OAuth flow (sandbox
// identities minted through its admin API, authorize -> consent -> callback, no browser), in businesses
// of 1, 4, 20 and 100 accounts (the rest in a filler business), lets every first sync finish, then
// measures side by side: the floors (a Postgres point read, one Temporal query, /health), sync-status,
// sync-history and sync-progress at 50 concurrent clients per business size, the old way of sync-status
// (one Temporal query per account) for comparison, the connect callback, and worker / Temporal memory.
// Everything listens on 127.0.0.1. Writes bench/results/scale-<date>.md. Knobs: BENCH_ACCOUNTS (total,
// at least 125), BENCH_SECONDS (per measurement), BENCH_CLIENTS.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, expect, it } from 'vitest';
import { queryAccountStatus } from '../lib/account-workflows.js';
import { BusinessEntity, MembershipEntity } from '../lib/db/entities.js';
import { TEST_KEYS } from '../test/support/env.js';
import { connect, sandboxAdmin, startTestSystem, type TestSystem } from '../test/support/system.js';

const SIZES = [1, 4, 20, 100];
const TOTAL = Math.max(125, Number(process.env.BENCH_ACCOUNTS ?? 125));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const CONNECT_CONCURRENCY = 8;

let system: TestSystem | undefined;
let worker: ChildProcess | undefined;

afterAll(async () => {
  worker?.kill('SIGKILL');
  await system?.stop();
});

interface Stats {
  requests: number;
  errors: number;
  stale: number;
  p50: number;
  p99: number;
  rps: number;
}

const round = (n: number) => Math.round(n * 100) / 100;
function stats(samples: number[], seconds: number, errors = 0): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN);
  return { requests: sorted.length, errors, stale: 0, p50: at(0.5), p99: at(0.99), rps: Math.round(sorted.length / seconds) };
}

/** Runs bench/load.ts in its own process against one URL. */
function load(url: string, token: string | undefined, connections = CLIENTS, seconds = SECONDS): Promise<Stats> {
  const input = JSON.stringify({ url, connections, seconds, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', input], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Stats) : reject(new Error(`load exited ${code}`))));
  });
}

/** Runs `task` from `clients` loops for `seconds`, in this process; the latencies of each call. */
async function closedLoop(clients: number, seconds: number, task: () => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const started = performance.now();
        try {
          await task();
          samples.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  return stats(samples, seconds, errors);
}

function rssMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** The Temporal dev server the suite started (by the port in its command line). */
function temporalPid(address: string): number | undefined {
  const port = address.split(':').at(-1)!;
  for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmd.includes('start-dev') && cmd.includes(port)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

function startWorkerProcess(sys: TestSystem): ChildProcess {
  const env = {
    ...process.env,
    NODE_ENV: 'test' as const,
    DATABASE_URL: sys.databaseUrl,
    TEMPORAL_ADDRESS: sys.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: sys.config.TEMPORAL_TASK_QUEUE,
    TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
    SANDBOX_URL: sys.sandbox.url,
    SYNC_INTERVAL_SECONDS: '900',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  return spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env, stdio: 'ignore' });
}

/** Runs `task` over `items`, `concurrency` at a time; each lane passes its own index (its own client). */
async function pool<T>(items: T[], concurrency: number, task: (item: T, lane: number) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item, lane);
    }),
  );
}

it(`scale: ${TOTAL} accounts, ${CLIENTS} clients, ${SECONDS} s per measurement`, async () => {
  system = await startTestSystem({ SYNC_INTERVAL_SECONDS: '900' });
  const sys = system;
  // The worker in a process of its own, so its memory is its own.
  await sys.worker.stop();
  sys.worker = { ...sys.worker, stop: async () => {} };
  worker = startWorkerProcess(sys);
  await new Promise((r) => setTimeout(r, 8_000)); // bundling the workflows
  const memory: { when: string; worker: number | null; temporal: number | null }[] = [];
  const tPid = temporalPid(sys.config.TEMPORAL_ADDRESS);
  const snapshot = (when: string) => memory.push({ when, worker: rssMiB(worker?.pid), temporal: rssMiB(tPid) });
  snapshot('no accounts');

  const api = await sys.login();
  // Businesses of each size for the same user, and a filler business for the rest.
  const businesses: number[] = [];
  for (const size of [...SIZES, TOTAL - 125].filter((s) => s > 0)) {
    const business = await sys.db.getRepository(BusinessEntity).save({ name: `Bench ${size}` });
    await sys.db.getRepository(MembershipEntity).save({ userId: sys.user.userId, businessId: business.id, role: 'owner' });
    businesses.push(business.id);
  }
  const plan = [...SIZES, TOTAL - 125].flatMap((size, b) => Array.from({ length: size }, () => businesses[b]!));
  // 19-digit ids apart from the sandbox's own (17000...), as X's are.
  const ids = plan.map((_, i) => `16${String(i + 1).padStart(17, '0')}`);
  for (let i = 0; i < ids.length; i += 5000) {
    await sandboxAdmin(
      sys,
      '/identities',
      ids.slice(i, i + 5000).map((id, j) => ({ platform: 'x', id, username: `bench${i + j}`, name: `Bench ${i + j}` })),
    );
  }

  // Connect every account as a user would, 8 at a time; the callback's latency is the connect's.
  const browsers = await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, () => sys.login()));
  const connectLatencies: number[] = [];
  let connectErrors = 0;
  const connectFailures = new Map<string, number>(); // by status and error code, for the results
  const connectStarted = Date.now();
  await pool(
    plan.map((businessId, i) => ({ businessId, id: ids[i]! })),
    CONNECT_CONCURRENCY,
    async ({ businessId, id }, lane) => {
      const started = performance.now();
      try {
        // One signed-in browser per lane: the OAuth flow is bound to the cookie its authorize set.
        const res = await connect(browsers[lane]!, 'twitter', businessId, 'allow', id);
        connectLatencies.push(performance.now() - started);
        if (res.status !== 200) {
          connectErrors++;
          const code = `${res.status} ${((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code ?? ''}`.trim();
          connectFailures.set(code, (connectFailures.get(code) ?? 0) + 1);
        } else await res.body?.cancel();
      } catch {
        connectErrors++; // a dropped connection under load: counted, not fatal
      }
    },
  );
  const connectSeconds = (Date.now() - connectStarted) / 1000;
  const connects = stats(connectLatencies, connectSeconds, connectErrors);

  // Every first sync done (the projection shows a last sync for every account).
  await expect
    .poll(
      async () =>
        (await sys.db.query(`SELECT count(*)::int AS n FROM account_sync_state WHERE last_sync IS NOT NULL AND current_job_id IS NULL`))[0]
          .n,
      {
        timeout: 30 * 60_000,
        interval: 2_000,
      },
    )
    .toBeGreaterThanOrEqual(TOTAL - connectErrors);
  snapshot(`${TOTAL} accounts, first syncs done`);

  // Floors.
  const [anyAccount] = await sys.db.query(`SELECT account_id FROM account_sync_state LIMIT 1`);
  const pgRead = await closedLoop(1, 3, () =>
    sys.db.query('SELECT * FROM account_sync_state WHERE account_id = $1', [anyAccount.account_id]),
  );
  const oneQuery = await closedLoop(1, 3, () => queryAccountStatus(sys.temporal, anyAccount.account_id));
  const health = await load(`${sys.apiUrl}/health`, undefined);

  const rows: { name: string; size: number | null; result: Stats }[] = [
    { name: 'Postgres point read (1 client)', size: null, result: pgRead },
    { name: 'one Temporal status query (1 client)', size: null, result: oneQuery },
    { name: `/health (${CLIENTS} clients)`, size: null, result: health },
  ];
  for (const [b, size] of SIZES.entries()) {
    const businessId = businesses[b]!;
    const [job] = await sys.db.query(`SELECT job_id FROM sync_runs WHERE business_id = $1 LIMIT 1`, [businessId]);
    rows.push({
      name: 'sync-status, 1 client',
      size,
      result: await load(`${sys.apiUrl}/api/v1/analytics/sync-status/${businessId}`, api.token, 1),
    });
    rows.push({ name: 'sync-status', size, result: await load(`${sys.apiUrl}/api/v1/analytics/sync-status/${businessId}`, api.token) });
    const accounts: number[] = (await sys.db.query(`SELECT id FROM social_accounts WHERE business_id = $1`, [businessId])).map(
      (r: { id: number }) => r.id,
    );
    // What sync-status cost before decision 014: one Temporal query per account of the business.
    rows.push({
      name: 'before: one Temporal query per account',
      size,
      result: await closedLoop(CLIENTS, SECONDS, () => Promise.all(accounts.map((id) => queryAccountStatus(sys.temporal, id, 2_000)))),
    });
    rows.push({ name: 'sync-history', size, result: await load(`${sys.apiUrl}/api/v1/analytics/sync-history/${businessId}`, api.token) });
    if (job) {
      rows.push({
        name: 'sync-progress',
        size,
        result: await load(`${sys.apiUrl}/api/v1/analytics/sync-progress/${encodeURIComponent(job.job_id)}`, api.token),
      });
    }
  }
  snapshot(`${TOTAL} accounts, after the load`);

  const date = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (shared with other work)`;
  const table = [
    `# Scale benchmark, ${date.slice(0, 10)}`,
    '',
    `Machine: ${machine}.`,
    `${TOTAL} X accounts connected through the OAuth flow (businesses of ${SIZES.join(', ')}${TOTAL > 125 ? ` and ${TOTAL - 125}` : ''}), ${CLIENTS} concurrent clients, ${SECONDS} s per row.`,
    '',
    '| measurement | business size | requests | p50 ms | p99 ms | req/s | errors | stale |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ({ name, size, result: r }) =>
        `| ${name} | ${size ?? ''} | ${r.requests} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.errors} | ${r.stale} |`,
    ),
    '',
    `Connect (authorize, consent, callback; ${CONNECT_CONCURRENCY} at a time): ${connects.requests} in ${connectSeconds.toFixed(1)} s (${(connects.requests / connectSeconds).toFixed(1)}/s), p50 ${connects.p50} ms, p99 ${connects.p99} ms, ${connects.errors} errors${connectFailures.size ? ` (${[...connectFailures].map(([code, n]) => `${n} × ${code}`).join(', ')})` : ''}.`,
    '',
    '| memory (RSS, MiB) | worker | Temporal dev server |',
    '| --- | --- | --- |',
    ...memory.map((m) => `| ${m.when} | ${m.worker ?? '?'} | ${m.temporal ?? '?'} |`),
    '',
  ].join('\n');
  const file = `bench/results/scale-${date.slice(0, 16).replace(/[:T]/g, '-')}-${TOTAL}.md`;
  writeFileSync(file, table);
  console.log(table);
  expect(rows.length).toBeGreaterThan(3);
});
