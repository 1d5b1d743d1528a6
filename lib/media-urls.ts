// Signed, expiring public URLs for uploaded media: Instagram and Facebook fetch a post's image from a URL
// themselves, without our session, so the app serves each file at GET /media/<id>?expires=&signature=
// (api/media.ts). The signature is an HMAC-SHA256 over the id and the expiry with MEDIA_URL_SECRET.
// Publish activities get a post's media from here (mediaForPublishing); nothing in this module imports api/.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PublishMedia } from '../providers/contract.js';
import type { Config } from './config.js';
import type { Media } from './db/entities.js';
import { mediaStorageFor, type MediaStorage, type MediaStorageConfig } from './media-storage.js';

type UrlConfig = Pick<Config, 'MEDIA_URL_SECRET' | 'TOKEN_ENCRYPTION_KEYS' | 'PUBLIC_API_URL'>;

/**
 * The signing key. Production must set MEDIA_URL_SECRET (assertProductionReady). Development and tests
 * derive one from the token keys, which the API and the worker share there, so both sign alike; the
 * derivation is one-way, so a URL reveals nothing about those keys.
 */
function signingKey(config: UrlConfig): Buffer {
  if (config.MEDIA_URL_SECRET) return Buffer.from(config.MEDIA_URL_SECRET, 'utf8');
  const base = config.TOKEN_ENCRYPTION_KEYS ?? 'social-sync-dev-only-media-url-secret';
  return createHash('sha256').update(`social-sync media urls\0${base}`).digest();
}

function signature(config: UrlConfig, mediaId: number, expires: number): Buffer {
  return createHmac('sha256', signingKey(config)).update(`media:${mediaId}:${expires}`).digest();
}

/** A public URL for the file that works for `ttlSeconds`, on the API's public address. */
export function signedMediaUrl(config: UrlConfig, mediaId: number, ttlSeconds: number, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + Math.max(1, Math.ceil(ttlSeconds));
  const url = new URL(`media/${mediaId}`, config.PUBLIC_API_URL.endsWith('/') ? config.PUBLIC_API_URL : `${config.PUBLIC_API_URL}/`);
  url.search = new URLSearchParams({
    expires: String(expires),
    signature: signature(config, mediaId, expires).toString('base64url'),
  }).toString();
  return url.toString();
}

export type MediaUrlCheck = { ok: true; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

/** Whether `expires` and `signature` (as the query string carried them) open media `mediaId` now. */
export function checkMediaUrl(config: UrlConfig, mediaId: number, expires: unknown, given: unknown, now = Date.now()): MediaUrlCheck {
  if (typeof expires !== 'string' || typeof given !== 'string' || !/^\d{1,12}$/.test(expires)) return { ok: false, reason: 'invalid' };
  const expected = signature(config, mediaId, Number(expires));
  const actual = Buffer.from(given, 'base64url');
  // Compared in constant time; lengths differ only for garbage, which may fail fast.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'invalid' };
  // Checked after the signature, so an expired answer never confirms a guessed one.
  if (Number(expires) * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: new Date(Number(expires) * 1000) };
}

/** The stored bytes of a media row; throws when the file is missing (a row never points at nothing). */
async function readMedia(storage: MediaStorage, media: Pick<Media, 'id' | 'storageKey'>): Promise<Uint8Array> {
  const bytes = await storage.get(media.storageKey);
  if (!bytes) throw new Error(`The file of media ${media.id} is missing from storage.`);
  return bytes;
}

/** How long a URL handed to a provider works: Instagram and Facebook fetch the image while the post is made. */
const PUBLISH_URL_TTL_SECONDS = 3600;

/**
 * A stored image as providers take it (PublishMedia): facts from the row, the bytes read on demand (X,
 * LinkedIn upload them), and a public URL valid for an hour (Instagram and Facebook fetch it). The
 * worker hands this to the publish activities (`mediaForPublishing`).
 */
export function mediaForPublishing(
  config: UrlConfig & MediaStorageConfig,
  storage: MediaStorage = mediaStorageFor(config),
): (media: Media) => Promise<PublishMedia> {
  return async (media) => ({
    mediaId: media.id,
    mimeType: media.mimeType,
    bytes: media.bytes,
    width: media.width,
    height: media.height,
    read: () => readMedia(storage, media),
    publicUrl: signedMediaUrl(config, media.id, PUBLISH_URL_TTL_SECONDS),
  });
}
