// The unused-media cleanup, run by the post sweep's workflow on a real worker, Temporal and Postgres:
// images nobody uses a day after upload are removed, rows and files; images a post may still show,
// publish or retry are kept, as are fresh uploads and an image a post being saved holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mediaStorageFor } from '../lib/media-storage.js';
import { pngImage } from '../test/support/images.js';
import { startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-media-cleanup-'));
  system = await startTestSystem({ DATA_DIR: dataDir, SYNC_INTERVAL_SECONDS: '3600', POST_SWEEP_SECONDS: '0' });
  api = await system.login();
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function upload(hoursAgo: number): Promise<{ id: number; key: string }> {
  const res = await api(`/api/v1/media?business_id=${system.user.businessId}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: new Uint8Array(pngImage(32, 32)),
  });
  expect(res.status).toBe(201);
  const { id } = await res.json();
  // TypeORM answers an UPDATE ... RETURNING with [rows, count].
  const [[{ storage_key: key }]] = await system.db.query(
    `UPDATE media SET created_at = now() - make_interval(hours => $2) WHERE id = $1 RETURNING storage_key`,
    [id, hoursAgo],
  );
  return { id, key };
}

async function postWith(status: string, mediaIds: number[]): Promise<void> {
  await system.db.query(`INSERT INTO posts (business_id, text, status, media_ids) VALUES ($1, 'p', $2, $3)`, [
    system.user.businessId,
    status,
    mediaIds,
  ]);
}

const sweep = () =>
  system.temporal.workflow.execute('postSweepWorkflow', {
    taskQueue: system.config.TEMPORAL_TASK_QUEUE,
    workflowId: `post-sweep-test-${Date.now()}`,
    args: [],
  });

it('removes images nobody uses a day after upload, rows and files, and keeps every image in use', async () => {
  const storage = mediaStorageFor(system.config);
  const never = await upload(25); // uploaded, never attached
  const canceledOnly = await upload(30); // only in a canceled post
  const fileGone = await upload(48); // its file already removed (a run that crashed before its commit)
  const inDraft = await upload(72);
  const inPublished = await upload(72); // also in a canceled post: still shown with the published one
  const inFailed = await upload(72); // "check and retry" needs it
  const fresh = await upload(1); // the user may still attach it
  const beingSaved = await upload(30); // a post naming it is being saved right now
  await postWith('canceled', [canceledOnly.id, inPublished.id]);
  await postWith('draft', [inDraft.id]);
  await postWith('published', [inPublished.id]);
  await postWith('failed', [inFailed.id]);
  await storage.delete(fileGone.key);

  const saving = system.db.createQueryRunner();
  await saving.connect();
  try {
    await saving.startTransaction();
    await saving.query('SELECT id FROM media WHERE id = $1 FOR KEY SHARE', [beingSaved.id]); // as api/posts.ts does
    await sweep();
    await saving.commitTransaction();
  } finally {
    await saving.release();
  }

  const left: number[] = (await system.db.query('SELECT id FROM media ORDER BY id')).map((r: { id: number }) => r.id);
  expect(left).toEqual([inDraft.id, inPublished.id, inFailed.id, fresh.id, beingSaved.id]);
  for (const gone of [never, canceledOnly, fileGone]) expect(await storage.get(gone.key)).toBeNull();
  for (const kept of [inDraft, inPublished, inFailed, fresh, beingSaved]) expect(await storage.get(kept.key)).not.toBeNull();

  // Once the save ended without a post naming it, the next run removes it; a run with nothing to do is harmless.
  await sweep();
  await sweep();
  const after: number[] = (await system.db.query('SELECT id FROM media ORDER BY id')).map((r: { id: number }) => r.id);
  expect(after).toEqual([inDraft.id, inPublished.id, inFailed.id, fresh.id]);
  expect(await storage.get(beingSaved.key)).toBeNull();
  expect(await storage.get(inDraft.key)).not.toBeNull();
});

it('refuses a post naming an image the cleanup removed (404), rather than saving a post without it', async () => {
  const { id } = await upload(30);
  const [account] = await system.db.query(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, status) VALUES ($1, 'twitter', 'x-cleanup', 'x', 'active') RETURNING id`,
    [system.user.businessId],
  );
  await sweep();
  const res = await api('/api/v1/posts', {
    method: 'POST',
    body: JSON.stringify({
      business_id: system.user.businessId,
      text: 'Late',
      targets: [{ account_id: account.id }],
      media_ids: [id],
      draft: true,
    }),
  });
  expect(res.status).toBe(404);
});
