// Replays every recorded history (test/histories, made by `npm run record:histories`) against today's
// workflow code, so a change that would break running workflows fails here before it ships.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR } from '../support/histories.js';

function histories() {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
    }));
}

async function replayAll(options: Parameters<typeof Worker.runReplayHistories>[0]) {
  const results: { workflowId: string; error?: unknown }[] = [];
  for await (const result of Worker.runReplayHistories(options, histories())) results.push(result);
  return results;
}

describe('replay of recorded histories', () => {
  it('covers every scenario the recorder runs', () => {
    const names = histories().map((h) => h.workflowId);
    expect(names.some((n) => n.startsWith('account_') && n.includes('__continued_as_new__'))).toBe(true);
    expect(names.some((n) => n.startsWith('account_') && n.includes('__completed__'))).toBe(true); // disconnect
    expect(names.some((n) => n.startsWith('connect_oauth_'))).toBe(true);
    expect(names.some((n) => n.startsWith('connect_meta-selection_'))).toBe(true);
    expect(names.some((n) => n.startsWith('post_') && n.includes('__running__'))).toBe(true); // waiting for its time
    expect(names.some((n) => n.startsWith('post_') && n.includes('__completed__'))).toBe(true);
    const events = histories().flatMap((h) => h.history.events.map((e: Record<string, unknown>) => JSON.stringify(e)));
    for (const marker of [
      'refreshAccessToken',
      'syncAccount',
      'finishFailedSync',
      'disconnectAccount',
      'reconnected',
      'syncNow',
      'refreshNow',
      // Post workflows: published, edited, canceled, failed, unconfirmed then reconciled, a refresh, the sweep.
      'claimPost',
      'publishTarget',
      'reconcileTarget',
      'settleTarget',
      'reopenTarget',
      'refreshAccountToken',
      'sweepDuePosts',
      'reschedule',
      'cancel',
      'retryTarget',
    ]) {
      expect(
        events.some((e) => e.includes(marker)),
        marker,
      ).toBe(true);
    }
  });

  it('replays every history against the current workflow code', async () => {
    const results = await replayAll({ workflowBundle: { codePath: inject('workflowBundlePath') } });
    expect(results.length).toBeGreaterThan(5);
    for (const result of results) expect(result.error, result.workflowId).toBeUndefined();
  });

  it('fails the replay when the workflow code changes non-deterministically', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./nondeterministic-workflows.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const results = await replayAll({ workflowBundle: bundle });
    const accountResults = results.filter((r) => r.workflowId.startsWith('account_'));
    expect(accountResults.length).toBeGreaterThan(0);
    for (const result of accountResults) expect(result.error, result.workflowId).toBeInstanceOf(DeterminismViolationError);
    // The connect workflow did not change, so its histories still replay.
    for (const result of results.filter((r) => r.workflowId.startsWith('connect_'))) expect(result.error).toBeUndefined();
  });
});
