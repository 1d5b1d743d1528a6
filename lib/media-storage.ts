// Where uploaded images live: behind one small interface, so the API (upload, serving) and the publish
// activities (reading bytes for X and LinkedIn) never care whether it is a local folder or a bucket.
// Keys are random ids the app makes; the file's sha256 is kept in the media row, not in the key.
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';

export interface MediaStorage {
  /** Stores the bytes under a new key; resolves once they are durable. */
  put(key: string, bytes: Uint8Array, mimeType: string): Promise<void>;
  /** The stored bytes, or null when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes the file; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
}

/** A new storage key: 32 hex characters from the OS's CSPRNG, so keys reveal and collide with nothing. */
export function newMediaKey(): string {
  return randomBytes(16).toString('hex');
}

const KEY = /^[0-9a-f]{32}$/;

function checkedKey(key: string): string {
  // Keys are ours; anything else (a path, `..`) must never reach the file system.
  if (!KEY.test(key)) throw new Error('Not a media storage key.');
  return key;
}

/** Files under `dir`, two levels of fan-out by key prefix so one folder never holds millions of files. */
function localMediaStorage(dir: string): MediaStorage {
  const fileOf = (key: string) => path.join(dir, key.slice(0, 2), checkedKey(key));
  return {
    async put(key, bytes) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Written aside and renamed, so a crash never leaves a half file under a key a row points at.
      const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
      await writeFile(partial, bytes, { flag: 'wx' });
      await rename(partial, file);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}

/**
 * Objects in an S3-compatible bucket (AWS S3, R2, MinIO, ...), under `media/<2 hex>/<key>`. A PUT
 * is atomic in S3 (the object appears whole or not at all), so nothing is written aside first.
 * Credentials come from the SDK's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a role).
 */
export function s3MediaStorage(bucket: string, clientConfig: S3ClientConfig): MediaStorage {
  const client = new S3Client(clientConfig);
  const objectKey = (key: string) => `media/${key.slice(0, 2)}/${checkedKey(key)}`;
  return {
    async put(key, bytes, mimeType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey(key), Body: bytes, ContentType: mimeType }));
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },
    async delete(key) {
      // S3 answers a delete of a missing object with success, as the interface asks.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },
  };
}

export type MediaStorageConfig = Pick<
  Config,
  'DATA_DIR' | 'MEDIA_S3_BUCKET' | 'MEDIA_S3_ENDPOINT' | 'MEDIA_S3_REGION' | 'MEDIA_S3_FORCE_PATH_STYLE'
>;

/**
 * The storage this deployment uses: the bucket MEDIA_S3_BUCKET names when set (workers on several
 * hosts), otherwise a folder under DATA_DIR/media (decision 017).
 */
export function mediaStorageFor(config: MediaStorageConfig): MediaStorage {
  if (config.MEDIA_S3_BUCKET) {
    return s3MediaStorage(config.MEDIA_S3_BUCKET, {
      region: config.MEDIA_S3_REGION,
      endpoint: config.MEDIA_S3_ENDPOINT,
      forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
    });
  }
  return localMediaStorage(path.resolve(config.DATA_DIR, 'media'));
}
