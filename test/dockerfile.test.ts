// No Docker engine runs here, so the image's install stage runs as the image would run it: the `deps`
// stage's COPY sources go into an empty directory and its RUN commands run there, word for word, with
// this machine's npm cache. A lock file that `npm ci` refuses, or one that installs other versions than
// it records, fails here rather than in a `docker build`.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

interface Instruction {
  keyword: string;
  args: string;
}

/** The instructions of the `FROM ... AS <name>` stage, continuation lines joined and comments dropped. */
function stage(dockerfile: string, name: string): Instruction[] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const keyword = line.split(/\s/, 1)[0]!;
      return { keyword: keyword.toUpperCase(), args: line.slice(keyword.length).trim() };
    });
  const start = instructions.findIndex((i) => i.keyword === 'FROM' && new RegExp(`\\sAS\\s+${name}$`, 'i').test(i.args));
  if (start < 0) throw new Error(`Dockerfile has no stage named ${name}`);
  const end = instructions.findIndex((i, index) => index > start && i.keyword === 'FROM');
  return instructions.slice(start + 1, end < 0 ? undefined : end);
}

/** Runs a RUN line's shell form the way `docker build` does (`/bin/sh -c`), without the npm settings `npm test` exports. */
function run(command: string, cwd: string): Promise<{ code: number | null; output: string }> {
  // prefer-offline: use the packages this machine already has instead of asking the registry about each one.
  const env = { ...process.env, npm_config_prefer_offline: 'true' };
  for (const key of Object.keys(env)) {
    if (key === 'NODE_ENV' || (/^npm_/i.test(key) && key !== 'npm_config_prefer_offline')) delete (env as Record<string, unknown>)[key];
  }
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface LockEntry {
  version?: string;
  optional?: boolean;
  devOptional?: boolean;
}

const workDir = mkdtempSync(path.join(tmpdir(), 'social-sync-docker-deps-'));
// Some 100k files: removed without blocking, and given time on a busy machine.
afterAll(() => rm(workDir, { recursive: true, force: true }), 600_000);

describe('Dockerfile', () => {
  it('installs exactly the locked packages in its deps stage', { timeout: 900_000 }, async () => {
    const steps = stage(readFileSync(path.join(root, 'Dockerfile'), 'utf8'), 'deps');
    expect(steps.map((step) => step.keyword)).toContain('RUN');

    for (const { keyword, args } of steps) {
      if (keyword === 'WORKDIR') continue; // the temporary directory stands for it
      if (keyword === 'COPY') {
        const [destination, ...sources] = args.split(/\s+/).reverse();
        expect(args, 'COPY from the build context into WORKDIR only').not.toMatch(/--/);
        expect(destination).toMatch(/^\.\/?$/);
        for (const source of sources) copyFileSync(path.join(root, source), path.join(workDir, path.basename(source)));
        continue;
      }
      if (keyword === 'RUN') {
        expect(args, 'shell form only').not.toMatch(/^\[/);
        const { code, output } = await run(args, workDir);
        expect(code, `${args}\n${output}`).toBe(0);
        continue;
      }
      throw new Error(`this test does not know how to run ${keyword} in the deps stage`);
    }

    const lockFile = 'package-lock.json';
    expect(readFileSync(path.join(workDir, lockFile), 'utf8')).toBe(readFileSync(path.join(root, lockFile), 'utf8'));
    const lock = JSON.parse(readFileSync(path.join(root, lockFile), 'utf8')) as { packages: Record<string, LockEntry> };
    const mismatches: string[] = [];
    let installed = 0;
    for (const [location, entry] of Object.entries(lock.packages)) {
      if (!location.startsWith('node_modules/')) continue;
      const manifest = path.join(workDir, location, 'package.json');
      if (!existsSync(manifest)) {
        // Only another platform's optional binaries may be left out.
        if (!entry.optional && !entry.devOptional) mismatches.push(`${location}: missing`);
        continue;
      }
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
      if (version !== entry.version) mismatches.push(`${location}: ${version}, locked ${entry.version}`);
      installed += 1;
    }
    expect(mismatches).toEqual([]);
    expect(installed).toBeGreaterThan(500);
  });
});
