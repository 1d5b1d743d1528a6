// The media storage contract, run against both implementations: the local folder, and an S3 bucket on
// a real S3 server (Versity's gateway over a temporary folder, started here as a child process).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureS3Gateway, freePort } from '../scripts/stack.js';
import { type MediaStorage, mediaStorageFor, newMediaKey, s3MediaStorage } from './media-storage.js';
import { loadConfig } from './config.js';

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `social-sync-${label}-`));
  dirs.push(dir);
  return dir;
};

let gateway: ChildProcess | undefined;
let s3: { endpoint: string; bucket: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  const port = await freePort();
  const credentials = { accessKeyId: 'social-sync-test', secretAccessKey: 'social-sync-test-secret' };
  gateway = spawn(
    ensureS3Gateway(),
    ['--access', credentials.accessKeyId, '--secret', credentials.secretAccessKey, '--port', `127.0.0.1:${port}`, 'posix', tempDir('s3')],
    { stdio: 'ignore' },
  );
  s3 = { endpoint: `http://127.0.0.1:${port}`, bucket: 'media-test', credentials };
  const admin = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials });
  // The gateway takes a moment to listen; creating the bucket is the readiness probe.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.send(new CreateBucketCommand({ Bucket: s3.bucket }));
      break;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  admin.destroy();
});

afterAll(() => {
  gateway?.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const implementations: { name: string; make: () => MediaStorage }[] = [
  { name: 'a local folder', make: () => mediaStorageFor(loadConfig({ DATA_DIR: tempDir('media') })) },
  {
    name: 'an S3 bucket',
    make: () =>
      s3MediaStorage(s3.bucket, { region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials }),
  },
];

describe.each(implementations)('media storage in $name', ({ make }) => {
  it('gives back exactly the stored bytes, nothing for an unknown key, and deletes idempotently', async () => {
    const storage = make();
    const key = newMediaKey();
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) % 256);
    expect(await storage.get(key)).toBeNull();
    await storage.put(key, bytes, 'image/png');
    expect(await storage.get(key)).toEqual(bytes);
    expect(await storage.get(newMediaKey())).toBeNull();
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key); // a missing file is not an error
  });

  it('refuses anything that is not one of its keys, so no path reaches the store', async () => {
    const storage = make();
    for (const bad of ['../etc/passwd', 'a/b', '', 'ABCDEF0123456789ABCDEF0123456789', `${newMediaKey()}x`]) {
      await expect(storage.put(bad, new Uint8Array([1]), 'image/png')).rejects.toThrow('Not a media storage key.');
      await expect(storage.get(bad)).rejects.toThrow('Not a media storage key.');
    }
  });
});

it('uses the bucket when MEDIA_S3_BUCKET is set, and the folder otherwise', async () => {
  const dataDir = tempDir('media-choice');
  const key = newMediaKey();
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  try {
    const bucket = mediaStorageFor(
      loadConfig({ DATA_DIR: dataDir, MEDIA_S3_BUCKET: s3.bucket, MEDIA_S3_ENDPOINT: s3.endpoint, MEDIA_S3_FORCE_PATH_STYLE: 'true' }),
    );
    await bucket.put(key, new Uint8Array([1, 2, 3]), 'image/png');
  } finally {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  }
  expect(readdirSync(dataDir)).toEqual([]); // nothing went to the folder
  expect(await implementations[1]!.make().get(key)).toEqual(new Uint8Array([1, 2, 3]));
  expect(await mediaStorageFor(loadConfig({ DATA_DIR: dataDir })).get(key)).toBeNull();
});
