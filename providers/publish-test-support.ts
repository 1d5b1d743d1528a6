// What the publishers' tests share: a journal kept in memory (the PublishJournal contract, as the post
// activities keep it in a post_targets row), images served at public URLs (Facebook and Instagram fetch
// them), and reads of the sandbox's admin state.
import { createServer, type Server } from 'node:http';
import type { PublishJournal, PublishMedia, PublishState } from './contract.js';

export interface MemoryJournal extends PublishJournal {
  readonly state: PublishState;
  /** What happened, in order: `save <keys>` and `begin`. */
  readonly events: string[];
}

export function memoryJournal(initial: PublishState = {}): MemoryJournal {
  const state: PublishState = { ...initial };
  const events: string[] = [];
  return {
    state,
    events,
    async save(update) {
      Object.assign(state, update);
      events.push(`save ${Object.keys(update).join(',')}`);
    },
    async beginMutation() {
      events.push('begin');
    },
  };
}

/** Bytes that start like a JPEG; the sandbox checks the served content type, not the pixels. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array<number>(2000).fill(7), 0xff, 0xd9]);

/** Serves `/<name>` as an image of the type the name ends in (.jpg, .png), for providers that fetch media. */
export async function imageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const type = req.url?.endsWith('.png') ? 'image/png' : req.url?.endsWith('.jpg') ? 'image/jpeg' : undefined;
    if (!type) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': type }).end(JPEG);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An image of ours (id `mediaId`) as a provider needs it, served by `images` when given. */
export function image(mediaId: number, images?: { url: string }, mimeType = 'image/jpeg'): PublishMedia {
  return {
    mediaId,
    mimeType,
    bytes: JPEG.length,
    width: 1080,
    height: 1080,
    read: async () => JPEG,
    publicUrl: `${images?.url ?? 'http://127.0.0.1:9'}/media-${mediaId}.${mimeType === 'image/png' ? 'png' : 'jpg'}`,
  };
}

async function adminGet<T>(sandboxUrl: string, path: string): Promise<T> {
  const response = await fetch(`${sandboxUrl}/admin${path}`);
  if (!response.ok) throw new Error(`sandbox admin ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Every post the sandbox accepted on the platform. */
export async function publishedPosts(sandboxUrl: string, platform: string) {
  return (await adminGet<{ published: { account_id: string; id: string; text: string }[] }>(sandboxUrl, `/published?platform=${platform}`))
    .published;
}

/** Every upload (or Instagram container) the sandbox took on the platform. */
export async function uploads(sandboxUrl: string, platform: string) {
  return (await adminGet<{ media: { id: string; state: string }[] }>(sandboxUrl, `/media?platform=${platform}`)).media;
}

/** Adds a sandbox fault (see sandbox/README.md, Admin API). */
export async function fault(sandboxUrl: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandboxUrl}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox fault answered ${response.status}`);
}
