// Media upload, the signed public URL it is served at, and a business's time zone: through the real API
// on a real database, with files on a real disk.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../lib/config.js';
import { seedDemo } from '../lib/db/seed.js';
import { mediaStorageFor } from '../lib/media-storage.js';
import { mediaForPublishing, signedMediaUrl } from '../lib/media-urls.js';
import { gifImage, jpegImage, pngImage } from '../test/support/images.js';
import { capturingLogger, createTestDatabase, testConfig, testTemporalClient } from '../test/support/env.js';
import { createApp } from './app.js';
import { MAX_UPLOAD_BYTES } from './media.js';

let db: DataSource;
let temporal: Client;
let server: Server;
let base: string;
let config: Config;
let dataDir: string;
let owner: { token: string; businessId: number };
let other: { token: string; businessId: number };

async function loginAs(email: string, password: string, businessName: string) {
  const { businessId } = await seedDemo(db, { email, password, businessName });
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { token: (await res.json()).token as string, businessId };
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  temporal = await testTemporalClient();
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-media-'));
  config = testConfig({ DATA_DIR: dataDir });
  const app = createApp({ db, temporal, config, logger: capturingLogger('api').logger });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  config = { ...config, PUBLIC_API_URL: base }; // where signed URLs point (the app reads only the secret)
  owner = await loginAs('owner@example.com', 'owner-password', 'Acme');
  other = await loginAs('rival@example.com', 'rival-password', 'Rival');
});

afterAll(async () => {
  server?.close();
  await temporal?.connection.close();
  await db?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const upload = (who: { token: string }, businessId: number | string, body: Uint8Array | string, contentType = 'application/octet-stream') =>
  fetch(`${base}/api/v1/media?business_id=${businessId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

/** The same URL pointed at this test's server (signed URLs carry PUBLIC_API_URL, the test config's default). */
const local = (url: string) => {
  const parsed = new URL(url);
  return `${base}${parsed.pathname}${parsed.search}`;
};

describe('media upload', () => {
  it('stores a PNG and answers its id, size, dimensions and a working signed URL', async () => {
    const png = pngImage(640, 480);
    const res = await upload(owner, owner.businessId, png, 'image/png');
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ id: expect.any(Number), width: 640, height: 480, bytes: png.length, mime_type: 'image/png' });
    expect(body.url).toMatch(/\/media\/\d+\?expires=\d+&signature=[A-Za-z0-9_-]+$/);

    const file = await fetch(local(body.url));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);

    // The row keeps the content hash; the file sits under a random key in DATA_DIR/media.
    const [row] = await db.query('SELECT storage_key, sha256, business_id FROM media WHERE id = $1', [body.id]);
    expect(row.business_id).toBe(owner.businessId);
    expect(row.storage_key).toMatch(/^[0-9a-f]{32}$/);
    expect(row.sha256).toBe((await import('node:crypto')).createHash('sha256').update(png).digest('hex'));
    expect(await mediaStorageFor(config).get(row.storage_key)).toEqual(new Uint8Array(png));
  });

  it('reads type and dimensions from the bytes, whatever Content-Type claims', async () => {
    const jpeg = await (await upload(owner, owner.businessId, jpegImage(1080, 1350), 'image/png')).json();
    expect(jpeg).toMatchObject({ mime_type: 'image/jpeg', width: 1080, height: 1350 });
    const gif = await (await upload(owner, owner.businessId, gifImage(300, 200), 'text/plain')).json();
    expect(gif).toMatchObject({ mime_type: 'image/gif', width: 300, height: 200 });
  });

  it('refuses what is not a JPEG, PNG, GIF or WebP image with 415', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    for (const [body, type] of [
      [svg, 'image/png'],
      ['just some text', 'image/jpeg'],
      [Buffer.from('%PDF-1.7\n'), 'image/png'],
    ] as const) {
      const res = await upload(owner, owner.businessId, body, type);
      expect(res.status).toBe(415);
      expect((await res.json()).error.code).toBe('unsupported_media_type');
    }
    expect(await db.query('SELECT count(*)::int AS n FROM media WHERE mime_type NOT LIKE $1', ['image/%'])).toEqual([{ n: 0 }]);
  });

  it('refuses an empty body with 400 and a body over the limit with 413', async () => {
    const empty = await upload(owner, owner.businessId, new Uint8Array(0), 'image/png');
    expect(empty.status).toBe(400);
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1);
    pngImage(10, 10).copy(big);
    const tooLarge = await upload(owner, owner.businessId, big, 'image/png');
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error).toMatchObject({ code: 'media_too_large', message: expect.stringContaining('8 MB') });
  });

  it("answers 404 for another business's id, 400 for a malformed one, 401 without a session", async () => {
    const foreign = await upload(owner, other.businessId, pngImage(4, 4), 'image/png');
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe('not_found');
    expect((await upload(owner, 'abc', pngImage(4, 4))).status).toBe(400);
    expect((await upload(owner, '99999999999', pngImage(4, 4))).status).toBe(400);
    const anonymous = await fetch(`${base}/api/v1/media?business_id=${owner.businessId}`, {
      method: 'POST',
      body: new Uint8Array(pngImage(4, 4)),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('signed media URLs', () => {
  let mediaId: number;
  beforeAll(async () => {
    mediaId = (await (await upload(owner, owner.businessId, pngImage(32, 16), 'image/png')).json()).id;
  });

  it('serve the file until they expire, then answer 403 url_expired', async () => {
    expect((await fetch(local(signedMediaUrl(config, mediaId, 60)))).status).toBe(200);
    const expired = await fetch(local(signedMediaUrl(config, mediaId, 60, Date.now() - 61_000)));
    expect(expired.status).toBe(403);
    expect((await expired.json()).error.code).toBe('url_expired');
  });

  it('refuse a tampered signature, expiry or id, and a URL signed with another secret', async () => {
    const url = new URL(local(signedMediaUrl(config, mediaId, 60)));
    const variants: string[] = [];
    const signature = url.searchParams.get('signature')!;
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    variants.push(url.toString().replace(signature, flip(signature)));
    variants.push(url.toString().replace(/expires=(\d+)/, (_m, e) => `expires=${Number(e) + 3600}`));
    variants.push(url.toString().replace(`/media/${mediaId}?`, `/media/${mediaId + 1}?`));
    variants.push(`${base}/media/${mediaId}`);
    variants.push(local(signedMediaUrl({ ...config, MEDIA_URL_SECRET: 'another-secret' }, mediaId, 60)));
    for (const variant of variants) {
      const res = await fetch(variant);
      expect(res.status, variant).toBe(403);
      expect((await res.json()).error.code).toBe('invalid_signature');
    }
    expect((await fetch(`${base}/media/not-a-number?expires=1&signature=x`)).status).toBe(404);
  });

  it('give publish activities the file: bytes on demand and a public URL', async () => {
    const [row] = await db.query('SELECT * FROM media WHERE id = $1', [mediaId]);
    const stored = {
      id: row.id,
      businessId: row.business_id,
      storageKey: row.storage_key,
      mimeType: row.mime_type,
      bytes: row.bytes,
      width: row.width,
      height: row.height,
      sha256: row.sha256,
      createdAt: row.created_at,
    };
    const media = await mediaForPublishing(config)(stored);
    expect(media).toMatchObject({ mediaId, mimeType: 'image/png', width: 32, height: 16 });
    expect(Buffer.from(await media.read()).equals(pngImage(32, 16))).toBe(true);
    expect((await fetch(local(media.publicUrl))).status).toBe(200);
    // A URL signed for longer than an hour would outlive the publish that needed it.
    expect(Number(new URL(media.publicUrl).searchParams.get('expires')) * 1000).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
  });
});

describe('business time zone', () => {
  const api = (who: { token: string }, p: string, init: RequestInit = {}) =>
    fetch(`${base}${p}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${who.token}` } });

  it('defaults to UTC, takes an IANA zone, and shows it in the business and the login answer', async () => {
    const before = await (await api(owner, `/api/v1/businesses/${owner.businessId}`)).json();
    expect(before).toEqual({ id: owner.businessId, name: 'Acme', role: 'owner', time_zone: 'UTC' });
    const patched = await api(owner, `/api/v1/businesses/${owner.businessId}`, {
      method: 'PATCH',
      body: JSON.stringify({ time_zone: 'America/New_York' }),
    });
    expect(patched.status).toBe(200);
    expect((await patched.json()).time_zone).toBe('America/New_York');
    const me = await (await api(owner, '/api/v1/auth/me')).json();
    expect(me.businesses).toEqual([expect.objectContaining({ id: owner.businessId, time_zone: 'America/New_York' })]);
  });

  it('refuses what is not a named zone with 400, and another business with 404', async () => {
    for (const zone of ['Mars/Olympus', '+02:00', 'UTC+2', '../etc', '', 42]) {
      const res = await api(owner, `/api/v1/businesses/${owner.businessId}`, {
        method: 'PATCH',
        body: JSON.stringify({ time_zone: zone }),
      });
      expect(res.status, String(zone)).toBe(400);
      expect((await res.json()).error.message).toContain('time_zone');
    }
    const foreign = await api(owner, `/api/v1/businesses/${other.businessId}`, {
      method: 'PATCH',
      body: JSON.stringify({ time_zone: 'Europe/Paris' }),
    });
    expect(foreign.status).toBe(404);
    expect((await api(owner, `/api/v1/businesses/${other.businessId}`)).status).toBe(404);
    const [row] = await db.query('SELECT time_zone FROM businesses WHERE id = $1', [other.businessId]);
    expect(row.time_zone).toBe('UTC');
  });
});
