// X publishing: POST /2/tweets (text, reply chains, media) and media upload (simple POST
// /2/media/upload for images; chunked initialize / append / finalize and the STATUS poll).
// Documented contract: docs.x.com x-api/posts/creation-of-a-post, x-api/media/upload-media,
// initialize/append/finalize-media-upload, quickstart/media-upload-chunked. The duplicate-content 403
// body is observed (public issues); see PUBLISHING.md 1.1.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { currentEpoch, listPosts, publishedAsPost, timeId } from './content.js';
import type { XUser } from './identities.js';
import { formFields, rawBody } from './multipart.js';
import { nextSerial, postsOf, type UploadedMedia } from './published.js';
import type { SandboxState, TokenRecord } from './store.js';

/** X's epoch for snowflake ids. */
export const TWEPOCH = 1288834974657;

export interface XHelpers {
  authenticate(req: Request, res: Response, scopes: string[]): { token: TokenRecord; user: XUser } | undefined;
  rateLimit(req: Request, res: Response, userId: string): boolean;
  problem(res: Response, status: number, extra?: Record<string, unknown>): void;
}

const IMAGE_BYTES = 5 * 1024 * 1024;
const EXPIRES_AFTER_SECS = 86_400;
/** Image categories need no processing; video and GIF categories are processed after finalize. */
const processed = (m: UploadedMedia) =>
  /^video\//.test(m.mediaType ?? '') || m.mediaType === 'image/gif' || /video|gif/.test(m.category ?? '');

function invalid(res: Response, message: string, parameters: Record<string, string[]> = {}) {
  res.status(400).json({
    errors: [{ parameters, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

export function xPublishRouter(state: SandboxState, x: XHelpers): Router {
  const router = express.Router();
  const now = () => state.now();

  const mediaId = () => ((BigInt(now() - TWEPOCH) << 22n) + BigInt(nextSerial(state.publishing) % 4_194_304)).toString();

  const mediaData = (m: UploadedMedia, withProcessing: boolean) => {
    const data: Record<string, unknown> = {
      id: m.id,
      media_key: `${processed(m) ? 7 : 3}_${m.id}`,
      size: m.receivedBytes,
      expires_after_secs: Math.max(0, Math.floor((m.createdAt + EXPIRES_AFTER_SECS * 1000 - now()) / 1000)),
    };
    if (withProcessing && m.readyAt !== undefined) {
      const left = m.readyAt - now();
      data.processing_info =
        left > 0
          ? { state: 'in_progress', check_after_secs: Math.max(1, Math.ceil(left / 1000)), progress_percent: 50 }
          : { state: 'succeeded', progress_percent: 100 };
    }
    return data;
  };

  /** The upload session `id` of this user, or an answer (404 problem) and undefined. */
  const session = (res: Response, user: XUser, id: string | undefined) => {
    const m = id ? state.publishing.media[id] : undefined;
    if (m && m.platform === 'x' && m.owner === user.id) return m;
    x.problem(res, 404, { detail: `Could not find media with id: [${id ?? ''}].` });
    return undefined;
  };

  const initialize = (res: Response, user: XUser, p: Record<string, unknown>) => {
    const totalBytes = Number(p.total_bytes);
    const mediaType = typeof p.media_type === 'string' ? p.media_type : '';
    if (!mediaType) return invalid(res, 'media_type is required', { media_type: [''] });
    if (!Number.isInteger(totalBytes) || totalBytes <= 0 || totalBytes > 16 * 1024 ** 3)
      return invalid(res, 'total_bytes must be between 1 and 17179869184', { total_bytes: [String(p.total_bytes)] });
    const m: UploadedMedia = {
      id: mediaId(),
      platform: 'x',
      owner: user.id,
      mediaType,
      ...(typeof p.media_category === 'string' ? { category: p.media_category } : {}),
      totalBytes,
      receivedBytes: 0,
      segments: [],
      state: 'uploading',
      createdAt: now(),
    };
    state.publishing.media[m.id] = m;
    res.json({ data: { id: m.id, media_key: `${processed(m) ? 7 : 3}_${m.id}`, expires_after_secs: EXPIRES_AFTER_SECS } });
  };

  const append = (res: Response, m: UploadedMedia, segment: string | undefined, bytes: Buffer | undefined) => {
    const index = Number(segment);
    if (!Number.isInteger(index) || index < 0 || index > 999)
      return invalid(res, 'segment_index must be between 0 and 999', { segment_index: [segment ?? ''] });
    if (!bytes) return invalid(res, 'media is required', { media: [''] });
    if (m.state !== 'uploading') return invalid(res, 'The upload was already finalized.', { id: [m.id] });
    m.segments = [...new Set([...(m.segments ?? []), index])];
    m.receivedBytes += bytes.length;
    res.json({ data: { expires_at: Math.floor((m.createdAt + EXPIRES_AFTER_SECS * 1000) / 1000) } });
  };

  const finalize = (res: Response, m: UploadedMedia) => {
    if (m.state !== 'uploading') return invalid(res, 'The upload was already finalized.', { id: [m.id] });
    if (m.receivedBytes !== m.totalBytes)
      return invalid(res, `File size mismatch: expected ${m.totalBytes} bytes, received ${m.receivedBytes}.`, {
        id: [m.id],
      });
    if (processed(m)) {
      m.state = 'processing';
      m.readyAt = now() + state.config.twitter.mediaProcessingSeconds * 1000;
    } else m.state = 'ready';
    res.json({ data: mediaData(m, true) });
  };

  const authorized = (req: Request, res: Response, scopes: string[]) => {
    const caller = x.authenticate(req, res, scopes);
    if (!caller || !x.rateLimit(req, res, caller.user.id)) return undefined;
    return caller;
  };
  const uploadScopes = ['media.write'];

  // Simple upload (images), and the older command= form on the same path (the quickstart still shows
  // it; the initialize page says not to send it: both are accepted).
  router.post('/2/media/upload', rawBody('20mb'), async (req, res) => {
    const caller = authorized(req, res, uploadScopes);
    if (!caller) return;
    const form = await formFields(req);
    if (!form) return invalid(res, 'The request body must be multipart/form-data.');
    const command = form.fields.command;
    if (command === 'INIT') return initialize(res, caller.user, form.fields);
    if (command === 'APPEND') {
      const m = session(res, caller.user, form.fields.media_id);
      return m && append(res, m, form.fields.segment_index, form.files.media?.bytes);
    }
    if (command === 'FINALIZE') {
      const m = session(res, caller.user, form.fields.media_id);
      return m && finalize(res, m);
    }
    const file = form.files.media;
    if (!file || file.bytes.length === 0) return invalid(res, 'media is required', { media: [''] });
    const category = form.fields.media_category ?? 'tweet_image';
    if (!['tweet_image', 'dm_image', 'subtitles'].includes(category))
      return invalid(res, 'The simple upload takes images and subtitles only; use the chunked upload.', {
        media_category: [category],
      });
    if (file.bytes.length > IMAGE_BYTES) return invalid(res, 'Images must be at most 5 MB.', { media: [''] });
    const m: UploadedMedia = {
      id: mediaId(),
      platform: 'x',
      owner: caller.user.id,
      mediaType: form.fields.media_type ?? file.type ?? 'image/jpeg',
      category,
      totalBytes: file.bytes.length,
      receivedBytes: file.bytes.length,
      state: 'ready',
      createdAt: now(),
    };
    state.publishing.media[m.id] = m;
    res.json({ data: mediaData(m, false) });
  });

  router.get('/2/media/upload', (req, res) => {
    const caller = authorized(req, res, uploadScopes);
    if (!caller) return;
    const q = req.query as Record<string, string | undefined>;
    if (q.command !== 'STATUS') return invalid(res, 'command must be STATUS', { command: [q.command ?? ''] });
    const m = session(res, caller.user, q.media_id);
    if (m) res.json({ data: mediaData(m, true) });
  });

  router.post('/2/media/upload/initialize', express.json(), (req, res) => {
    const caller = authorized(req, res, uploadScopes);
    if (caller) initialize(res, caller.user, (req.body ?? {}) as Record<string, unknown>);
  });

  router.post('/2/media/upload/:id/append', rawBody('20mb'), async (req, res) => {
    const caller = authorized(req, res, uploadScopes);
    if (!caller) return;
    const m = session(res, caller.user, req.params.id);
    if (!m) return;
    const form = await formFields(req);
    if (!form) return invalid(res, 'The request body must be multipart/form-data.');
    append(res, m, form.fields.segment_index, form.files.media?.bytes);
  });

  router.post('/2/media/upload/:id/finalize', (req, res) => {
    const caller = authorized(req, res, uploadScopes);
    if (!caller) return;
    const m = session(res, caller.user, req.params.id);
    if (m) finalize(res, m);
  });

  router.post('/2/tweets', express.json(), (req, res) => {
    const caller = authorized(req, res, ['tweet.read', 'tweet.write', 'users.read']);
    if (!caller) return;
    const { user } = caller;
    const body = (req.body ?? {}) as {
      text?: unknown;
      reply?: { in_reply_to_tweet_id?: unknown };
      media?: { media_ids?: unknown };
      poll?: unknown;
      quote_tweet_id?: unknown;
    };
    const text = typeof body.text === 'string' ? body.text : '';
    const mediaIds = Array.isArray(body.media?.media_ids) ? body.media.media_ids.map(String) : [];
    if (body.text !== undefined && typeof body.text !== 'string') return invalid(res, 'text must be a string');
    if (!text && mediaIds.length === 0) return invalid(res, 'Either text or media is required.');
    if ([body.media !== undefined, body.poll !== undefined, body.quote_tweet_id !== undefined].filter(Boolean).length > 1)
      return invalid(res, 'media, poll and quote_tweet_id are mutually exclusive.');
    if (mediaIds.length > 4) return invalid(res, 'At most 4 media may be attached.', { 'media.media_ids': mediaIds });
    for (const id of mediaIds) {
      const m = state.publishing.media[id];
      if (!m || m.platform !== 'x' || m.owner !== user.id) return invalid(res, `Your media IDs are invalid.`, { 'media.media_ids': [id] });
      if (m.state !== 'ready' && !(m.state === 'processing' && (m.readyAt ?? 0) <= now()))
        return invalid(res, `Media ${id} is not ready: finalize it and wait for processing to succeed.`, {
          'media.media_ids': [id],
        });
    }
    const replyTo = body.reply?.in_reply_to_tweet_id;
    if (replyTo !== undefined) {
      const id = String(replyTo);
      const known =
        state.publishing.posts.some((p) => p.platform === 'x' && p.id === id) ||
        listPosts(state, 'x', user.id).some((p) => timeId(p, TWEPOCH) === id);
      if (!known)
        return x.problem(res, 403, {
          detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.',
          title: 'Forbidden',
        });
    }
    // X refuses the same text twice from one account (observed body; it names no existing post).
    if (text && postsOf(state.publishing, 'x', user.id).some((p) => p.text === text))
      return x.problem(res, 403, { detail: 'You are not allowed to create a Tweet with duplicate content.' });
    const serial = nextSerial(state.publishing);
    const createdAt = now();
    const draft = { accountId: user.id, serial, createdAt, text, epoch: currentEpoch(state, 'x', user.id) };
    const id = timeId(publishedAsPost(draft), TWEPOCH);
    state.publishing.posts.push({
      ...draft,
      platform: 'x',
      id,
      ...(replyTo !== undefined ? { replyTo: String(replyTo) } : {}),
      ...(mediaIds.length ? { mediaIds } : {}),
    });
    res.status(201).json({ data: { id, text, edit_history_tweet_ids: [id] } });
  });

  // A body that is no JSON, or too large: X's invalid-request problem rather than the app's default.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown })?.status;
    if (typeof status !== 'number' || status >= 500) return next(error);
    invalid(res, status === 413 ? 'The request body is too large.' : 'The request body is not valid JSON.');
  });
  return router;
}
