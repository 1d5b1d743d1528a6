// Imported by start.test.ts (one file: stacks never start side by side). Ctrl-C at any moment of `npm start`'s start-up stops everything within 10 s and leaves no stack trace
// in the terminal or any log; a DATA_DIR the postgres user cannot reach gets one clear line (issue 10
// item 18). Ctrl-C is a SIGINT to the whole foreground process group, so that is what the test sends.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stackEnv } from '../support/stack.js';

const root = mkdtempSync(path.join(tmpdir(), 'social-sync-interrupt-'));
chmodSync(root, 0o755);

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Started {
  output: () => string;
  exited: Promise<number | null>;
  pgid: number;
}

function start(env: Record<string, string>): Started {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  // detached: its own process group, like a shell job, so the group can be signalled as a terminal does.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...inherited, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { output: () => output, exited, pgid: child.pid! };
}

/** Processes of this start: its data directory is in their command line (Postgres, Temporal) or environment (the rest). */
function processesOf(dataDir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(dataDir) || environ.includes(`DATA_DIR=${dataDir}`)) found.push(`${pid} ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile, or a zombie
    }
  }
  return found;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const STACK_LINE = /(^|\\n|\n)\s+at .+(\(|:\d+)/;

function logsOf(dataDir: string): Record<string, string> {
  const dir = path.join(dataDir, 'logs');
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}

// The moments to press Ctrl-C: just as each step's line is printed, and while the worker bundles its
// workflows (it starts with the API and the dashboard, and bundling takes seconds).
const MOMENTS = [
  { during: 'Postgres', marker: '• starting Postgres', delayMs: 300 },
  { during: 'the Temporal dev server', marker: '• starting Temporal dev server', delayMs: 300 },
  { during: 'migrations', marker: '• starting migrations', delayMs: 100 },
  { during: 'worker bundling', marker: '• starting sandbox, worker', delayMs: 2_500 },
  { during: 'running', marker: 'Social Sync is running.', delayMs: 0 },
];

describe('Ctrl-C during start-up', () => {
  it.each(MOMENTS)('stops everything within 10 s, with no stack trace, during $during', { timeout: 300_000 }, async (moment) => {
    const dataDir = path.join(root, moment.during.replace(/\W+/g, '-'));
    const env = await stackEnv(dataDir);
    const run = start(env);
    expect(await waitUntil(() => run.output().includes(moment.marker), 240_000), run.output()).toBe(true);
    await new Promise((r) => setTimeout(r, moment.delayMs));

    process.kill(-run.pgid, 'SIGINT');
    const stopped = await waitUntil(() => processesOf(dataDir).length === 0, 10_000);
    const left = processesOf(dataDir);
    for (const line of left) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    expect(stopped, `still running 10 s after Ctrl-C:\n${left.join('\n')}\n${run.output()}`).toBe(true);
    expect(await run.exited).toBe(0);

    expect(run.output()).not.toMatch(STACK_LINE);
    for (const [name, text] of Object.entries(logsOf(dataDir))) expect(text, `${name} has a stack trace`).not.toMatch(STACK_LINE);
  });
});

describe('DATA_DIR', () => {
  it('one the postgres user cannot reach, when started as root, gets one clear line and no stack trace', async (context) => {
    if (process.getuid?.() !== 0) return context.skip(); // only root hands Postgres to the postgres user
    const closed = path.join(root, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    chmodSync(closed, 0o700);
    const env = await stackEnv(path.join(closed, 'data'));
    const run = start(env);
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain(
      `Could not start: Postgres runs as the "postgres" user when started as root, and that user cannot enter ${closed}`,
    );
    expect(out).not.toMatch(STACK_LINE);
  });
});
