// The bad-input sweep over the dashboard's actions: every route module under web/app/routes that exports
// an action (found at test time, so a new one is swept too) gets garbage forms and bodies, for the user's
// business, another business and ids that are not ids, against the real API. No answer may be a 5xx.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedDemo } from '../../lib/db/seed.js';
import { startTestSystem, type TestSystem } from '../../test/support/system.js';

let system: TestSystem;
let cookie: string;
let rivalBusinessId: number;

beforeAll(async () => {
  system = await startTestSystem();
  process.env.API_URL = system.apiUrl;
  vi.resetModules(); // the dashboard's modules (and their config) load fresh below, with this API_URL
  const { createUserSession } = await import('./session.server.js');
  const api = await system.login();
  cookie = (await createUserSession({ token: api.token, expiresAt: new Date(Date.now() + 3_600_000).toISOString() })).split(';')[0]!;
  ({ businessId: rivalBusinessId } = await seedDemo(system.db, {
    email: 'rival-web@example.com',
    password: 'rival-password',
    businessName: 'Rival Web',
  }));
});

afterAll(async () => {
  await system?.stop();
});

const GARBAGE = ['', '0', '-1', '2147483648', '1e3', 'abc', 'x'.repeat(5000), '✓', '../../etc', '\u0000'];
const FIELDS = [
  'intent',
  'platform',
  'account_id',
  'account_name',
  'pending_id',
  'page_ids',
  'instagram_ids',
  'confirm',
  'email',
  'password',
  'redirectTo',
];
const INTENTS = ['connect', 'refresh', 'disconnect', 'meta_select', 'sync', 'sync_now', 'logout', 'nonsense'];

function bodies(): { label: string; body: BodyInit; type?: string }[] {
  const out: { label: string; body: BodyInit; type?: string }[] = [];
  for (const intent of INTENTS) {
    for (const value of GARBAGE) {
      const form = new URLSearchParams({ intent });
      for (const field of FIELDS.filter((f) => f !== 'intent')) form.append(field, value);
      out.push({ label: `${intent} with ${JSON.stringify(value.slice(0, 12))}`, body: form, type: 'application/x-www-form-urlencoded' });
    }
    out.push({
      label: `${intent} repeated fields`,
      body: `intent=${intent}&platform=x&platform=linkedin&account_id=1&account_id=2&confirm=yes`,
      type: 'application/x-www-form-urlencoded',
    });
  }
  out.push({ label: 'JSON', body: '{"intent":"connect","platform":"x"}', type: 'application/json' });
  out.push({ label: 'text', body: 'hello', type: 'text/plain' });
  out.push({
    label: 'multipart garbage',
    body: '--x\r\nContent-Disposition: form-data; name="intent"\r\n\r\nconnect',
    type: 'multipart/form-data; boundary=x',
  });
  out.push({ label: 'no body', body: '' });
  return out;
}

/** The status an action's outcome stands for: a Response, Remix's data() or a thrown Response; anything else thrown is a 500. */
async function statusOf(run: () => Promise<unknown>): Promise<number> {
  try {
    const result = await run();
    if (result instanceof Response) return result.status;
    const init = (result as { init?: { status?: number } | null } | null)?.init;
    return init?.status ?? 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    const init = (thrown as { init?: { status?: number } | null } | null)?.init;
    if (init?.status) return init.status;
    return 500;
  }
}

describe('the bad-input sweep over every dashboard action', () => {
  it('0 answers 5xx', { timeout: 600_000 }, async () => {
    const routesDir = path.resolve('web/app/routes');
    const problems: string[] = [];
    let swept = 0;
    for (const file of readdirSync(routesDir)) {
      const mod = (await import(path.join(routesDir, file))) as { action?: (args: unknown) => Promise<unknown> };
      if (typeof mod.action !== 'function') continue;
      swept++;
      for (const businessId of [String(system.user.businessId), String(rivalBusinessId), 'abc']) {
        for (const { label, body, type } of bodies()) {
          const request = new Request(`http://web.test/b/${businessId}/x`, {
            method: 'POST',
            body,
            headers: { cookie, ...(type ? { 'content-type': type } : {}) },
          });
          const status = await statusOf(() => mod.action!({ request, params: { businessId }, context: {} }));
          if (status >= 500) problems.push(`${file} (business ${businessId}) ${label}: ${status}`);
        }
      }
    }
    expect(swept).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
  });
});
