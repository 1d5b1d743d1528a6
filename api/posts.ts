// Posts: compose (now, later, or as a draft), list, read, edit, cancel, and retry one target. Postgres is
// the source of truth: every change is a compare-and-set on the row (`WHERE status IN ('draft',
// 'scheduled')`, the same column the post workflow claims with `status = 'publishing'`), and only then is
// the workflow told. Whatever the workflow misses, it re-reads; a due post with no workflow is started by
// the safety sweep.
import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Config } from '../lib/config.js';
import { addToContext } from '../lib/context.js';
import {
  BusinessEntity,
  MediaEntity,
  MembershipEntity,
  PostEntity,
  PostTargetEntity,
  SocialAccountEntity,
  type Post,
  type PostTarget,
} from '../lib/db/entities.js';
import type { PostStatus, PostTargetStatus } from '../lib/domain.js';
import { cancelPost, PostActionRefused, reschedulePost, retryPostTarget, startPostWorkflow } from '../lib/post-workflows.js';
import { platformMetadata, type Providers } from '../providers/registry.js';
import { requireUser, memberBusinessId } from './auth.js';
import { badRequest, HttpError, idSchema, notFound, parse } from './errors.js';
import { mediaView } from './media.js';
import { composeProblems, invalidPost, loadComposition, type ComposedPost, type ComposedTarget } from './post-validation.js';

export interface PostsDeps {
  db: DataSource;
  temporal: Client;
  config: Config;
  providers: Providers;
}

/** Longer than any platform takes (Facebook: 63,206): the per-platform rules give the real limit. */
const MAX_TEXT = 100_000;
const MAX_TARGETS = 50;
const MAX_MEDIA = 20;
/** Tweets after the first in an X thread (X's composer takes 25 in all). */
const MAX_THREAD = 24;
const LIST_DEFAULT = 50;
const LIST_MAX = 200;

const POST_STATUSES = [
  'draft',
  'scheduled',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'unconfirmed',
  'canceled',
] as const satisfies readonly PostStatus[];
/** The statuses in which a post may still change: nothing has been sent yet. */
const EDITABLE: readonly PostStatus[] = ['draft', 'scheduled'];
const RETRYABLE: readonly PostTargetStatus[] = ['failed', 'unconfirmed'];

/** ISO 8601 with a zone (`Z` or an offset): a time without one would be guessed, and guesses publish at the wrong hour. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const targetInput = z.object({
  account_id: idSchema,
  text: z.string().max(MAX_TEXT).nullish(),
  /** X only: further tweets, published as replies after the first (the target's or the post's text). */
  thread: z.array(z.string().max(MAX_TEXT)).max(MAX_THREAD).nullish(),
});
const targetsInput = z
  .array(targetInput)
  .min(1)
  .max(MAX_TARGETS)
  .refine((targets) => new Set(targets.map((t) => t.account_id)).size === targets.length, 'each account at most once');
const mediaIdsInput = z
  .array(idSchema)
  .max(MAX_MEDIA)
  .refine((ids) => new Set(ids).size === ids.length, 'each image at most once');

const createBody = z.object({
  business_id: idSchema,
  text: z.string().max(MAX_TEXT),
  targets: targetsInput,
  scheduled_at: instant.nullish(),
  media_ids: mediaIdsInput.default([]),
  draft: z.boolean().default(false),
});

const patchBody = z.object({
  text: z.string().max(MAX_TEXT).optional(),
  targets: targetsInput.optional(),
  scheduled_at: instant.nullish(),
  media_ids: mediaIdsInput.optional(),
  /** false turns a draft into a scheduled post; a scheduled post cannot become a draft again. */
  draft: z.boolean().optional(),
});

const listQuery = z.object({
  business_id: z.unknown(),
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(POST_STATUSES)))
    .optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(LIST_MAX).default(LIST_DEFAULT),
});

/** `stored`: an edit's current targets, whose thread stays when a target leaves `thread` out (null or [] clears it). */
const toTargets = (input: z.infer<typeof targetInput>[], stored: PostTarget[] = []): ComposedTarget[] =>
  input.map((t) => ({
    accountId: t.account_id,
    text: t.text == null || t.text === '' ? null : t.text,
    thread:
      t.thread === undefined ? (stored.find((s) => s.accountId === t.account_id)?.thread ?? null) : t.thread?.length ? t.thread : null,
  }));

/**
 * Locks the images a post names (KEY SHARE) while it is saved, so the unused-media cleanup
 * (activities/media-cleanup.ts) cannot remove one in between; one removed just before is a 404.
 */
async function holdMedia(tx: EntityManager, businessId: number, mediaIds: number[]): Promise<void> {
  if (mediaIds.length === 0) return;
  const held: unknown[] = await tx.query('SELECT id FROM media WHERE business_id = $1 AND id = ANY($2) FOR KEY SHARE', [
    businessId,
    mediaIds,
  ]);
  if (held.length !== new Set(mediaIds).size) throw notFound('Media');
}

/** The 409 for a post that can no longer change, in words for the user. */
function refused(status: PostStatus): HttpError {
  if (status === 'canceled') return new HttpError(409, 'post_canceled', 'This post was canceled.');
  return new HttpError(
    409,
    'post_publishing_began',
    status === 'publishing'
      ? 'Publishing of this post has begun: it can no longer be edited or canceled.'
      : `This post has been through publishing (${status.replace('_', ' ')}): it can no longer be edited or canceled.`,
  );
}

function refusalToHttp(error: unknown): never {
  if (error instanceof PostActionRefused) throw new HttpError(409, error.code, error.message);
  throw error;
}

export function postsRoutes(deps: PostsDeps): Router {
  const { db, temporal, config } = deps;
  const router = Router();
  router.use('/api/v1/posts', requireUser(db));

  /** The post a request names, after checking the user belongs to its business (404 otherwise). */
  async function memberPost(req: Request, raw: unknown): Promise<Post> {
    const id = parse(idSchema, raw);
    const post = await db
      .getRepository(PostEntity)
      .createQueryBuilder('p')
      .innerJoin(MembershipEntity.options.name, 'm', 'm.businessId = p.businessId AND m.userId = :userId', { userId: req.user!.id })
      .where('p.id = :id', { id })
      .getOne();
    if (!post) throw notFound('Post');
    addToContext({ business_id: post.businessId });
    return post;
  }

  /** How posts look in API answers, with their targets and images. */
  async function views(posts: Post[]) {
    if (posts.length === 0) return [];
    const ids = posts.map((p) => p.id);
    const targets = await db
      .getRepository(PostTargetEntity)
      .createQueryBuilder('t')
      .leftJoin(SocialAccountEntity.options.name, 'a', 'a.id = t.accountId')
      .addSelect('a.username', 'username')
      .where('t.postId IN (:...ids)', { ids })
      .orderBy('t.id')
      .getRawAndEntities<{ username: string | null }>();
    const mediaIds = [...new Set(posts.flatMap((p) => p.mediaIds))];
    const media =
      mediaIds.length === 0
        ? []
        : await db.getRepository(MediaEntity).createQueryBuilder('m').where('m.id IN (:...mediaIds)', { mediaIds }).getMany();
    const businesses = await db.getRepository(BusinessEntity).findBy(posts.map((p) => ({ id: p.businessId })));
    return posts.map((post) => ({
      id: post.id,
      business_id: post.businessId,
      status: post.status,
      text: post.text,
      scheduled_at: post.scheduledAt?.toISOString() ?? null,
      time_zone: businesses.find((b) => b.id === post.businessId)?.timeZone ?? 'UTC',
      media_ids: post.mediaIds,
      media: post.mediaIds.flatMap((id) => {
        const row = media.find((m) => m.id === id);
        return row ? [mediaView(config, row)] : [];
      }),
      author_user_id: post.authorUserId,
      created_at: post.createdAt.toISOString(),
      updated_at: post.updatedAt.toISOString(),
      targets: targets.entities
        .map((target, i) => ({ target, username: targets.raw[i]!.username }))
        .filter(({ target }) => target.postId === post.id)
        .map(({ target, username }) => targetView(target, username)),
    }));
  }

  const view = async (post: Post) => (await views([post]))[0]!;
  const reload = async (postId: number) => view(await db.getRepository(PostEntity).findOneByOrFail({ id: postId }));

  /** Tenancy and compose-time checks; a draft is only held to tenancy (it is still being written). */
  async function validate(post: ComposedPost, draft: boolean) {
    const { accounts, media } = await loadComposition(db, post);
    threadProblem(post.targets, accounts);
    if (draft) return accounts;
    const problems = composeProblems(deps.providers, post, accounts, media);
    if (problems.length > 0) throw invalidPost(problems);
    return accounts;
  }

  /** Starts the workflow of a post that is now scheduled. Failing is not fatal: see the comment inside. */
  async function startWorkflow(req: Request, post: { id: number; businessId: number }, platforms: string[]) {
    try {
      await startPostWorkflow(temporal, config.TEMPORAL_TASK_QUEUE, { postId: post.id, businessId: post.businessId, platforms });
    } catch (error) {
      // The row is stored `scheduled` and stays so: the safety sweep (POST_SWEEP_SECONDS) starts the
      // workflow of every due scheduled post that has none, so the post still goes out, if late.
      req.log?.warn({ err: error, event_type: 'post_workflow_start_failed', post_id: post.id }, 'post workflow did not start');
    }
  }

  router.post('/api/v1/posts', async (req, res) => {
    const body = parse(createBody, req.body ?? {});
    const businessId = await memberBusinessId(db, req, body.business_id);
    const status: PostStatus = body.draft ? 'draft' : 'scheduled';
    // Absent means now for a post to publish (the workflow's claim takes it at once); a draft may stay without a time.
    const scheduledAt = body.scheduled_at ?? (body.draft ? null : new Date());
    const composed: ComposedPost = {
      businessId,
      text: body.text,
      targets: toTargets(body.targets),
      mediaIds: body.media_ids,
      scheduledAt,
      checkTime: body.scheduled_at != null,
    };
    const accounts = await validate(composed, body.draft);

    // The post and one target per account in one transaction: never a post without its targets.
    const post = await db.transaction(async (tx) => {
      await holdMedia(tx, businessId, composed.mediaIds);
      const saved = await tx.getRepository(PostEntity).save(
        tx.getRepository(PostEntity).create({
          businessId,
          authorUserId: req.user!.id,
          text: composed.text,
          mediaIds: composed.mediaIds,
          scheduledAt,
          status,
        }),
      );
      await tx.getRepository(PostTargetEntity).insert(
        composed.targets.map((t) => ({
          postId: saved.id,
          accountId: t.accountId,
          businessId,
          platform: accounts.get(t.accountId)!.platform,
          text: t.text,
          thread: t.thread,
          status,
        })),
      );
      return saved;
    });
    req.log?.info({ event_type: 'post_created', post_id: post.id, status, targets: composed.targets.length }, 'post created');
    if (status === 'scheduled') await startWorkflow(req, post, [...new Set([...accounts.values()].map((a) => a.platform))]);
    res.status(201).json(await reload(post.id));
  });

  router.get('/api/v1/posts', async (req, res) => {
    const query = parse(listQuery, req.query);
    const businessId = await memberBusinessId(db, req, query.business_id);
    const list = db
      .getRepository(PostEntity)
      .createQueryBuilder('p')
      .where('p.businessId = :businessId', { businessId })
      // Newest first: a scheduled post by its time, a draft without one by when it was written.
      .orderBy('COALESCE(p.scheduled_at, p.created_at)', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(query.limit);
    if (query.status) list.andWhere('p.status IN (:...statuses)', { statuses: query.status });
    if (query.from) list.andWhere('p.scheduledAt >= :from', { from: query.from });
    if (query.to) list.andWhere('p.scheduledAt < :to', { to: query.to });
    res.json({ posts: await views(await list.getMany()) });
  });

  router.get('/api/v1/posts/:postId', async (req, res) => {
    res.json(await view(await memberPost(req, req.params.postId)));
  });

  router.patch('/api/v1/posts/:postId', async (req, res) => {
    const post = await memberPost(req, req.params.postId);
    const body = parse(patchBody, req.body ?? {});
    if (!EDITABLE.includes(post.status)) throw refused(post.status);
    const draft = body.draft ?? post.status === 'draft';
    if (post.status === 'scheduled' && draft) {
      throw new HttpError(409, 'post_scheduled', 'A scheduled post cannot become a draft again: cancel it, or edit it as it is.');
    }
    const current = await db.getRepository(PostTargetEntity).findBy({ postId: post.id });
    const status: PostStatus = draft ? 'draft' : 'scheduled';
    const timeGiven = body.scheduled_at !== undefined;
    let scheduledAt = timeGiven ? (body.scheduled_at ?? null) : post.scheduledAt;
    if (!draft && scheduledAt === null) scheduledAt = new Date();
    const composed: ComposedPost = {
      businessId: post.businessId,
      text: body.text ?? post.text,
      targets: body.targets
        ? toTargets(body.targets, current)
        : current.map((t) => ({ accountId: t.accountId, text: t.text, thread: t.thread })),
      mediaIds: body.media_ids ?? post.mediaIds,
      scheduledAt,
      // A time given now, or a draft's stored time as it becomes scheduled; not a stored time left as it was.
      checkTime: body.scheduled_at != null || (post.status === 'draft' && !draft && post.scheduledAt !== null),
    };
    const accounts = await validate(composed, draft);

    const changed = await db.transaction(async (tx) => {
      await holdMedia(tx, post.businessId, composed.mediaIds);
      // The compare-and-set: only from the status read above, and only while no target has been claimed.
      const changed = await updated(
        tx,
        `UPDATE posts SET text = $2, media_ids = $3, scheduled_at = $4, status = $5, updated_at = now()
         WHERE id = $1 AND status = $6
           AND NOT EXISTS (SELECT 1 FROM post_targets WHERE post_id = $1 AND status NOT IN ('draft', 'scheduled'))
`,
        [post.id, composed.text, composed.mediaIds, scheduledAt, status, post.status],
      );
      if (!changed) return false;
      await replaceTargets(tx, post, composed.targets, accounts, status);
      return true;
    });
    if (!changed) throw refused((await db.getRepository(PostEntity).findOneByOrFail({ id: post.id })).status);
    req.log?.info({ event_type: 'post_updated', post_id: post.id, status }, 'post updated');

    const platforms = [...new Set([...accounts.values()].map((a) => a.platform))];
    if (post.status === 'draft' && status === 'scheduled') {
      await startWorkflow(req, post, platforms);
    } else if (status === 'scheduled' && scheduledAt!.getTime() !== post.scheduledAt?.getTime()) {
      // The workflow moves its timer (an update, never a restart). None running (its start failed once):
      // start it now rather than wait for the sweep. Refused: the workflow claimed the post just after
      // our compare-and-set, with the new time already due, and publishes what was stored.
      try {
        const moved = await reschedulePost(temporal, post.id, scheduledAt!);
        if (moved === null) await startWorkflow(req, post, platforms);
      } catch (error) {
        req.log?.warn({ err: error, event_type: 'post_reschedule_failed', post_id: post.id }, 'post workflow not rescheduled');
      }
    }
    res.json(await reload(post.id));
  });

  router.delete('/api/v1/posts/:postId', async (req, res) => {
    const post = await memberPost(req, req.params.postId);
    if (post.status === 'canceled') return void res.json(await view(post)); // already done: the same answer
    if (!EDITABLE.includes(post.status)) throw refused(post.status);
    const canceled = await db.transaction(async (tx) => {
      const changed = await updated(
        tx,
        `UPDATE posts SET status = 'canceled', updated_at = now()
         WHERE id = $1 AND status = $2
           AND NOT EXISTS (SELECT 1 FROM post_targets WHERE post_id = $1 AND status NOT IN ('draft', 'scheduled'))
`,
        [post.id, post.status],
      );
      if (!changed) return false;
      await tx.query(`UPDATE post_targets SET status = 'canceled', updated_at = now() WHERE post_id = $1`, [post.id]);
      return true;
    });
    if (!canceled) {
      const now = await db.getRepository(PostEntity).findOneByOrFail({ id: post.id });
      if (now.status !== 'canceled') throw refused(now.status);
    }
    req.log?.info({ event_type: 'post_canceled', post_id: post.id }, 'post canceled');
    if (post.status === 'scheduled') {
      // The stored cancel is the truth (the workflow's claim needs `scheduled`); this ends the timer early.
      await cancelPost(temporal, post.id).catch((error: unknown) => {
        req.log?.warn({ err: error, event_type: 'post_cancel_signal_failed', post_id: post.id }, 'post workflow not told of the cancel');
      });
    }
    res.json(await reload(post.id));
  });

  router.post('/api/v1/posts/:postId/targets/:accountId/retry', async (req, res) => {
    const accountId = parse(idSchema, req.params.accountId);
    const post = await memberPost(req, req.params.postId);
    const target = await db.getRepository(PostTargetEntity).findOneBy({ postId: post.id, accountId });
    if (!target) throw notFound('Target');
    if (!RETRYABLE.includes(target.status)) {
      throw new HttpError(409, 'post_not_retryable', `Only a failed or unconfirmed target can be retried; this one is ${target.status}.`);
    }
    const platforms = [...new Set((await db.getRepository(PostTargetEntity).findBy({ postId: post.id })).map((t) => t.platform))];
    // The workflow reads back from the provider first: a target proven published is never sent again.
    await retryPostTarget(temporal, post.id, accountId, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      businessId: post.businessId,
      platforms,
    }).catch(refusalToHttp);
    req.log?.info({ event_type: 'post_target_retried', post_id: post.id, account_id: accountId }, 'post target retried');
    res.json(await reload(post.id));
  });

  return router;
}

/**
 * Runs a compare-and-set UPDATE; true when it changed a row. (TypeORM answers an UPDATE's `query()` with
 * `[rows, rowCount]`, so the array's length says nothing: the count does.)
 */
async function updated(tx: EntityManager, sql: string, parameters: unknown[]): Promise<boolean> {
  const [, rowCount] = await tx.query<[unknown[], number]>(sql, parameters);
  return rowCount > 0;
}

/** Makes the post's targets exactly `targets`: removed accounts go, new ones come, texts and status follow. */
async function replaceTargets(
  tx: EntityManager,
  post: Post,
  targets: ComposedTarget[],
  accounts: Map<number, { platform: string }>,
  status: PostTargetStatus,
) {
  await tx.query(`DELETE FROM post_targets WHERE post_id = $1 AND NOT (account_id = ANY($2::int[]))`, [
    post.id,
    targets.map((t) => t.accountId),
  ]);
  for (const target of targets) {
    await tx.query(
      `INSERT INTO post_targets (post_id, account_id, business_id, platform, text, thread, status) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (post_id, account_id) DO UPDATE SET text = EXCLUDED.text, thread = EXCLUDED.thread, status = EXCLUDED.status,
         updated_at = now()`,
      [
        post.id,
        target.accountId,
        post.businessId,
        accounts.get(target.accountId)!.platform,
        target.text,
        target.thread ? JSON.stringify(target.thread) : null,
        status,
      ],
    );
  }
}

/** A thread is a reply chain on X: any other platform's target refuses it (400), drafts included. */
function threadProblem(targets: ComposedTarget[], accounts: Map<number, { platform: string }>): void {
  for (const target of targets) {
    const platform = accounts.get(target.accountId)!.platform;
    if (target.thread && platform !== 'twitter') {
      const name = platformMetadata(platform)?.displayName ?? platform;
      throw badRequest(`Threads are for X accounts only: account ${target.accountId} is a ${name} account.`);
    }
  }
}

function targetView(target: PostTarget, username: string | null) {
  return {
    account_id: target.accountId,
    platform: target.platform,
    username,
    status: target.status,
    text: target.text,
    thread: target.thread,
    provider_post_id: target.providerPostId,
    permalink: target.permalink,
    error: target.error,
    published_at: target.publishedAt?.toISOString() ?? null,
  };
}
