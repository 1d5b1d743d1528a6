// `npm start` from nothing: every part comes up, the demo login works in a real browser, Ctrl-C stops
// everything, and a second start finds the same data (sessions, accounts and their workflows).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAccountStatus, ensureAccountWorkflow } from '../../lib/account-workflows.js';
import { openDatabase } from '../../lib/db/data-source.js';
import { connectTemporal } from '../../lib/temporal.js';
import { portIsFree } from '../../scripts/stack.js';
import { ApiSession, sandboxAdmin } from '../faults/client.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { stackEnv, startStack, type RunningStack } from '../support/stack.js';
// Ctrl-C at each step of start-up: in this file, so no two stacks start at once (they would race for ports).
import './interrupt-cases.js';

let dataDir: string;
let env: Record<string, string>;
let stack: RunningStack | undefined;
let browser: Browser;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-start-'));
  chmodSync(dataDir, 0o755);
  env = {
    ...(await stackEnv(path.join(dataDir, 'data'))),
    // Short cadences, so accounts connected before the restart must sync and refresh again after it:
    // X tokens live 90 s and are refreshed 60 s ahead (every ~30 s), syncs every 15 s.
    SYNC_INTERVAL_SECONDS: '15',
    DEMO_X_TOKEN_SECONDS: '90',
    TOKEN_REFRESH_LEAD_SECONDS: '60',
  };
  stack = await startStack(env);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** How many of the accounts have a successful sync that finished after `since`. */
async function syncedSince(db: DataSource, accountIds: number[], since: Date): Promise<number> {
  const rows = await db.query(
    `SELECT count(DISTINCT account_id)::int AS n FROM sync_runs WHERE account_id = ANY($1) AND status = 'success' AND finished_at > $2`,
    [accountIds, since],
  );
  return Number(rows[0].n);
}

const databaseUrl = () => `postgres://postgres:social-sync-local@127.0.0.1:${env.POSTGRES_PORT}/social_sync`;

describe('npm start', () => {
  it('prints the URLs and the demo login', () => {
    const out = stack!.output();
    expect(out).toContain(`Dashboard     http://localhost:${env.WEB_PORT}`);
    expect(out).toContain(`Temporal UI   http://localhost:${env.TEMPORAL_UI_PORT}`);
    expect(out).toContain('Log in as     demo@example.com / demo-password');
  });

  it('serves /ready with 200 and X-Request-ID, and the Temporal Web UI', async () => {
    const ready = await fetch(`${stack!.apiUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBeTruthy();
    const ui = await fetch(stack!.temporalUiUrl);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);
  });

  it('lets the demo user log in to the dashboard and see the demo business', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack!.webUrl}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Email').fill('demo@example.com');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Password hashing is deliberately slow (scrypt), and slower on a busy machine: allow it time.
    await expect.poll(() => page.getByText('Email or password is incorrect.').isVisible(), { timeout: 15_000 }).toBe(true);
    await screenshot(page, 'login-error');

    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/b\/\d+/);
    await expect.poll(() => page.getByTestId('business-name').first().textContent(), { timeout: 15_000 }).toContain('Demo Coffee Co.');
    await screenshot(page, 'overview');

    // The session lives in an http-only cookie: scripts in the page cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await page.context().cookies();
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.every((c) => c.httpOnly)).toBe(true);
    await page.close();
  });

  it('stops cleanly on Ctrl-C and keeps sessions, accounts and workflows across a restart', async () => {
    const login = await fetch(`${stack!.apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@example.com', password: 'demo-password' }),
    });
    const { token, businesses } = await login.json();
    const businessId = businesses[0].id as number;

    // Real accounts through the OAuth flow (issue 10 item 17): an X account (rotating refresh tokens) and a
    // LinkedIn one with a partner refresh token, both issued by the sandbox, which must remember them.
    const sandbox = `http://127.0.0.1:${env.SANDBOX_PORT}`;
    await sandboxAdmin(sandbox, '/config', { linkedin: { refreshEnabled: true, accessTokenSeconds: 120 } });
    const session = new ApiSession(stack!.apiUrl, businessId);
    await session.login('demo@example.com', 'demo-password');
    const connected = [
      ...(await session.connect('twitter', '1700000000000000001')),
      ...(await session.connect('linkedin', 'sbxLiMember01')),
    ];
    expect(connected).toHaveLength(2);

    const db = await openDatabase(databaseUrl(), { poolSize: 1 });
    await expect.poll(() => syncedSince(db, connected, new Date(0)), { timeout: 90_000, interval: 1_000 }).toBe(connected.length);
    const [account] = await db.query(
      `INSERT INTO social_accounts (business_id, platform, external_id, username, status)
       VALUES ($1, 'twitter', 'restart-check', 'restart_check', 'active') RETURNING id`,
      [businessId],
    );
    const temporal = await connectTemporal({ address: env.TEMPORAL_ADDRESS!, namespace: 'default' });
    const handle = await ensureAccountWorkflow(temporal, 'social-sync', {
      id: account.id,
      businessId,
      platform: 'twitter',
      username: 'restart_check',
    });
    await expect.poll(async () => (await queryAccountStatus(temporal, account.id)).status, { timeout: 20_000 }).toBe('active');
    await temporal.connection.close();
    await db.destroy();

    expect(await stack!.stop()).toBe(0);
    stack = undefined;
    for (const port of [env.API_PORT, env.WEB_PORT, env.SANDBOX_PORT, env.POSTGRES_PORT, env.TEMPORAL_UI_PORT]) {
      expect(await portIsFree(Number(port))).toBe(true);
    }

    stack = await startStack(env);
    const restartedAt = new Date();
    const me = await fetch(`${stack.apiUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const again = await connectTemporal({ address: env.TEMPORAL_ADDRESS!, namespace: 'default' });
    const status = await queryAccountStatus(again, account.id);
    expect(status).toMatchObject({ accountId: account.id, username: 'restart_check' });
    expect(['active', 'syncing']).toContain(status.status); // it syncs every 15 s in this test
    expect((await again.workflow.getHandle(handle.workflowId).describe()).status.name).toBe('RUNNING');
    await again.connection.close();

    // The connected accounts sync and refresh again with what was stored before the restart: the
    // sandbox kept its grants and rotated tokens under DATA_DIR, so none turns reconnect_required.
    const after = await openDatabase(databaseUrl(), { poolSize: 1 });
    try {
      await expect.poll(() => syncedSince(after, connected, restartedAt), { timeout: 120_000, interval: 2_000 }).toBe(connected.length);
      const refreshed = async () =>
        Number(
          (
            await after.query(
              `SELECT count(*)::int AS n FROM social_accounts WHERE id = ANY($1) AND refresh_outcome = 'success' AND refresh_finished_at > $2`,
              [connected, restartedAt],
            )
          )[0].n,
        );
      await expect.poll(refreshed, { timeout: 150_000, interval: 2_000 }).toBe(connected.length);
      const statuses = await after.query('SELECT status FROM social_accounts WHERE id = ANY($1)', [connected]);
      expect(statuses.map((r: { status: string }) => r.status)).not.toContain('reconnect_required');
    } finally {
      await after.destroy();
    }
  }, 420_000); // a whole stop and start of every process, then a refresh cycle

  it('refuses to start on a taken port with a clear message', async () => {
    const second = startStack(env, 60_000);
    await expect(second).rejects.toThrow(/Already in use: API port/);
  });
});
