// The posts API against the real back end (Postgres, the Temporal dev server with a worker running the
// post workflow, the sandbox): compose, list, read, edit, cancel and retry, with the database as the
// source of truth (a compare-and-set on the status the workflow claims with), tenancy on every id, and
// compose-time validation per platform.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../lib/db/seed.js';
import { queryPostStatus } from '../lib/post-workflows.js';
import { createFakeProvider, FAKE_METADATA } from '../providers/fake/index.js';
import { registerProvider } from '../providers/registry.js';
import { pngImage } from '../test/support/images.js';
import { connect, startTestSystem, type ApiClient, type TestSystem } from '../test/support/system.js';
import { postWorkflowId } from '../workflows/contract.js';

const X_SCOPES = 'tweet.read tweet.write users.read media.write offline.access';

let system: TestSystem;
let api: ApiClient;
let rivalApi: ApiClient;
let businessId: number;
let rivalBusinessId: number;
let dataDir: string;
let unregisterFake: () => void;
const accounts = {} as Record<'x' | 'reconnect' | 'noScope' | 'fake' | 'rival', number>;
let rivalMedia: number;

async function insertAccount(
  business: number,
  platform: string,
  fields: { status?: string; scopes?: string | null; statusMessage?: string } = {},
) {
  const [{ id }] = await system.db.query(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, status, status_message, scopes)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      business,
      platform,
      randomBytes(6).toString('hex'),
      `${platform}-user`,
      fields.status ?? 'active',
      fields.statusMessage ?? null,
      fields.scopes === undefined ? X_SCOPES : fields.scopes,
    ],
  );
  return id as number;
}

async function upload(client: ApiClient, business: number, image = pngImage(64, 64)): Promise<number> {
  const res = await client(`/api/v1/media?business_id=${business}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: new Uint8Array(image),
  });
  expect(res.status).toBe(201);
  return (await res.json()).id;
}

beforeAll(async () => {
  unregisterFake = registerProvider(FAKE_METADATA, () => createFakeProvider({ accessTokenSeconds: 3600, posts: 0, pageSize: 10 }).provider);
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-posts-'));
  system = await startTestSystem({ DATA_DIR: dataDir, SYNC_INTERVAL_SECONDS: '3600', TWITTER_SCOPES: X_SCOPES, POST_SWEEP_SECONDS: '0' });
  api = await system.login();
  businessId = system.user.businessId;
  const connected = await (await connect(api, 'twitter', businessId)).json();
  accounts.x = connected.accounts[0].id;
  accounts.reconnect = await insertAccount(businessId, 'twitter', { status: 'reconnect_required', statusMessage: 'X refused the token' });
  accounts.noScope = await insertAccount(businessId, 'twitter', { scopes: 'tweet.read tweet.write users.read offline.access' });
  accounts.fake = await insertAccount(businessId, FAKE_METADATA.id);

  ({ businessId: rivalBusinessId } = await seedDemo(system.db, {
    email: 'rival@example.com',
    password: 'rival-password',
    businessName: 'Rival',
  }));
  rivalApi = await system.login('rival@example.com', 'rival-password');
  accounts.rival = await insertAccount(rivalBusinessId, 'twitter');
  rivalMedia = await upload(rivalApi, rivalBusinessId);
});

afterAll(async () => {
  await system?.stop();
  unregisterFake?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;

const create = (body: Record<string, unknown>, client = api) =>
  client('/api/v1/posts', { method: 'POST', body: JSON.stringify({ business_id: businessId, ...body }) });
const patch = (id: number, body: Record<string, unknown>, client = api) =>
  client(`/api/v1/posts/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
const cancel = (id: number, client = api) => client(`/api/v1/posts/${id}`, { method: 'DELETE' });

async function created(body: Record<string, unknown>) {
  const res = await create(body);
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}

const describeWorkflow = (postId: number) => system.temporal.workflow.getHandle(postWorkflowId(postId)).describe();

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('compose', () => {
  it('schedules a post: the row, one target per account, and a running workflow', async () => {
    const at = inHours(1);
    const post = await created({ text: unique('Hello'), targets: [{ account_id: accounts.x }], scheduled_at: at });
    expect(post).toMatchObject({
      id: expect.any(Number),
      status: 'scheduled',
      scheduled_at: at,
      time_zone: 'UTC',
      media: [],
      targets: [
        {
          account_id: accounts.x,
          platform: 'twitter',
          username: expect.any(String),
          status: 'scheduled',
          text: null,
          provider_post_id: null,
          permalink: null,
          error: null,
          published_at: null,
        },
      ],
    });
    expect((await describeWorkflow(post.id)).status.name).toBe('RUNNING');
  });

  it('keeps a draft without a workflow, even without a time', async () => {
    const post = await created({ text: unique('Draft'), targets: [{ account_id: accounts.x }], draft: true });
    expect(post).toMatchObject({ status: 'draft', scheduled_at: null, targets: [{ status: 'draft' }] });
    await expect(describeWorkflow(post.id)).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('publishes a post without a time now, through the workflow, with a link', async () => {
    const before = Date.now();
    const post = await created({ text: unique('Right now'), targets: [{ account_id: accounts.x }] });
    expect(new Date(post.scheduled_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const done = await eventually(
      async () => (await api(`/api/v1/posts/${post.id}`)).json(),
      (p) => p.status === 'published',
    );
    expect(done).toMatchObject({
      status: 'published',
      targets: [{ status: 'published', provider_post_id: expect.any(String), permalink: expect.stringMatching(/^https?:/) }],
    });
  });

  it('publishes an image: the worker reads the uploaded file from media storage', async () => {
    const image = await upload(api, businessId, pngImage(1200, 675));
    const post = await created({ text: unique('With a picture'), targets: [{ account_id: accounts.x }], media_ids: [image] });
    const done = await eventually(
      async () => (await api(`/api/v1/posts/${post.id}`)).json(),
      (p) => p.status !== 'scheduled' && p.status !== 'publishing',
    );
    expect(done.targets[0]).toMatchObject({ status: 'published', error: null });
    const [row] = await system.db.query(`SELECT provider_state FROM post_targets WHERE post_id = $1`, [post.id]);
    expect(row.provider_state).toHaveProperty([`media:${image}`]); // X's upload id, journaled under our media id
  });

  it('stores each account its own text and the images in order, and shows them', async () => {
    const first = await upload(api, businessId, pngImage(1200, 675));
    const second = await upload(api, businessId, pngImage(800, 800));
    const post = await created({
      text: unique('Shared text'),
      targets: [{ account_id: accounts.x, text: 'Just for X' }],
      media_ids: [second, first],
      scheduled_at: inHours(2),
    });
    const read = await (await api(`/api/v1/posts/${post.id}`)).json();
    expect(read.targets[0].text).toBe('Just for X');
    expect(read.media_ids).toEqual([second, first]);
    expect(read.media.map((m: { id: number; width: number }) => [m.id, m.width])).toEqual([
      [second, 800],
      [first, 1200],
    ]);
    expect(read.media[0].url).toMatch(/\/media\/\d+\?expires=\d+&signature=/);
  });
});

describe('compose-time validation', () => {
  const problemsOf = async (res: Response) => {
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.error.code).toBe('invalid_post');
    return body.error.details as { account_id: number | null; problems: string[] }[];
  };

  it('names each account that cannot publish, and why', async () => {
    const details = await problemsOf(
      await create({
        text: 'Hello',
        targets: [
          { account_id: accounts.x },
          { account_id: accounts.reconnect },
          { account_id: accounts.noScope },
          { account_id: accounts.fake },
        ],
        scheduled_at: inHours(1),
      }),
    );
    expect(details).toEqual([
      { account_id: accounts.reconnect, problems: [expect.stringMatching(/needs reconnecting \(X refused the token\)/)] },
      { account_id: accounts.noScope, problems: [expect.stringMatching(/^Reconnect to allow publishing: .*media\.write/)] },
      { account_id: accounts.fake, problems: ['Publishing is not supported for Fakebook.'] },
    ]);
  });

  it("checks the platform's rules against each target's own text", async () => {
    const long = 'a'.repeat(281);
    const tooLong = await problemsOf(await create({ text: long, targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) }));
    expect(tooLong).toEqual([{ account_id: accounts.x, problems: [expect.stringContaining('X allows 280 characters')] }]);
    // The post's text is too long for X, but X gets its own.
    await created({ text: long, targets: [{ account_id: accounts.x, text: 'Short for X' }], scheduled_at: inHours(1) });
    const overridden = await problemsOf(
      await create({ text: 'Short', targets: [{ account_id: accounts.x, text: long }], scheduled_at: inHours(1) }),
    );
    expect(overridden[0]!.problems[0]).toContain('X allows 280 characters');
    const images = await Promise.all([1, 2, 3, 4, 5].map(() => upload(api, businessId)));
    const tooMany = await problemsOf(await create({ text: 'Many', targets: [{ account_id: accounts.x }], media_ids: images }));
    expect(tooMany[0]!.problems).toEqual([expect.stringContaining('X takes at most 4 images')]);
  });

  it('refuses a time that has passed or is over a year ahead', async () => {
    for (const at of [new Date(Date.now() - 3_600_000).toISOString(), inHours(24 * 400)]) {
      const details = await problemsOf(await create({ text: 'When?', targets: [{ account_id: accounts.x }], scheduled_at: at }));
      expect(details).toEqual([{ account_id: null, problems: [expect.any(String)] }]);
    }
  });

  it('holds a draft to tenancy only: it is still being written', async () => {
    const post = await created({ text: 'a'.repeat(400), targets: [{ account_id: accounts.reconnect }], draft: true });
    expect(post.status).toBe('draft');
    // Scheduling it checks it all.
    const details = await problemsOf(await patch(post.id, { draft: false }));
    expect(details[0]!.problems).toHaveLength(2);
  });
});

describe('edit', () => {
  it('moves a scheduled post: the row first, then the same workflow run moves its timer', async () => {
    const post = await created({ text: unique('Move me'), targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) });
    const runId = (await describeWorkflow(post.id)).runId;
    const later = inHours(3);
    const res = await patch(post.id, { scheduled_at: later, text: 'Moved and edited' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'scheduled', scheduled_at: later, text: 'Moved and edited' });
    expect((await queryPostStatus(system.temporal, post.id)).scheduledAt).toBe(later);
    expect((await describeWorkflow(post.id)).runId).toBe(runId);
  });

  it('schedules a draft (its workflow starts) and refuses to turn a scheduled post back into a draft', async () => {
    const post = await created({ text: unique('Draft first'), targets: [{ account_id: accounts.x }], draft: true });
    const at = inHours(5);
    const scheduled = await patch(post.id, { draft: false, scheduled_at: at });
    expect(await scheduled.json()).toMatchObject({ status: 'scheduled', scheduled_at: at, targets: [{ status: 'scheduled' }] });
    expect((await describeWorkflow(post.id)).status.name).toBe('RUNNING');
    const back = await patch(post.id, { draft: true });
    expect(back.status).toBe(409);
    expect((await back.json()).error.code).toBe('post_scheduled');
  });

  it('replaces the targets: removed accounts go, new ones come with their text', async () => {
    const other = await insertAccount(businessId, 'twitter');
    const post = await created({ text: unique('Targets'), targets: [{ account_id: accounts.x }], draft: true });
    const res = await patch(post.id, { targets: [{ account_id: other, text: 'Only the other one' }] });
    expect((await res.json()).targets).toEqual([
      expect.objectContaining({ account_id: other, text: 'Only the other one', status: 'draft' }),
    ]);
    expect(await system.db.query('SELECT account_id FROM post_targets WHERE post_id = $1', [post.id])).toEqual([{ account_id: other }]);
  });

  it('answers 409 post_publishing_began once the workflow claimed the post, and changes nothing', async () => {
    const post = await created({ text: unique('Claimed'), targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) });
    // The workflow's claim, as the database contract has it.
    await system.db.query(`UPDATE posts SET status = 'publishing' WHERE id = $1`, [post.id]);
    await system.db.query(`UPDATE post_targets SET status = 'publishing' WHERE post_id = $1`, [post.id]);
    for (const res of [await patch(post.id, { text: 'Too late' }), await cancel(post.id)]) {
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatchObject({ code: 'post_publishing_began', message: expect.stringContaining('Publishing') });
    }
    const [row] = await system.db.query('SELECT text, status FROM posts WHERE id = $1', [post.id]);
    expect(row).toEqual({ text: post.text, status: 'publishing' });
  });

  it('loses the compare-and-set when a target was claimed, even if the post row was not yet', async () => {
    const post = await created({ text: unique('Half claimed'), targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) });
    await system.db.query(`UPDATE post_targets SET status = 'publishing' WHERE post_id = $1`, [post.id]);
    expect((await patch(post.id, { text: 'Too late' })).status).toBe(409);
    expect((await cancel(post.id)).status).toBe(409);
  });
});

describe('cancel', () => {
  it('cancels a scheduled post (row and targets), ends its workflow, and answers the same when repeated', async () => {
    const post = await created({ text: unique('Cancel me'), targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) });
    const res = await cancel(post.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'canceled', targets: [{ status: 'canceled' }] });
    const closed = await eventually(
      () => describeWorkflow(post.id),
      (d) => d.status.name !== 'RUNNING',
    );
    expect(closed.status.name).not.toBe('RUNNING');
    expect((await cancel(post.id)).status).toBe(200);
    const edit = await patch(post.id, { text: 'Too late' });
    expect(edit.status).toBe(409);
    expect((await edit.json()).error.code).toBe('post_canceled');
  });

  it('cancels a draft', async () => {
    const post = await created({ text: unique('Draft to drop'), targets: [{ account_id: accounts.x }], draft: true });
    expect(await (await cancel(post.id)).json()).toMatchObject({ status: 'canceled' });
  });

  it('refuses to cancel a published post', async () => {
    const post = await created({ text: unique('Published'), targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) });
    await system.db.query(`UPDATE posts SET status = 'published' WHERE id = $1`, [post.id]);
    await system.db.query(`UPDATE post_targets SET status = 'published' WHERE post_id = $1`, [post.id]);
    const res = await cancel(post.id);
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('post_publishing_began');
  });
});

describe('retry', () => {
  it('refuses a target that has not failed', async () => {
    const post = await created({ text: unique('Fine'), targets: [{ account_id: accounts.x }], scheduled_at: inHours(1) });
    const res = await api(`/api/v1/posts/${post.id}/targets/${accounts.x}/retry`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('post_not_retryable');
  });

  it('sends a failed target again through the workflow, which publishes it', async () => {
    const text = unique('Failed once');
    const [{ id }] = await system.db.query(
      `INSERT INTO posts (business_id, text, scheduled_at, status) VALUES ($1, $2, now(), 'failed') RETURNING id`,
      [businessId, text],
    );
    await system.db.query(
      `INSERT INTO post_targets (post_id, account_id, business_id, platform, status, error) VALUES ($1, $2, $3, 'twitter', 'failed', 'X was down')`,
      [id, accounts.x, businessId],
    );
    const res = await api(`/api/v1/posts/${id}/targets/${accounts.x}/retry`, { method: 'POST' });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const done = await eventually(
      async () => (await api(`/api/v1/posts/${id}`)).json(),
      (p) => p.targets[0].status === 'published',
    );
    expect(done.targets[0]).toMatchObject({ status: 'published', error: null, provider_post_id: expect.any(String) });
  });
});

describe('list', () => {
  it('lists the business posts newest first, filtered by status and time, with targets', async () => {
    const marker = unique('List');
    const soon = await created({ text: `${marker} soon`, targets: [{ account_id: accounts.x }], scheduled_at: inHours(10) });
    const later = await created({ text: `${marker} later`, targets: [{ account_id: accounts.x }], scheduled_at: inHours(20) });
    const draft = await created({ text: `${marker} draft`, targets: [{ account_id: accounts.x }], draft: true });

    const all = (await (await api(`/api/v1/posts?business_id=${businessId}&limit=200`)).json()).posts;
    const ids = all.map((p: { id: number }) => p.id);
    expect(ids.indexOf(later.id)).toBeLessThan(ids.indexOf(soon.id));
    expect(all.find((p: { id: number }) => p.id === soon.id).targets).toEqual([expect.objectContaining({ account_id: accounts.x })]);

    const drafts = (await (await api(`/api/v1/posts?business_id=${businessId}&status=draft`)).json()).posts;
    expect(drafts.map((p: { id: number }) => p.id)).toContain(draft.id);
    expect(drafts.every((p: { status: string }) => p.status === 'draft')).toBe(true);

    const window = `from=${encodeURIComponent(inHours(15))}&to=${encodeURIComponent(inHours(25))}`;
    const inWindow = (await (await api(`/api/v1/posts?business_id=${businessId}&${window}`)).json()).posts;
    expect(inWindow.map((p: { id: number }) => p.id)).toContain(later.id);
    expect(inWindow.map((p: { id: number }) => p.id)).not.toContain(soon.id);

    const page = (await (await api(`/api/v1/posts?business_id=${businessId}&limit=2`)).json()).posts;
    expect(page).toHaveLength(2);
  });
});

describe('tenancy', () => {
  it("answers 404, never data, for another business's post, account, image or business", async () => {
    const rivalPost = await (
      await rivalApi('/api/v1/posts', {
        method: 'POST',
        body: JSON.stringify({ business_id: rivalBusinessId, text: 'Rival', targets: [{ account_id: accounts.rival }], draft: true }),
      })
    ).json();
    const expect404 = async (res: Response) => {
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect(body.error.code).toBe('not_found');
      expect(JSON.stringify(body)).not.toContain('Rival');
    };
    await expect404(await api(`/api/v1/posts/${rivalPost.id}`));
    await expect404(await patch(rivalPost.id, { text: 'Mine now' }));
    await expect404(await cancel(rivalPost.id));
    await expect404(await api(`/api/v1/posts/${rivalPost.id}/targets/${accounts.rival}/retry`, { method: 'POST' }));
    await expect404(await api(`/api/v1/posts?business_id=${rivalBusinessId}`));
    await expect404(await create({ business_id: rivalBusinessId, text: 'x', targets: [{ account_id: accounts.rival }] }));
    await expect404(await create({ text: 'x', targets: [{ account_id: accounts.rival }], draft: true }));
    await expect404(await create({ text: 'x', targets: [{ account_id: accounts.x }], media_ids: [rivalMedia], draft: true }));
    const mine = await created({ text: unique('Mine'), targets: [{ account_id: accounts.x }], draft: true });
    await expect404(await patch(mine.id, { targets: [{ account_id: accounts.rival }] }));
    await expect404(await patch(mine.id, { media_ids: [rivalMedia] }));
    const [row] = await system.db.query('SELECT text FROM posts WHERE id = $1', [rivalPost.id]);
    expect(row.text).toBe('Rival');
  });
});

describe('X threads', () => {
  it('publishes a thread as a reply chain through the workflow; the target is the first tweet', async () => {
    const first = unique('Thread 1/3');
    const thread = [unique('Thread 2/3'), unique('Thread 3/3')];
    const post = await created({ text: first, targets: [{ account_id: accounts.x, thread }] });
    expect(post.targets[0].thread).toEqual(thread);
    const done = await eventually(
      async () => (await api(`/api/v1/posts/${post.id}`)).json(),
      (p) => p.status !== 'scheduled' && p.status !== 'publishing',
    );
    expect(done.targets[0]).toMatchObject({ status: 'published', thread, error: null });
    const [row] = await system.db.query(`SELECT provider_state FROM post_targets WHERE post_id = $1`, [post.id]);
    const ids: string[] = row.provider_state.tweets;
    expect(ids).toHaveLength(3);
    expect(done.targets[0].provider_post_id).toBe(ids[0]);
    const published = (await (await fetch(`${system.sandbox.url}/admin/published?platform=x`)).json()).published as {
      id: string;
      text: string;
    }[];
    expect(published.filter((p) => [first, ...thread].includes(p.text)).map((p) => [p.id, p.text])).toEqual([
      [ids[0], first],
      [ids[1], thread[0]],
      [ids[2], thread[1]],
    ]);
  });

  it('a lost answer mid-thread is read back, journaled, and the thread goes on: each tweet exactly once', async () => {
    // X creates the first tweet but its answer is a 5xx: the workflow reads back, finds it, journals it,
    // and the next attempt sends only the replies.
    const fault = await fetch(`${system.sandbox.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'x', kind: 'commit_then_error', pathPrefix: '/2/tweets' }),
    });
    expect(fault.ok).toBe(true);
    const texts = [unique('Lost 1/3'), unique('Lost 2/3'), unique('Lost 3/3')];
    const post = await created({ text: texts[0], targets: [{ account_id: accounts.x, thread: texts.slice(1) }] });
    const done = await eventually(
      async () => (await api(`/api/v1/posts/${post.id}`)).json(),
      (p) => p.status !== 'scheduled' && p.status !== 'publishing',
    );
    expect(done.targets[0]).toMatchObject({ status: 'published', error: null });
    const [row] = await system.db.query(`SELECT provider_state, attempts FROM post_targets WHERE post_id = $1`, [post.id]);
    expect(row.attempts).toBe(2);
    const published = (await (await fetch(`${system.sandbox.url}/admin/published?platform=x`)).json()).published as {
      id: string;
      text: string;
    }[];
    const ours = published.filter((p) => texts.includes(p.text));
    expect(ours.map((p) => p.text)).toEqual(texts);
    expect(ours.map((p) => p.id)).toEqual(row.provider_state.tweets);
    expect(done.targets[0].provider_post_id).toBe(ours[0]!.id);
  });

  it('keeps the thread through an edit that leaves it out, replaces it, and clears it with null', async () => {
    const post = await created({ text: unique('Edit 1/2'), targets: [{ account_id: accounts.x, thread: ['Edit 2/2'] }], draft: true });
    const moved = await (await patch(post.id, { text: unique('Edited 1/2') })).json();
    expect(moved.targets[0].thread).toEqual(['Edit 2/2']);
    const replaced = await (await patch(post.id, { targets: [{ account_id: accounts.x, thread: ['New 2/3', 'New 3/3'] }] })).json();
    expect(replaced.targets[0].thread).toEqual(['New 2/3', 'New 3/3']);
    // A target without `thread` (the dashboard's edit) keeps it; null clears it.
    const kept = await (await patch(post.id, { targets: [{ account_id: accounts.x, text: 'Own text' }] })).json();
    expect(kept.targets[0]).toMatchObject({ text: 'Own text', thread: ['New 2/3', 'New 3/3'] });
    const dropped = await (await patch(post.id, { targets: [{ account_id: accounts.x, thread: null }] })).json();
    expect(dropped.targets[0].thread).toBeNull();
  });

  it('refuses a thread for a non-X account (400), drafts included', async () => {
    const linkedin = await insertAccount(businessId, 'linkedin', { scopes: 'w_member_social w_organization_social' });
    for (const draft of [false, true]) {
      const res = await create({ text: 'Hi', targets: [{ account_id: linkedin, thread: ['more'] }], scheduled_at: inHours(1), draft });
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error.message).toBe(`Threads are for X accounts only: account ${linkedin} is a LinkedIn account.`);
    }
    const tooMany = await create({ text: 'Hi', targets: [{ account_id: accounts.x, thread: new Array(25).fill('more') }] });
    expect(tooMany.status).toBe(400);
  });

  it("holds each tweet of a thread to X's rules, naming the one that breaks them", async () => {
    const res = await create({
      text: 'Short',
      targets: [{ account_id: accounts.x, thread: ['fine', 'a'.repeat(281)] }],
      scheduled_at: inHours(1),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.error.details).toEqual([
      { account_id: accounts.x, problems: [expect.stringMatching(/^Tweet 3 of the thread: .*X allows 280 characters/)] },
    ]);
  });
});

describe('bad input', () => {
  it('answers 400 in the error shape for malformed ids, bodies and filters', async () => {
    const huge = '99999999999';
    const cases: [string, RequestInit?][] = [
      [`/api/v1/posts/abc`],
      [`/api/v1/posts/${huge}`],
      [`/api/v1/posts/${huge}`, { method: 'PATCH', body: '{}' }],
      [`/api/v1/posts/-1`, { method: 'DELETE' }],
      [`/api/v1/posts/1/targets/abc/retry`, { method: 'POST' }],
      [`/api/v1/posts?business_id=abc`],
      [`/api/v1/posts?business_id=${businessId}&status=bogus`],
      [`/api/v1/posts?business_id=${businessId}&from=yesterday`],
      [`/api/v1/posts?business_id=${businessId}&limit=100000`],
      [`/api/v1/posts`, { method: 'POST', body: JSON.stringify({ business_id: businessId, text: 'x', targets: [] }) }],
      [`/api/v1/posts`, { method: 'POST', body: JSON.stringify({ business_id: businessId, text: 5, targets: [{ account_id: 1 }] }) }],
      [
        `/api/v1/posts`,
        {
          method: 'POST',
          body: JSON.stringify({ business_id: businessId, text: 'x', targets: [{ account_id: accounts.x }, { account_id: accounts.x }] }),
        },
      ],
      [
        `/api/v1/posts`,
        {
          method: 'POST',
          body: JSON.stringify({
            business_id: businessId,
            text: 'x',
            targets: [{ account_id: accounts.x }],
            scheduled_at: '2030-01-01 10:00',
          }),
        },
      ],
      [`/api/v1/posts`, { method: 'POST', body: '[1,2]' }],
    ];
    for (const [url, init] of cases) {
      const res = await api(url, init);
      const body = await res.json();
      expect(res.status, `${init?.method ?? 'GET'} ${url}: ${JSON.stringify(body)}`).toBe(400);
      expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
  });
});
