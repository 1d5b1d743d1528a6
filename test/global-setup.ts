// Starts the real servers the suite runs against, on free ports so a running `npm start` never
// collides: embedded Postgres with a migrated template database, and a Temporal dev server. The
// workflow bundle is built once here and shared by every test worker.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../lib/db/data-source.js';
import { ensureS3Gateway, ensureTemporalCli, freePort, startEmbeddedPostgres, startTemporalDevServer } from '../scripts/stack.js';
import { workflowsPath } from '../worker/worker.js';

export const TEMPLATE_DB = 'social_sync_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template database's URL; tests copy it into their own database. */
    templateDatabaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const workDir = mkdtempSync(path.join(tmpdir(), 'social-sync-test-'));
  chmodSync(workDir, 0o755); // embedded Postgres runs as the postgres user when we are root
  const cli = ensureTemporalCli();
  ensureS3Gateway(); // built now (once per machine), not inside the media storage test's time limit

  // The dashboard is built once here: the tests that run `npm start`'s entry point (several at once)
  // would otherwise each build it into the same web/build when it is missing or stale.
  const dashboard = spawnSync(path.resolve('node_modules/.bin/remix'), ['vite:build', 'web'], { stdio: 'ignore' });
  if (dashboard.status !== 0) throw new Error('The dashboard build failed: run `npm run build:web` to see why.');

  const [postgres, temporal, bundle] = await Promise.all([
    freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(workDir, 'pg'), port, dbName: TEMPLATE_DB, persistent: false })),
    freePort().then((port) => startTemporalDevServer({ cli, port, logFile: path.join(workDir, 'temporal.log') })),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } }),
  ]);
  const template = await openDatabase(postgres.url, { migrate: true, poolSize: 1 });
  await template.destroy();

  const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('templateDatabaseUrl', postgres.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal.stop();
    await postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
}
