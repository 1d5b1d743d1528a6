// The publishing benchmark (issue 11 item 12): BENCH_POSTS posts (1,000) scheduled through the API for
// the same minute across BENCH_ACCOUNTS X accounts (200) connected through the real OAuth flow. The
// worker runs in its own process (worker/main.ts, as deployed, with the safety sweep's Schedule), and
// reaches the sandbox through a counting proxy, so every provider call it makes is counted. Measures the
// lag of each publish after the scheduled time (p50, p99, max), the worker's CPU time and memory per
// post, and provider calls per post. Not in `npm test`: it measures, it does not assert. Writes
// bench/results/publish-<date>-<posts>.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import os from 'node:os';
import { afterAll, expect, it } from 'vitest';
import { TEST_KEYS } from '../test/support/env.js';
import { connect, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';
import { freePort } from '../scripts/stack.js';

const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const CONNECT_CONCURRENCY = 8;
const CREATE_CONCURRENCY = 8;
const X_SCOPES = 'tweet.read tweet.write users.read media.write offline.access';
const SETTLED = ['published', 'failed', 'partially_published', 'unconfirmed', 'canceled'];

let system: TestSystem | undefined;
let worker: ChildProcess | undefined;
let proxy: Server | undefined;

afterAll(async () => {
  worker?.kill('SIGKILL');
  proxy?.close();
  await system?.stop();
});

/** Provider calls by "METHOD /path" (ids folded), through a proxy in front of the sandbox. */
function countingProxy(target: string, port: number): { server: Server; counts: Map<string, number>; reset(): void } {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/\d{3,}(?=\/|$)/g, '/:id');
    const key = `${req.method} ${path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.listen(port, '127.0.0.1');
  return { server, counts, reset: () => counts.clear() };
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}

const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const s = (ms: number) => (ms / 1000).toFixed(2);

it(`publish: ${POSTS} posts for the same minute across ${ACCOUNTS} X accounts`, async () => {
  system = await startTestSystem({ SYNC_INTERVAL_SECONDS: '86400', TWITTER_SCOPES: X_SCOPES });
  const sys = system;
  await sys.worker.stop(); // the worker runs in its own process, so its CPU and memory are its own
  sys.worker = { ...sys.worker, stop: async () => {} };
  const proxyPort = await freePort();
  const calls = countingProxy(sys.sandbox.url, proxyPort);
  proxy = calls.server;
  worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: sys.databaseUrl,
      TEMPORAL_ADDRESS: sys.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: sys.config.TEMPORAL_TASK_QUEUE,
      TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
      SANDBOX_URL: `http://127.0.0.1:${proxyPort}`,
      TWITTER_SCOPES: X_SCOPES,
      SYNC_INTERVAL_SECONDS: '86400',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'info', // as deployed: a line per published post
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = worker.pid!;
  const memory: { when: string; rss: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    worker!.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('"worker_started"') && resolve());
    worker!.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it started`)));
  });
  memory.push({ when: 'started, no accounts', rss: rssMiB(pid) });

  // Accounts, connected as a user would (the sandbox's identities are minted through its admin API).
  const api = await sys.login();
  const businessId = sys.user.businessId;
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => `15${String(i + 1).padStart(17, '0')}`);
  await sandboxAdmin(
    sys,
    '/identities',
    ids.map((id, i) => ({ platform: 'x', id, username: `pub${i}`, name: `Publisher ${i}` })),
  );
  const accounts: number[] = [];
  // One client (one cookie jar, as one browser) per concurrent connect: the callback checks the cookie its authorize set.
  const browsers = await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, () => sys.login()));
  const queue = [...ids];
  await pool(browsers, CONNECT_CONCURRENCY, async (browser) => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await connectOne(browser, id);
  });
  async function connectOne(browser: ApiClient, id: string) {
    const res = await connect(browser, 'twitter', businessId, 'allow', id);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`connect answered ${res.status}: ${JSON.stringify(body)}`);
    accounts.push(body.accounts[0].id);
  }
  // Every first sync done, so the burst measures publishing alone.
  await expect
    .poll(
      async () =>
        (await sys.db.query(`SELECT count(*)::int AS n FROM account_sync_state WHERE last_sync IS NOT NULL AND current_job_id IS NULL`))[0]
          .n,
      { timeout: 30 * 60_000, interval: 2_000 },
    )
    .toBeGreaterThanOrEqual(ACCOUNTS);
  memory.push({ when: `${ACCOUNTS} accounts, first syncs done`, rss: rssMiB(pid) });

  // All posts for the start of one minute, far enough ahead to create them all first.
  const createBudgetMs = Math.max(60_000, POSTS * 500); // creates took ~330 ms each, 8 at a time, on a loaded 2-core machine
  const scheduledAt = new Date(Math.ceil((Date.now() + createBudgetMs) / 60_000) * 60_000);
  const createLatencies: number[] = [];
  const createStarted = Date.now();
  await pool(
    Array.from({ length: POSTS }, (_, i) => i),
    CREATE_CONCURRENCY,
    async (i) => {
      const started = performance.now();
      const res = await api('/api/v1/posts', {
        method: 'POST',
        body: JSON.stringify({
          business_id: businessId,
          text: `Bench post ${i}: today's special is number ${i}`,
          targets: [{ account_id: accounts[i % accounts.length] }],
          scheduled_at: scheduledAt.toISOString(),
        }),
      });
      createLatencies.push(performance.now() - started);
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      await res.body?.cancel();
    },
  );
  const createSeconds = (Date.now() - createStarted) / 1000;
  const createdBefore = Date.now() < scheduledAt.getTime();
  createLatencies.sort((a, b) => a - b);
  memory.push({ when: `${POSTS} posts waiting for their minute`, rss: rssMiB(pid) });

  // The burst: CPU from 5 s before the minute until every post settled; memory sampled every second.
  await new Promise((r) => setTimeout(r, Math.max(0, scheduledAt.getTime() - 5_000 - Date.now())));
  calls.reset();
  const cpuBefore = cpuSeconds(pid);
  const wallBefore = Date.now();
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 1_000);
  await expect
    .poll(async () => (await sys.db.query(`SELECT count(*)::int AS n FROM posts WHERE status = ANY($1)`, [SETTLED]))[0].n, {
      timeout: 60 * 60_000,
      interval: 1_000,
    })
    .toBe(POSTS);
  clearInterval(sampler);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const wall = (Date.now() - wallBefore) / 1000;
  memory.push({ when: 'peak while publishing', rss: peak });
  memory.push({ when: 'all published', rss: rssMiB(pid) });

  const outcomes: { status: string; n: number }[] = await sys.db.query(
    `SELECT status, count(*)::int AS n FROM post_targets GROUP BY status`,
  );
  const lags: number[] = (
    await sys.db.query(
      `SELECT (extract(epoch FROM t.published_at - p.scheduled_at) * 1000)::float8 AS ms
       FROM post_targets t JOIN posts p ON p.id = t.post_id WHERE t.status = 'published'`,
    )
  )
    .map((r: { ms: number }) => r.ms)
    .sort((a: number, b: number) => a - b);
  const published = (await sandboxAdmin(sys, '/published?platform=twitter')).published.filter((p: { text: string }) =>
    p.text.startsWith('Bench post '),
  );
  const duplicates = published.length - new Set(published.map((p: { text: string }) => p.text)).size;
  const totalCalls = [...calls.counts.values()].reduce((a, b) => a + b, 0);

  const date = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (shared with other work)`;
  const report = [
    `# Publishing benchmark, ${date.slice(0, 10)}`,
    '',
    `Machine: ${machine}.`,
    `${POSTS} posts (one X target each, text only) scheduled for ${scheduledAt.toISOString()} across ${ACCOUNTS} X accounts` +
      ` (${POSTS / ACCOUNTS} per account), created through the API ${CREATE_CONCURRENCY} at a time in ${createSeconds.toFixed(1)} s` +
      ` (p50 ${createLatencies.length ? at(createLatencies, 0.5).toFixed(0) : '?'} ms, p99 ${at(createLatencies, 0.99).toFixed(0)} ms)` +
      `${createdBefore ? '' : ', **not all before the minute**'}. One worker process (worker/main.ts), the sandbox on 127.0.0.1.`,
    '',
    '| measurement | value |',
    '| --- | --- |',
    `| outcomes | ${outcomes.map((o) => `${o.status} ${o.n}`).join(', ')} |`,
    `| posts in the sandbox / duplicates | ${published.length} / ${duplicates} |`,
    `| lag after the scheduled time: p50 / p99 / max | ${s(at(lags, 0.5))} s / ${s(at(lags, 0.99))} s / ${s(lags.at(-1) ?? NaN)} s |`,
    `| first / last publish after the scheduled time | ${s(lags[0] ?? NaN)} s / ${s(lags.at(-1) ?? NaN)} s |`,
    `| worker CPU (user + system) from 5 s before the minute to the last settled post | ${cpu.toFixed(1)} s in ${wall.toFixed(1)} s wall: ${((cpu / POSTS) * 1000).toFixed(1)} ms per post |`,
    `| worker memory (RSS) per waiting post | ${(((memory[2]!.rss - memory[1]!.rss) / POSTS) * 1024).toFixed(0)} KiB |`,
    `| worker memory (RSS): before the posts / with them waiting / peak while publishing | ${memory[1]!.rss} / ${memory[2]!.rss} / ${peak} MiB |`,
    `| provider calls per post (from 5 s before the minute) | ${(totalCalls / POSTS).toFixed(2)} (${totalCalls} calls) |`,
    '',
    '| provider call | count |',
    '| --- | --- |',
    ...[...calls.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `| ${k} | ${n} |`),
    '',
    '| worker memory (RSS, MiB) | |',
    '| --- | --- |',
    ...memory.map((m) => `| ${m.when} | ${m.rss} |`),
    '',
  ].join('\n');
  const file = `bench/results/publish-${date.slice(0, 16).replace(/[:T]/g, '-')}-${POSTS}.md`;
  writeFileSync(file, report);
  console.log(report);
  expect(published.length).toBeGreaterThan(0);
});
