// Media: image upload (the raw bytes as the request body) and the signed, expiring public URL each file is
// served at, which Instagram and Facebook fetch without a session. Type and size come from the bytes
// (image-size reads the magic bytes and the header), never from the client's Content-Type.
import express, { Router, type RequestHandler } from 'express';
import { imageSize } from 'image-size';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../lib/config.js';
import { MediaEntity, type Media } from '../lib/db/entities.js';
import { newMediaKey, type MediaStorage } from '../lib/media-storage.js';
import { checkMediaUrl, signedMediaUrl } from '../lib/media-urls.js';
import { memberBusinessId, requireUser } from './auth.js';
import { HttpError, idSchema, notFound } from './errors.js';

/** The largest image accepted: Instagram's 8 MB (X takes 5 MB; compose-time validation says so per platform). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
/** How long the URLs in API answers work: enough for a dashboard page; publishing signs its own. */
const API_MEDIA_URL_TTL_SECONDS = 6 * 3600;

/** The image types every platform we publish to takes, by image-size's name for them. */
const ACCEPTED: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

export interface MediaDeps {
  db: DataSource;
  config: Config;
  storage: MediaStorage;
}

/** How a media row looks in API answers. */
export function mediaView(config: Config, media: Media) {
  return {
    id: media.id,
    url: signedMediaUrl(config, media.id, API_MEDIA_URL_TTL_SECONDS),
    mime_type: media.mimeType,
    width: media.width,
    height: media.height,
    bytes: media.bytes,
    sha256: media.sha256,
    created_at: media.createdAt.toISOString(),
  };
}

// The body as bytes, whatever Content-Type says; a body over the limit is refused before it is all read.
const rawImage = express.raw({ type: () => true, limit: MAX_UPLOAD_BYTES });
const imageBody: RequestHandler = (req, res, next) => {
  rawImage(req, res, (error?: unknown) => {
    if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
      next(new HttpError(413, 'media_too_large', `Images can be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`));
    } else {
      next(error);
    }
  });
};

/** The image's type and displayed size, or null when the bytes are not an image we take. */
function readImage(bytes: Buffer): { mimeType: string; width: number; height: number } | null {
  try {
    const size = imageSize(bytes);
    const mimeType = size.type ? ACCEPTED[size.type] : undefined;
    if (!mimeType || !(size.width > 0) || !(size.height > 0)) return null;
    // EXIF orientations 5-8 turn the picture a quarter: shown, its width is the stored height.
    const turned = (size.orientation ?? 1) >= 5;
    return { mimeType, width: turned ? size.height : size.width, height: turned ? size.width : size.height };
  } catch {
    return null;
  }
}

export function mediaRoutes(deps: MediaDeps): Router {
  const router = Router();
  const media = deps.db.getRepository(MediaEntity);

  router.post('/api/v1/media', requireUser(deps.db), async (req, res) => {
    const businessId = await memberBusinessId(deps.db, req, req.query.business_id);
    await new Promise<void>((resolve, reject) => imageBody(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    const bytes = Buffer.isBuffer(req.body) ? req.body : null;
    if (!bytes || bytes.length === 0) {
      throw new HttpError(
        400,
        'invalid_request',
        'Send the image file itself as the request body (Content-Type: image/jpeg, for example).',
      );
    }
    const image = readImage(bytes);
    if (!image) throw new HttpError(415, 'unsupported_media_type', 'Upload a JPEG, PNG, GIF or WebP image.');

    const storageKey = newMediaKey();
    await deps.storage.put(storageKey, bytes, image.mimeType);
    let row: Media;
    try {
      row = await media.save(
        media.create({
          businessId,
          storageKey,
          mimeType: image.mimeType,
          bytes: bytes.length,
          width: image.width,
          height: image.height,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        }),
      );
    } catch (error) {
      await deps.storage.delete(storageKey); // no row points at it
      throw error;
    }
    req.log?.info({ event_type: 'media_uploaded', media_id: row.id, bytes: row.bytes, mime_type: row.mimeType }, 'media uploaded');
    res.status(201).json(mediaView(deps.config, row));
  });

  // Public: the signature is the permission. Checked before the database is asked, so a guessed id
  // learns nothing, not even whether it exists.
  router.get('/media/:id', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw notFound('Media');
    const check = checkMediaUrl(deps.config, id.data, req.query.expires, req.query.signature);
    if (!check.ok) {
      throw check.reason === 'expired'
        ? new HttpError(403, 'url_expired', 'This media link has expired.')
        : new HttpError(403, 'invalid_signature', 'This media link is not valid.');
    }
    const row = await media.findOneBy({ id: id.data });
    const bytes = row ? await deps.storage.get(row.storageKey) : null;
    if (!row || !bytes) throw notFound('Media');
    const maxAge = Math.max(0, Math.min(3600, Math.floor((check.expiresAt.getTime() - Date.now()) / 1000)));
    res
      .set({
        'Content-Type': row.mimeType,
        'Cache-Control': `public, max-age=${maxAge}`,
        ETag: `"${row.sha256}"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'",
      })
      .send(Buffer.from(bytes));
  });

  return router;
}
