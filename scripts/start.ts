// `npm start`: the whole system on one machine. Postgres (embedded unless DATABASE_URL), the Temporal
// dev server with its Web UI, then the sandbox, worker, API and dashboard as child processes whose
// JSON logs go to .data/logs/. Ctrl-C stops everything; the next start reuses .data/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../lib/config.js';
import { generateKeyEntry } from '../lib/crypto/keyring.js';
import { openDatabase } from '../lib/db/data-source.js';
import { seedDemo } from '../lib/db/seed.js';
import {
  assertPortsFree,
  ensureTemporalCli,
  StackError,
  startEmbeddedPostgres,
  startTemporalDevServer,
  stopChild,
  waitFor,
  type RunningPostgres,
  type RunningTemporal,
} from './stack.js';

// Stopped in two waves: the services (which drain through Temporal and Postgres), then both of those.
const services: (() => Promise<void>)[] = [];
const infrastructure: (() => Promise<void>)[] = [];
let stopping = false;

/** Ctrl-C arrived while starting: the remaining steps are skipped, quietly. */
class Interrupted extends Error {}
const notStopping = () => {
  if (stopping) throw new Interrupted();
};

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const settings = loadConfig();
  const dataDir = path.resolve(settings.DATA_DIR);
  const logDir = path.join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const temporalPort = Number(settings.TEMPORAL_ADDRESS.split(':').pop());
  await assertPortsFree({
    API: settings.API_PORT,
    WEB: settings.WEB_PORT,
    SANDBOX: settings.SANDBOX_PORT,
    'Temporal frontend': temporalPort,
    'Temporal UI': settings.TEMPORAL_UI_PORT,
    ...(settings.DATABASE_URL ? {} : { 'embedded Postgres': settings.POSTGRES_PORT }),
  });
  const cli = ensureTemporalCli((line) => console.log(line));
  notStopping();

  step('Postgres');
  let postgres: RunningPostgres | undefined;
  if (!settings.DATABASE_URL) {
    postgres = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: settings.POSTGRES_PORT,
      dbName: 'social_sync',
    });
    infrastructure.push(postgres.stop);
    notStopping();
  }
  const databaseUrl = settings.DATABASE_URL ?? postgres!.url;

  step('Temporal dev server');
  const temporal: RunningTemporal = await startTemporalDevServer({
    cli,
    port: temporalPort,
    uiPort: settings.TEMPORAL_UI_PORT,
    dbFile: path.join(dataDir, 'temporal.db'),
    logFile: path.join(logDir, 'temporal.log'),
  });
  infrastructure.push(temporal.stop);
  notStopping();

  step('migrations and demo login');
  const db = await openDatabase(databaseUrl, { migrate: true });
  await seedDemo(db, { email: settings.DEMO_EMAIL, password: settings.DEMO_PASSWORD, businessName: settings.DEMO_BUSINESS_NAME });
  await db.destroy();
  notStopping();

  buildDashboardIfStale();
  notStopping();

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TOKEN_ENCRYPTION_KEYS: settings.TOKEN_ENCRYPTION_KEYS ?? keptSecret(dataDir, 'token-encryption-keys', () => generateKeyEntry('dev1')),
    // The demo syncs every two minutes so changes show quickly; set SYNC_INTERVAL_SECONDS to change it.
    SYNC_INTERVAL_SECONDS: String(process.env.SYNC_INTERVAL_SECONDS ?? 120),
  };
  step('sandbox, worker, API and dashboard');
  // `node --import tsx` rather than the tsx CLI: one process per service, so signals reach it directly.
  const node = (script: string) => [process.execPath, ['--import', 'tsx', script]] as const;
  const children = [
    run('sandbox', ...node('sandbox/main.ts'), { ...env, SANDBOX_DATA_DIR: path.join(dataDir, 'sandbox') }, logDir),
    run('worker', ...node('worker/main.ts'), env, logDir),
    run('api', ...node('api/main.ts'), env, logDir),
    // remix-serve serves a production build: it runs with NODE_ENV=production and so needs a session secret.
    run(
      'web',
      path.resolve('node_modules/.bin/remix-serve'),
      ['web/build/server/index.js'],
      {
        ...env,
        NODE_ENV: 'production',
        PORT: String(settings.WEB_PORT),
        SESSION_SECRET: settings.SESSION_SECRET ?? keptSecret(dataDir, 'session-secret', () => randomBytes(32).toString('base64url')),
      },
      logDir,
    ),
  ];
  services.push(...children.map((child) => () => stopChild(child)));

  await demoSandbox(settings);
  await waitFor(() => answersOk(`http://127.0.0.1:${settings.API_PORT}/ready`), {
    timeoutMs: 120_000,
    what: 'the API to be ready',
  });
  await waitFor(() => answersOk(`http://127.0.0.1:${settings.WEB_PORT}/login`), {
    timeoutMs: 60_000,
    what: 'the dashboard',
  });
  printBanner(settings, temporal, logDir);
}

/**
 * A local secret made once and kept under .data/ (the token key, the cookie secret): one made anew at
 * each start would make stored tokens unreadable and log everybody out after a restart.
 */
function keptSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * The demo's sandbox issues X tokens for 15 minutes instead of 2 hours, so refreshes (with rotation)
 * happen while you watch. DEMO_X_TOKEN_SECONDS changes it; 7200 is the real lifetime.
 */
async function demoSandbox(settings: Config): Promise<void> {
  const sandbox = `http://127.0.0.1:${settings.SANDBOX_PORT}`;
  await waitFor(() => answersOk(`${sandbox}/health`), { timeoutMs: 60_000, what: 'the sandbox' });
  const seconds = Number(process.env.DEMO_X_TOKEN_SECONDS ?? 900);
  await fetch(`${sandbox}/admin/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ twitter: { accessTokenSeconds: seconds } }),
  });
}

/** A probe that reads the whole answer: an unread body keeps its connection busy, and a server being stopped waits for it. */
async function answersOk(url: string): Promise<boolean> {
  const res = await fetch(url).catch(() => null);
  await res?.arrayBuffer().catch(() => undefined);
  return res?.ok === true;
}

function step(what: string): void {
  console.log(`• starting ${what}...`);
}

/** Spawns a service; if it dies on its own, shows the end of its log and stops everything. */
function run(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const logFile = path.join(logDir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} stopped unexpectedly (${signal ?? `exit code ${code}`}). Last lines of ${logFile}:`);
    setTimeout(() => {
      console.error(tail(logFile, 15));
      void shutdown(1);
    }, 200);
  });
  return child;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Builds the dashboard when there is no build or a source file is newer than it. */
function buildDashboardIfStale(): void {
  const built = 'web/build/server/index.js';
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }, 0);
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(newest('web/app'), newest('lib'))) return;
  step('dashboard build');
  const result = spawnSync(path.resolve('node_modules/.bin/remix'), ['vite:build', 'web'], { stdio: 'inherit' });
  if (result.signal === 'SIGINT' || result.signal === 'SIGTERM') throw new Interrupted();
  if (result.status !== 0) throw new StackError('The dashboard build failed (see above).');
}

function printBanner(settings: Config, temporal: RunningTemporal, logDir: string): void {
  console.log(`
Social Sync is running.

  Dashboard     http://localhost:${settings.WEB_PORT}
  API           http://localhost:${settings.API_PORT}   (GET /ready)
  Temporal UI   ${temporal.uiUrl}
  Sandbox       http://localhost:${settings.SANDBOX_PORT}   (provider emulator)

  Log in as     ${settings.DEMO_EMAIL} / ${settings.DEMO_PASSWORD}
  Logs          ${path.relative(process.cwd(), logDir)}/*.log

Press Ctrl-C to stop.`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping...');
  // A step in progress gets a moment to end, so that what it started is stopped in order; the steps
  // after it are skipped (notStopping). Each wave is stopped together: the slowest one's time, not the sum.
  await Promise.race([startup.catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
  await Promise.all(services.map((stop) => stop().catch(() => {})));
  await Promise.all(infrastructure.map((stop) => stop().catch(() => {})));
  // Whatever a cut-short step left running (an initdb mid-way: it initialises a scratch folder, so
  // nothing half-made is kept).
  for (const pid of descendants()) killQuietly(pid);
  process.exit(code);
}

/** Every process this one started, at any depth. */
function descendants(): number[] {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout ?? '';
  const children = new Map<number, number[]>();
  for (const line of listing.trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  for (let queue = [process.pid]; queue.length > 0;) {
    const next = children.get(queue.pop()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found.filter((pid) => pid !== process.pid);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Ctrl-C signals the terminal's whole process group. The services run in a group of their own under a
 * supervisor (this file again), so only this front process gets it and the supervisor stops them once,
 * in order (services, then Temporal, then Postgres), instead of every process at once with a second
 * signal to follow.
 */
function superviseInOwnProcessGroup(): void {
  const supervisor = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, SOCIAL_SYNC_SUPERVISOR: '1' },
  });
  const forward = () => void supervisor.kill('SIGTERM');
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  supervisor.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

let startup: Promise<void> = Promise.resolve();
if (process.env.SOCIAL_SYNC_SUPERVISOR) {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  startup = main();
  startup.catch(async (error: unknown) => {
    if (error instanceof Interrupted || stopping) return void (await shutdown(0));
    // Our own errors and the system's (a folder we may not create, a port taken) are one line; a bug keeps its stack.
    const known = error instanceof ConfigError || error instanceof StackError || typeof (error as { code?: unknown })?.code === 'string';
    console.error(`\nCould not start: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}`);
    await shutdown(1);
  });
} else {
  superviseInOwnProcessGroup();
}
