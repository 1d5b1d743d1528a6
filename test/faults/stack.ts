// The real system as separate OS processes, for the fault suite: embedded Postgres and the Temporal dev
// server (each stoppable and startable again on the same data), and the sandbox, worker and API as
// `node` processes in process groups of their own, so a kill -9 takes the whole process and cleanup
// can never miss one. Everything listens on 127.0.0.1; logs go to files under the data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyEntry } from '../../lib/crypto/keyring.js';
import { openDatabase } from '../../lib/db/data-source.js';
import {
  ensureTemporalCli,
  freePort,
  startEmbeddedPostgres,
  startTemporalDevServer,
  waitFor,
  type RunningPostgres,
  type RunningTemporal,
} from '../../scripts/stack.js';

export type Service = 'sandbox' | 'worker' | 'api';

const SCRIPTS: Record<Service, string> = { sandbox: 'sandbox/main.ts', worker: 'worker/main.ts', api: 'api/main.ts' };

export interface FaultStackOptions {
  dataDir: string;
  /** Extra environment for the worker and API (cadences). */
  env?: Record<string, string>;
}

interface Managed {
  child: ChildProcess;
  /** Set when we stopped or killed it on purpose; an exit without it is unexpected. */
  expected: boolean;
  exited: Promise<void>;
}

export class FaultStack {
  readonly ports: { api: number; sandbox: number; postgres: number; temporal: number };
  readonly env: Record<string, string>;
  readonly logDir: string;
  postgres: RunningPostgres | undefined;
  temporal: RunningTemporal | undefined;
  /** Processes that died without being told to (a crash is a finding). */
  readonly unexpectedExits: string[] = [];
  private readonly processes = new Map<Service, Managed>();
  private readonly cli: string;
  private readonly removeExitHook: () => void;

  private constructor(
    private readonly options: FaultStackOptions,
    ports: FaultStack['ports'],
  ) {
    this.ports = ports;
    this.logDir = path.join(options.dataDir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
    this.cli = ensureTemporalCli();
    this.env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      API_PORT: String(ports.api),
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_URL: `http://127.0.0.1:${ports.sandbox}`,
      PUBLIC_API_URL: `http://127.0.0.1:${ports.api}`,
      PUBLIC_WEB_URL: 'http://127.0.0.1:9',
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TOKEN_ENCRYPTION_KEYS: generateKeyEntry('faults1'),
      WORKER_METRICS_PORT: '0',
      DATABASE_URL: `postgres://postgres:social-sync-local@127.0.0.1:${ports.postgres}/social_sync`,
      ...options.env,
    };
    // If this process ends in a hurry (an uncaught error, Ctrl-C), nothing we started may outlive it.
    const hook = () => this.killAllNow();
    process.once('exit', hook);
    this.removeExitHook = () => process.off('exit', hook);
  }

  static async start(options: FaultStackOptions): Promise<FaultStack> {
    const [api, sandbox, postgres, temporal] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const stack = new FaultStack(options, { api, sandbox, postgres, temporal });
    try {
      await Promise.all([stack.startPostgres(), stack.startTemporal()]);
      const db = await openDatabase(stack.databaseUrl, { migrate: true, poolSize: 1 });
      await db.destroy();
      await stack.startService('sandbox');
      await stack.startService('worker');
      await stack.startService('api');
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get sandboxUrl(): string {
    return `http://127.0.0.1:${this.ports.sandbox}`;
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL!;
  }

  async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({
      dataDir: path.join(this.options.dataDir, 'postgres'),
      port: this.ports.postgres,
      dbName: 'social_sync',
    });
  }

  async stopPostgres(): Promise<void> {
    await this.postgres?.stop();
    this.postgres = undefined;
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      cli: this.cli,
      port: this.ports.temporal,
      dbFile: path.join(this.options.dataDir, 'temporal.db'),
      logFile: path.join(this.logDir, 'temporal.log'),
    });
  }

  async restartTemporal(): Promise<void> {
    await this.temporal?.stop();
    this.temporal = undefined;
    await this.startTemporal();
  }

  /** Starts a service and waits until it is up (the worker: until it polls; the others: until they answer). */
  async startService(service: Service): Promise<void> {
    const logFile = path.join(this.logDir, `${service}.log`);
    const logged = existsSync(logFile) ? readFileSync(logFile).length : 0;
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPTS[service]], {
      env: {
        ...process.env,
        ...this.env,
        ...(service === 'sandbox' ? { SANDBOX_DATA_DIR: path.join(this.options.dataDir, 'sandbox') } : {}),
      },
      stdio: ['ignore', fd, fd],
      detached: true, // its own process group, killed whole
    });
    closeSync(fd);
    const managed: Managed = {
      child,
      expected: false,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    child.once('exit', (code, signal) => {
      if (!managed.expected) this.unexpectedExits.push(`${service} exited on its own (${signal ?? `code ${code}`})`);
    });
    this.processes.set(service, managed);
    const ready: Record<Service, () => Promise<boolean>> = {
      sandbox: async () => (await fetch(`${this.sandboxUrl}/health`).catch(() => null))?.ok === true,
      api: async () => (await fetch(`${this.apiUrl}/health`).catch(() => null))?.ok === true,
      worker: async () => readFileSync(logFile).subarray(logged).includes('"worker_started"'),
    };
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${service} exited while starting; see ${logFile}`);
        return ready[service]();
      },
      { timeoutMs: 180_000, what: `the ${service}`, intervalMs: 250 },
    );
  }

  /** kill -9 of the service's whole process group; resolves once it is gone. */
  async kill(service: Service): Promise<void> {
    const managed = this.processes.get(service);
    if (!managed) return;
    managed.expected = true;
    signalGroup(managed.child, 'SIGKILL');
    await managed.exited;
  }

  /** SIGTERM (a graceful stop); resolves with how long it took to exit, SIGKILL after graceMs. */
  async terminate(service: Service, graceMs = 90_000): Promise<{ ms: number; code: number | null; signal: string | null }> {
    const managed = this.processes.get(service);
    if (!managed) return { ms: 0, code: null, signal: null };
    managed.expected = true;
    const began = Date.now();
    const timer = setTimeout(() => signalGroup(managed.child, 'SIGKILL'), graceMs);
    // The process itself, not its group: the SDK drains on the signal the process gets.
    managed.child.kill('SIGTERM');
    await managed.exited;
    clearTimeout(timer);
    return { ms: Date.now() - began, code: managed.child.exitCode, signal: managed.child.signalCode };
  }

  /** Whether the service's current process is running. */
  running(service: Service): boolean {
    const child = this.processes.get(service)?.child;
    return Boolean(child && child.exitCode === null && child.signalCode === null);
  }

  logOf(service: Service | 'temporal'): string {
    const file = path.join(this.logDir, `${service}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  async stop(): Promise<void> {
    for (const service of ['api', 'worker', 'sandbox'] as const) {
      const managed = this.processes.get(service);
      if (!managed || managed.child.exitCode !== null || managed.child.signalCode !== null) continue;
      managed.expected = true;
      const timer = setTimeout(() => signalGroup(managed.child, 'SIGKILL'), 10_000);
      signalGroup(managed.child, 'SIGTERM');
      await managed.exited;
      clearTimeout(timer);
    }
    await this.temporal?.stop().catch(() => undefined);
    this.temporal = undefined;
    await this.postgres?.stop().catch(() => undefined);
    this.postgres = undefined;
    this.removeExitHook();
  }

  /** Synchronous last resort (process 'exit'): SIGKILL every group, and tell Postgres to quit at once. */
  private killAllNow(): void {
    for (const { child } of this.processes.values()) signalGroup(child, 'SIGKILL');
    if (this.temporal?.pid) tryKill(this.temporal.pid, 'SIGKILL');
    const pidFile = path.join(this.options.dataDir, 'postgres', 'postmaster.pid');
    if (this.postgres && existsSync(pidFile)) tryKill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid && child.exitCode === null && child.signalCode === null) tryKill(-child.pid, signal);
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
