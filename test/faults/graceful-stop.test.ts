// Issue 10 item 9: a graceful stop never loses a grant. The worker process gets SIGTERM while an X
// refresh waits on a slowed token endpoint (the provider has already been asked to rotate the refresh
// token); the SDK drains the activity, the rotated pair is stored, and the process exits on its own
// well within shutdownGraceTime (45 s, worker/worker.ts; compose gives it 60 s).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../lib/db/data-source.js';
import { seedDemo } from '../../lib/db/seed.js';
import { ApiSession, sandboxAdmin } from './client.js';
import { RefreshWatch } from './refresh-watch.js';
import { FaultStack } from './stack.js';

const SHUTDOWN_GRACE_MS = 45_000;
const TOKEN_CALL_MS = 8_000; // below the providers' 15 s client timeout: the call answers, late

let dataDir: string;
let stack: FaultStack | undefined;
let db: DataSource | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-sigterm-'));
  chmodSync(dataDir, 0o755); // embedded Postgres runs as the postgres user when we are root
  stack = await FaultStack.start({ dataDir });
  db = await openDatabase(stack.databaseUrl, { poolSize: 2 });
});

afterAll(async () => {
  await db?.destroy();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('drains an in-flight refresh on SIGTERM: the rotated token is stored and the worker exits cleanly in time', async () => {
  const { businessId } = await seedDemo(db!, { email: 'sigterm@example.com', password: 'sigterm-password', businessName: 'Sigterm Co.' });
  const session = new ApiSession(stack!.apiUrl, businessId);
  await session.login('sigterm@example.com', 'sigterm-password');
  const [x] = await sandboxAdmin<{ id: string }[]>(stack!.sandboxUrl, '/identities', [
    { platform: 'x', username: 'sigterm_x', name: 'Sigterm' },
  ]);
  const [accountId] = await session.connect('twitter', x!.id);
  const before = (await db!.query('SELECT refresh_token_enc FROM social_accounts WHERE id = $1', [accountId]))[0];

  await sandboxAdmin(stack!.sandboxUrl, '/faults', {
    platform: 'x',
    kind: 'latency',
    pathPrefix: '/2/oauth2/token',
    delayMs: TOKEN_CALL_MS,
  });
  const t0 = new Date();
  const refresh = session.call(`/api/v1/oauth/twitter/refresh?business_id=${businessId}&account_id=${accountId}`, {
    method: 'POST',
    signal: AbortSignal.timeout(240_000),
  });
  // The call answers only after the refresh; an answer before it began is a refusal, shown as such.
  const began = await Promise.race([
    new RefreshWatch(db!).waitForRefreshStart(accountId!, t0, 60_000),
    refresh.then(async (res) => `answered ${res.status} before the refresh began: ${await res.clone().text()}`),
  ]);
  expect(began).toBe(true);
  await new Promise((r) => setTimeout(r, 1_000)); // inside the provider call

  const stopped = await stack!.terminate('worker');
  expect(stopped.code, stack!.logOf('worker').slice(-3000)).toBe(0);
  expect(stopped.ms).toBeLessThan(SHUTDOWN_GRACE_MS);
  expect(stopped.ms).toBeGreaterThan(TOKEN_CALL_MS - 2_000); // it waited for the call, not cut it
  expect(stack!.logOf('worker')).toContain('"worker_stopped"');

  const after = (
    await db!.query('SELECT status, refresh_token_enc, refresh_outcome, refresh_finished_at FROM social_accounts WHERE id = $1', [
      accountId,
    ])
  )[0];
  expect(after).toMatchObject({ status: 'active', refresh_outcome: 'success' });
  expect(after.refresh_finished_at).not.toBeNull();
  expect(after.refresh_token_enc).not.toBe(before.refresh_token_enc);

  // A new worker finishes the workflow's side, and the stored (rotated) refresh token still refreshes.
  await stack!.startService('worker');
  expect((await refresh).status).toBe(200);
  const again = await session.json<{ success: boolean }>(
    `/api/v1/oauth/twitter/refresh?business_id=${businessId}&account_id=${accountId}`,
    { method: 'POST' },
  );
  expect(again.success).toBe(true);
  const final = (await db!.query('SELECT status, refresh_outcome FROM social_accounts WHERE id = $1', [accountId]))[0];
  expect(final).toMatchObject({ status: 'active', refresh_outcome: 'success' });
}, 420_000);
