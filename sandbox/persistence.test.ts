import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from './server.js';
import { basic, connectLinkedIn, connectX, form, silentSandbox } from './test-helpers.js';

const dirs: string[] = [];
const running: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close().catch(() => {})));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir?: string) {
  const sbx = await silentSandbox(dataDir ? { dataDir } : {});
  running.push(sbx);
  return sbx;
}

const refreshX = (base: string, refreshToken: string) =>
  fetch(`${base}/x/2/oauth2/token`, {
    method: 'POST',
    body: form({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    headers: { authorization: basic('sandbox-twitter-client', 'sandbox-twitter-secret') },
  });

const me = (base: string, token: string) => fetch(`${base}/x/2/users/me`, { headers: { authorization: `Bearer ${token}` } });

describe('state under a data directory', () => {
  it('keeps grants, tokens, rotations and settings across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    dirs.push(dir);
    const first = await start(dir);
    await fetch(`${first.url}/admin/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ linkedin: { refreshEnabled: true }, twitter: { accessTokenSeconds: 900 } }),
    });
    const x = await connectX(first.url, 'tweet.read tweet.write users.read offline.access');
    const tweet = await fetch(`${first.url}/x/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${x.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'kept across restarts' }),
    });
    expect(tweet.status).toBe(201);
    const rotated = await (await refreshX(first.url, x.refresh_token as string)).json();
    const li = await connectLinkedIn(first.url);
    expect(li.refresh_token).toBeTruthy();
    await first.close();
    running.splice(0);
    // Written atomically: only the state file is left, no temp file.
    expect(readdirSync(dir)).toEqual(['sandbox-state.json']);

    const second = await start(dir);
    expect((await me(second.url, rotated.access_token)).status).toBe(200);
    // The rotated-away refresh token stays dead; the newest one still works.
    expect((await refreshX(second.url, x.refresh_token as string)).status).toBe(400);
    const again = await refreshX(second.url, rotated.refresh_token);
    expect(again.status).toBe(200);
    expect((await again.json()).expires_in).toBe(900);
    const userinfo = await fetch(`${second.url}/linkedin/v2/userinfo`, {
      headers: { authorization: `Bearer ${li.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    const liRefresh = await fetch(`${second.url}/linkedin/oauth/v2/accessToken`, {
      method: 'POST',
      body: form({
        grant_type: 'refresh_token',
        refresh_token: li.refresh_token as string,
        client_id: 'sandbox-linkedin-client',
        client_secret: 'sandbox-linkedin-secret',
      }),
    });
    expect(liRefresh.status).toBe(200);
    // Published posts survive too, and still count as duplicates.
    const published = (await (await fetch(`${second.url}/admin/published`)).json()).published;
    expect(published.map((p: { text: string }) => p.text)).toEqual(['kept across restarts']);
    const duplicate = await fetch(`${second.url}/x/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rotated.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'kept across restarts' }),
    });
    expect(duplicate.status).toBe(403);
  });

  it('forgets everything without a data directory', async () => {
    const first = await start();
    const x = await connectX(first.url);
    const second = await start();
    expect((await me(second.url, x.access_token)).status).toBe(401);
  });
});
