// Helpers of the scale benchmark (bench/scale.run.ts): statistics, the load generator's process, the
// processes it measures (RSS and CPU from /proc), the worker and the dashboard in processes of their own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { freePort } from '../scripts/stack.js';

export interface Stats {
  requests: number;
  errors: number;
  stale: number;
  p50: number;
  p95?: number;
  p99: number;
  rps: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Percentile of an ascending list (nearest rank below). */
export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;
}

export function stats(samples: number[], seconds: number, errors = 0): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => round(percentile(sorted, p));
  return {
    requests: sorted.length,
    errors,
    stale: 0,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    rps: Math.round(sorted.length / seconds),
  };
}

/** Runs bench/load.ts in its own process against one URL (headers: a bearer token or a session cookie). */
export function load(url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<Stats> {
  const input = JSON.stringify({ url, connections, seconds, headers });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', input], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Stats) : reject(new Error(`load exited ${code}`))));
  });
}

/** Runs `task` from `clients` loops for `seconds`, in this process; the latencies of each call. */
export async function closedLoop(clients: number, seconds: number, task: () => Promise<unknown>): Promise<Stats> {
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

/** Runs `task` over `items`, `concurrency` at a time; each lane passes its own index (its own client). */
export async function pool<T>(items: T[], concurrency: number, task: (item: T, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (next < items.length) await task(items[next++]!, lane);
    }),
  );
}

// ---- processes ----------------------------------------------------------------------------------

interface ProcStat {
  pid: number;
  ppid: number;
  /** Seconds of CPU of the process itself, and of its children it has reaped (exited Postgres backends). */
  cpu: number;
  childCpu: number;
  rssMiB: number;
}

const TICKS = 100; // USER_HZ on Linux

function procStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    const n = (field: number) => Number(fields[field - 3]);
    return { pid, ppid: n(4), cpu: (n(14) + n(15)) / TICKS, childCpu: (n(16) + n(17)) / TICKS, rssMiB: (n(24) * 4096) / 2 ** 20 };
  } catch {
    return undefined; // gone
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** A process and its descendants (Postgres: the postmaster and its backends), measured together. */
export interface ProcessGroup {
  name: string;
  rootPid: number | undefined;
}

export interface Usage {
  rssMiB: number | null;
  cpuSeconds: number | null;
}

export function usage(group: ProcessGroup): Usage {
  const root = group.rootPid === undefined ? undefined : procStat(group.rootPid);
  if (!root) return { rssMiB: null, cpuSeconds: null };
  const stats = allPids()
    .map(procStat)
    .filter((s): s is ProcStat => s !== undefined);
  const members = [root];
  for (let grew = true; grew;) {
    const ids = new Set(members.map((m) => m.pid));
    const more = stats.filter((s) => ids.has(s.ppid) && !ids.has(s.pid));
    members.push(...more);
    grew = more.length > 0;
  }
  return {
    rssMiB: Math.round(members.reduce((sum, m) => sum + m.rssMiB, 0)),
    cpuSeconds: round(members.reduce((sum, m) => sum + m.cpu, 0) + root.childCpu),
  };
}

/** The Temporal dev server the suite started (by the port in its command line). */
export function temporalPid(address: string): number | undefined {
  const port = address.split(':').at(-1)!;
  return allPids().find((pid) => {
    const cmd = cmdline(pid);
    return cmd.includes('start-dev') && cmd.includes(port);
  });
}

/** The embedded Postgres' postmaster serving this database URL (by its port). */
export function postgresPid(databaseUrl: string): number | undefined {
  const port = new URL(databaseUrl).port || '5432';
  return allPids().find((pid) => {
    const cmd = cmdline(pid);
    const p = cmd.indexOf('-p');
    return /postgres$/.test(cmd[0] ?? '') && p >= 0 && cmd[p + 1] === port;
  });
}

export function startWorkerProcess(env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

/** Waits up to a minute for `url` to answer 2xx; kills `child` and throws `failure` if it never does. */
async function untilAnswering(url: string, child: ChildProcess, failure: string): Promise<void> {
  for (let tries = 0; tries < 120; tries++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error(failure);
}

/**
 * The API as deployed (api/main.ts in a process of its own, info-level access log to a file, the
 * default database pool), not the test system's in-process one with its debug log kept in memory.
 */
export async function startApiProcess(
  env: Record<string, string | undefined>,
  logFile: string,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { ...process.env, ...env, API_PORT: String(port), PUBLIC_API_URL: url, LOG_LEVEL: 'info' },
    stdio: ['ignore', log, log],
  });
  await untilAnswering(`${url}/health`, child, `the API did not answer (see ${logFile})`);
  return { url, child };
}

/** The newest modification time under a directory. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = `${dir}/${entry.name}`;
    return Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);
}

/** Builds the dashboard when there is no build or a source is newer (as `npm start` does), then serves it with remix-serve. */
export async function startDashboard(apiUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const built = 'web/build/server/index.js';
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newest('web/app'), newest('lib'))) {
    const built = spawnSync('node_modules/.bin/remix', ['vite:build', 'web'], { stdio: 'ignore' });
    if (built.status !== 0) throw new Error('the dashboard build failed');
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production' as const,
    PORT: String(port),
    API_URL: apiUrl,
    PUBLIC_WEB_URL: url,
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
  };
  const child = spawn('node_modules/.bin/remix-serve', ['web/build/server/index.js'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await untilAnswering(`${url}/login`, child, 'the dashboard did not answer');
  return { url, child };
}

/** Signs in through the dashboard's login form; the session cookie it sets. */
export async function dashboardCookie(webUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${webUrl}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email, password, redirectTo: '/' }),
    redirect: 'manual',
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  if (res.status !== 302 || !cookie) throw new Error(`dashboard sign-in answered ${res.status}`);
  return cookie;
}
