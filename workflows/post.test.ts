// The post workflow against the real Temporal dev server, Postgres and the sandbox: a scheduled post
// publishes at its time; an edit moves the timer (an update, no restart); cancel; a refusal with its
// reason; a 429 waits for the reset; an account that must reconnect; and exactly once through crashes:
// kill -9 of the worker before, during and after the provider call, and the sandbox's commit_then_error
// and commit_then_hang. Every target ends published once (counted in /admin/published) or unconfirmed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  cancelPost,
  ensurePostSweepSchedule,
  PostActionRefused,
  postSweepScheduleId,
  queryPostStatus,
  reschedulePost,
  retryPostTarget,
  startPostWorkflow,
} from '../lib/post-workflows.js';
import { postWorkflowId } from './contract.js';
import { TEST_KEYS, startTestWorker } from '../test/support/env.js';
import { jpegImage } from '../test/support/images.js';
import { recordHistories } from '../test/support/histories.js';
import { connect, connectMetaPick, sandboxAdmin, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';

let system: TestSystem;
let api: ApiClient;
let businessId: number;
let xAccount: number;
let linkedinAccount: number; // an organization page
let facebookAccount: number;
let instagramAccount: number; // the Instagram Business account of FACEBOOK_PAGE
let image: number; // an uploaded JPEG: Instagram has no text-only posts
let dataDir: string;
const FACEBOOK_PAGE = '20000000000000001';
const INSTAGRAM_USER = '17841400000000001';
const X_USER = '1700000000000000001';

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-post-'));
  system = await startTestSystem({
    DATA_DIR: dataDir,
    SYNC_INTERVAL_SECONDS: '3600',
    TWITTER_SCOPES: 'tweet.read tweet.write users.read media.write offline.access',
  });
  api = await system.login();
  businessId = system.user.businessId;
  xAccount = await connectAccount('twitter', X_USER);
  linkedinAccount = await connectAccount('linkedin', 'sbxLiMember02');
  const accounts = await connectMetaPick(api, businessId, { pageIds: [FACEBOOK_PAGE], instagramIds: [INSTAGRAM_USER] });
  facebookAccount = accounts.find((a) => a.platform === 'meta')!.id;
  instagramAccount = accounts.find((a) => a.platform === 'instagram')!.id;
  // Uploaded through the API, as the composer does; the sandbox fetches it from its signed URL as Meta would.
  const uploaded = await api(`/api/v1/media?business_id=${businessId}`, {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg' },
    body: new Uint8Array(jpegImage(1080, 1080)),
  });
  expect(uploaded.status).toBe(201);
  image = (await uploaded.json()).id;
});

afterAll(async () => {
  await system?.temporal.schedule
    .getHandle(postSweepScheduleId(system.config.TEMPORAL_TASK_QUEUE))
    .delete()
    .catch(() => undefined);
  if (process.env.RECORD_HISTORIES === '1' && system) await recordHistories(system);
  await system?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function connectAccount(platform: string, identity?: string): Promise<number> {
  const res = await connect(api, platform, businessId, 'allow', identity);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.accounts[0].id;
}

/** The platforms the crash tests run on: where each creates a post, and where it reads posts back. */
function channels() {
  return [
    { name: 'X', platform: 'twitter', account: () => xAccount, createPath: '/2/tweets', readPath: '/2/users/' },
    { name: 'LinkedIn', platform: 'linkedin', account: () => linkedinAccount, createPath: '/rest/posts', readPath: '/rest/posts' },
    // No read fault: a Graph 5xx-shaped answer is retried by the read-back, so it cannot make a target unconfirmed.
    { name: 'Facebook', platform: 'meta', account: () => facebookAccount, createPath: `/${FACEBOOK_PAGE}/feed`, readPath: null },
    // The call that makes the post is media_publish (the container before it makes nothing visible); the
    // read-back is the container's status_code. No read fault: the read paths (/{ig-user-id}/media, the
    // container) share their prefix with the container's creation, which a fault would hit first.
    {
      name: 'Instagram',
      platform: 'meta',
      account: () => instagramAccount,
      createPath: `/${INSTAGRAM_USER}/media_publish`,
      readPath: null,
      media: () => [image],
    },
  ] as { name: string; platform: string; account: () => number; createPath: string; readPath: string | null; media?: () => number[] }[];
}

const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;
const inSeconds = (s: number) => new Date(Date.now() + s * 1000);

/** Stores a scheduled post with one target per account (as the API does) and starts its workflow. */
async function schedulePost(
  text: string,
  accountIds: number[],
  at: Date,
  targetStatus = 'scheduled',
  mediaIds: number[] = [],
): Promise<number> {
  const [{ id }] = await system.db.query(
    `INSERT INTO posts (business_id, text, scheduled_at, status, media_ids) VALUES ($1, $2, $3, 'scheduled', $4) RETURNING id`,
    [businessId, text, at, mediaIds],
  );
  const targets: { platform: string }[] = await system.db.query(
    `INSERT INTO post_targets (post_id, account_id, business_id, platform, status)
     SELECT $1, id, business_id, platform, $3 FROM social_accounts WHERE id = ANY($2) RETURNING platform`,
    [id, accountIds, targetStatus],
  );
  await startPostWorkflow(system.temporal, system.config.TEMPORAL_TASK_QUEUE, {
    postId: id,
    businessId,
    platforms: targets.map((t) => t.platform),
  });
  return id;
}

const postRow = async (id: number) => (await system.db.query('SELECT * FROM posts WHERE id = $1', [id]))[0];
const targetRows = (id: number) => system.db.query('SELECT * FROM post_targets WHERE post_id = $1 ORDER BY id', [id]);
const SETTLED = ['published', 'failed', 'partially_published', 'unconfirmed', 'canceled'];

async function settled(id: number, timeout = 60_000): Promise<any> {
  await expect.poll(async () => (await postRow(id)).status, { timeout, interval: 250 }).toSatisfy((s: string) => SETTLED.includes(s));
  return postRow(id);
}

/** How many times the sandbox accepted this text (any platform). */
async function timesPublished(text: string): Promise<number> {
  const { published } = await sandboxAdmin(system, '/published');
  return published.filter((p: { text: string }) => p.text === text).length;
}

async function faults(...list: Record<string, unknown>[]): Promise<void> {
  await sandboxAdmin(system, '/faults', undefined, 'DELETE');
  for (const fault of list) await sandboxAdmin(system, '/faults', fault);
}

describe('post workflow', () => {
  it('publishes a scheduled post at its time, once, and operators find it by business, platform and status', async () => {
    const text = unique('Fresh croissants at 8');
    const at = inSeconds(4);
    const postId = await schedulePost(text, [xAccount, linkedinAccount], at);
    await expect.poll(async () => (await queryPostStatus(system.temporal, postId)).targets.length).toBe(2);
    expect((await postRow(postId)).status).toBe('scheduled');
    const done = await settled(postId);
    expect(done.status).toBe('published');
    const [x, linkedin] = await targetRows(postId);
    expect(x).toMatchObject({ status: 'published', error: null, attempts: 1 });
    expect(x.provider_post_id).toMatch(/^\d+$/);
    expect(x.permalink).toContain(x.provider_post_id);
    expect(x.published_at.getTime()).toBeGreaterThanOrEqual(at.getTime());
    expect(linkedin).toMatchObject({ status: 'published', error: null, attempts: 1 });
    expect(linkedin.provider_post_id).toMatch(/^urn:li:share:/);
    expect(await timesPublished(text)).toBe(2); // once on each
    await expect
      .poll(
        async () => {
          const ids: string[] = [];
          for await (const wf of system.temporal.workflow.list({
            // Platform is one keyword (shared with account workflows): a post to several holds the first, sorted.
            query: `BusinessId = "${businessId}" AND Platform = "linkedin" AND PostStatus = "published"`,
          }))
            ids.push(wf.workflowId);
          return ids;
        },
        { timeout: 15_000 },
      )
      .toContain(postWorkflowId(postId));
  });

  it('waits for a post scheduled later, answering its status query', async () => {
    const postId = await schedulePost(unique('Next week'), [xAccount], inSeconds(7 * 86_400));
    await expect.poll(async () => (await queryPostStatus(system.temporal, postId)).targets[0]?.status).toBe('scheduled');
    expect((await postRow(postId)).status).toBe('scheduled');
  });

  it('moves the timer when the post is edited (an update, not a restart)', async () => {
    const text = unique('Moved: tasting at noon');
    const postId = await schedulePost(text, [xAccount], inSeconds(3600));
    const { runId } = await system.temporal.workflow.getHandle(postWorkflowId(postId)).describe();
    const at = inSeconds(2);
    await system.db.query(`UPDATE posts SET scheduled_at = $2 WHERE id = $1 AND status = 'scheduled'`, [postId, at]);
    const view = await reschedulePost(system.temporal, postId, at);
    expect(view?.scheduledAt).toBe(at.toISOString());
    expect((await settled(postId)).status).toBe('published');
    expect((await system.temporal.workflow.getHandle(postWorkflowId(postId)).describe()).runId).toBe(runId);
    expect(await timesPublished(text)).toBe(1);
  });

  it('cancels a scheduled post, and refuses to edit or cancel once publishing began', async () => {
    const text = unique('Canceled special');
    const postId = await schedulePost(text, [xAccount], inSeconds(3600));
    await system.db.query(`UPDATE posts SET status = 'canceled' WHERE id = $1 AND status = 'scheduled'`, [postId]);
    const view = await cancelPost(system.temporal, postId);
    expect(view?.status).toBe('canceled');
    await expect
      .poll(async () => (await system.temporal.workflow.getHandle(postWorkflowId(postId)).describe()).status.name)
      .toBe('COMPLETED');
    expect((await targetRows(postId))[0].status).toBe('canceled');
    expect(await timesPublished(text)).toBe(0);

    await faults({ platform: 'twitter', kind: 'latency', times: 1, delayMs: 3000, pathPrefix: '/2/tweets' });
    const busy = await schedulePost(unique('Too late to cancel'), [xAccount], inSeconds(0));
    await expect.poll(async () => (await postRow(busy)).status).toBe('publishing');
    const refused = await cancelPost(system.temporal, busy).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PostActionRefused);
    expect(refused).toMatchObject({ code: 'post_publishing_began' });
    const moved = await reschedulePost(system.temporal, busy, inSeconds(600)).catch((e: unknown) => e);
    expect(moved).toMatchObject({ code: 'post_publishing_began' });
    expect((await settled(busy)).status).toBe('published');
  });

  it('fails a target the provider refuses, with the reason, and retries it on request', async () => {
    await faults({ platform: 'twitter', kind: 'server_error', status: 400, times: 1, pathPrefix: '/2/tweets' });
    const text = unique('Refused once');
    const postId = await schedulePost(text, [xAccount], inSeconds(0));
    expect((await settled(postId)).status).toBe('failed');
    const [target] = await targetRows(postId);
    expect(target.status).toBe('failed');
    expect(target.error).toMatch(/X/);
    expect(await timesPublished(text)).toBe(0);

    const view = await retryPostTarget(system.temporal, postId, xAccount);
    expect(view.targets[0]).toMatchObject({ status: 'published' });
    expect((await postRow(postId)).status).toBe('published');
    expect(await timesPublished(text)).toBe(1);
    const again = await retryPostTarget(system.temporal, postId, xAccount).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'post_not_retryable' });
  });

  it('waits for the reset after a 429, then publishes once', async () => {
    await faults({ platform: 'twitter', kind: 'rate_limit', times: 1, pathPrefix: '/2/tweets', resetSeconds: 3 });
    const text = unique('Rate limited');
    const started = Date.now();
    const postId = await schedulePost(text, [xAccount], inSeconds(0));
    expect((await settled(postId)).status).toBe('published');
    const [target] = await targetRows(postId);
    expect(target.published_at.getTime() - started).toBeGreaterThanOrEqual(2_000);
    expect(await timesPublished(text)).toBe(1);
  });

  it('fails the target of an account that must reconnect, saying so', async () => {
    const other = await connectAccount('twitter', '1700000000000000002');
    await system.db.query(`UPDATE social_accounts SET status = 'reconnect_required' WHERE id = $1`, [other]);
    const postId = await schedulePost(unique('Needs reconnect'), [other, xAccount], inSeconds(0));
    expect((await settled(postId)).status).toBe('partially_published');
    const targets = await targetRows(postId);
    const failed = targets.find((t: { account_id: number }) => t.account_id === other);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.error).toMatch(/^Reconnect X account @\S+ to publish/);
  });

  it('asks the account workflow to refresh when the provider refuses the token, then publishes', async () => {
    const before = (await system.db.query('SELECT token_expires_at FROM social_accounts WHERE id = $1', [xAccount]))[0];
    await sandboxAdmin(system, '/tokens/expire', { platform: 'twitter', userId: X_USER });
    const text = unique('After a refresh');
    const postId = await schedulePost(text, [xAccount], inSeconds(0));
    expect((await settled(postId)).status).toBe('published');
    const after = (await system.db.query('SELECT token_expires_at FROM social_accounts WHERE id = $1', [xAccount]))[0];
    expect(after.token_expires_at.getTime()).toBeGreaterThan(before.token_expires_at.getTime());
    expect(await timesPublished(text)).toBe(1);
  });

  describe.each(channels())('exactly once on $name', (channel) => {
    const media = () => channel.media?.() ?? [];
    it('reads back after commit_then_error (the post was created, the answer a 5xx)', async () => {
      await faults({ platform: channel.platform, kind: 'commit_then_error', times: 1, pathPrefix: channel.createPath });
      const text = unique('Committed then 5xx');
      const postId = await schedulePost(text, [channel.account()], inSeconds(0), 'scheduled', media());
      expect((await settled(postId)).status).toBe('published');
      expect(await timesPublished(text)).toBe(1);
      const [target] = await targetRows(postId);
      expect(target.attempts).toBe(1);
    });

    it('reads back after commit_then_hang (the post was created, the answer never came in time)', async () => {
      await faults({ platform: channel.platform, kind: 'commit_then_hang', times: 1, pathPrefix: channel.createPath, delayMs: 20_000 });
      const text = unique('Committed then hung');
      const postId = await schedulePost(text, [channel.account()], inSeconds(0), 'scheduled', media());
      expect((await settled(postId, 90_000)).status).toBe('published');
      expect(await timesPublished(text)).toBe(1);
      expect((await targetRows(postId))[0].attempts).toBe(1);
    }, 120_000);

    it.runIf(channel.readPath)(
      'leaves a target unconfirmed when the read-back cannot tell, and "check and retry" finds it published, never re-sent',
      async () => {
        await faults(
          { platform: channel.platform, kind: 'commit_then_error', times: 1, pathPrefix: channel.createPath },
          { platform: channel.platform, kind: 'server_error', status: 400, times: 1, pathPrefix: channel.readPath! },
        );
        const text = unique('Unconfirmed at first');
        const postId = await schedulePost(text, [channel.account()], inSeconds(0), 'scheduled', media());
        expect((await settled(postId)).status).toBe('unconfirmed');
        const [target] = await targetRows(postId);
        expect(target.status).toBe('unconfirmed');
        expect(target.error).toMatch(/^We could not confirm whether this post was published: .*Check the account before posting again/);
        expect(await timesPublished(text)).toBe(1);

        const view = await retryPostTarget(system.temporal, postId, channel.account());
        expect(view.targets[0]).toMatchObject({ status: 'published', error: null });
        expect((await postRow(postId)).status).toBe('published');
        expect((await targetRows(postId))[0]).toMatchObject({ attempts: 1, status: 'published' });
        expect(await timesPublished(text)).toBe(1);
      },
    );

    it('publishes once when the worker is killed before the provider call', async () => {
      const text = unique('Killed before the call');
      const holder = system.db.createQueryRunner();
      await holder.connect();
      const postId = await withDoomedWorker(async (kill) => {
        // The target's row is held, so the worker stops at "attempt began", right before the call. (The
        // target starts out publishing, so the claim, which moves scheduled targets, passes it by.)
        const id = await schedulePost(text, [channel.account()], inSeconds(3600), 'publishing', media());
        await holder.startTransaction();
        await holder.query('SELECT id FROM post_targets WHERE post_id = $1 FOR UPDATE', [id]);
        await system.db.query(`UPDATE posts SET scheduled_at = now() WHERE id = $1`, [id]);
        await reschedulePost(system.temporal, id, new Date());
        const waiting = async () =>
          (
            await system.db.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          )[0].n;
        await expect.poll(waiting, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
        kill();
        await holder.rollbackTransaction();
        expect(await timesPublished(text)).toBe(0);
        return id;
      }).finally(() => holder.release());
      expect((await settled(postId, 90_000)).status).toBe('published');
      expect(await timesPublished(text)).toBe(1);
    }, 180_000);

    it('publishes once when the worker is killed during the provider call', async () => {
      const text = unique('Killed during the call');
      const postId = await withDoomedWorker(async (kill) => {
        await faults({ platform: channel.platform, kind: 'latency', times: 1, delayMs: 4000, pathPrefix: channel.createPath });
        const id = await schedulePost(text, [channel.account()], inSeconds(0), 'scheduled', media());
        await expect.poll(async () => (await targetRows(id))[0].attempt_started_at, { timeout: 60_000, interval: 50 }).not.toBeNull();
        kill();
        return id;
      });
      expect((await settled(postId, 90_000)).status).toBe('published');
      expect(await timesPublished(text)).toBe(1);
    }, 180_000);

    it('publishes once when the worker is killed after the provider created the post', async () => {
      const text = unique('Killed after the call');
      const postId = await withDoomedWorker(async (kill) => {
        await faults({ platform: channel.platform, kind: 'commit_then_hang', times: 1, delayMs: 10_000, pathPrefix: channel.createPath });
        const id = await schedulePost(text, [channel.account()], inSeconds(0), 'scheduled', media());
        await expect.poll(() => timesPublished(text), { timeout: 60_000, interval: 50 }).toBe(1);
        kill();
        return id;
      });
      expect((await settled(postId, 90_000)).status).toBe('published');
      expect(await timesPublished(text)).toBe(1);
      expect((await targetRows(postId))[0].attempts).toBe(1);
    }, 180_000);
  });

  it('restores a due post whose workflow was terminated (the safety sweep), and publishes it once', async () => {
    const text = unique('Swept up');
    const postId = await schedulePost(text, [xAccount], inSeconds(3600));
    await system.temporal.workflow.getHandle(postWorkflowId(postId)).terminate('test: a lost workflow');
    await system.db.query(`UPDATE posts SET scheduled_at = now() WHERE id = $1`, [postId]);
    await ensurePostSweepSchedule(system.temporal, system.config.TEMPORAL_TASK_QUEUE, 2);
    expect((await settled(postId, 60_000)).status).toBe('published');
    expect(await timesPublished(text)).toBe(1);
  });
});

/**
 * Runs `work` with the test's worker stopped and a worker child process in its place; `work` kills it
 * (SIGKILL) when it chooses. Then the test's worker starts again and the child is surely gone.
 */
async function withDoomedWorker<T>(work: (kill: () => void) => Promise<T>): Promise<T> {
  await system.worker.stop();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: system.databaseUrl,
      TEMPORAL_ADDRESS: system.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: system.config.TEMPORAL_TASK_QUEUE,
      TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
      SANDBOX_URL: system.sandbox.url,
      // The same media storage and public address as the API, so it reads and signs the same images.
      DATA_DIR: system.config.DATA_DIR,
      PUBLIC_API_URL: system.config.PUBLIC_API_URL,
      TWITTER_SCOPES: system.config.TWITTER_SCOPES,
      WORKER_METRICS_PORT: '0',
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`the worker child exited (${code}) before it was ready`)));
    });
    return await work(() => child.kill('SIGKILL'));
  } finally {
    child.kill('SIGKILL');
    system.worker = await startTestWorker(system.config, system.db);
  }
}
