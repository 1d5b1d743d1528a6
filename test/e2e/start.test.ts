// `npm start` from nothing: every part comes up, the demo login works in a real browser, Ctrl-C stops
// everything, and a second start finds the same data (sessions, accounts and their workflows).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAccountStatus, ensureAccountWorkflow } from '../../lib/account-workflows.js';
import { openDatabase } from '../../lib/db/data-source.js';
import { connectTemporal } from '../../lib/temporal.js';
import { portIsFree } from '../../scripts/stack.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { stackEnv, startStack, type RunningStack } from '../support/stack.js';

let dataDir: string;
let env: Record<string, string>;
let stack: RunningStack | undefined;
let browser: Browser;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-start-'));
  chmodSync(dataDir, 0o755);
  env = await stackEnv(path.join(dataDir, 'data'));
  stack = await startStack(env);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

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

    const db = await openDatabase(databaseUrl(), { poolSize: 1 });
    const [account] = await db.query(
      `INSERT INTO social_accounts (business_id, platform, external_id, username, status)
       VALUES ($1, 'twitter', 'restart-check', 'restart_check', 'active') RETURNING id`,
      [businessId],
    );
    await db.destroy();
    const temporal = await connectTemporal({ address: env.TEMPORAL_ADDRESS!, namespace: 'default' });
    const handle = await ensureAccountWorkflow(temporal, 'social-sync', {
      id: account.id,
      businessId,
      platform: 'twitter',
      username: 'restart_check',
    });
    await expect.poll(async () => (await queryAccountStatus(temporal, account.id)).status, { timeout: 20_000 }).toBe('active');
    await temporal.connection.close();

    expect(await stack!.stop()).toBe(0);
    stack = undefined;
    for (const port of [env.API_PORT, env.WEB_PORT, env.SANDBOX_PORT, env.POSTGRES_PORT, env.TEMPORAL_UI_PORT]) {
      expect(await portIsFree(Number(port))).toBe(true);
    }

    stack = await startStack(env);
    const me = await fetch(`${stack.apiUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const again = await connectTemporal({ address: env.TEMPORAL_ADDRESS!, namespace: 'default' });
    const status = await queryAccountStatus(again, account.id);
    expect(status).toMatchObject({ accountId: account.id, status: 'active', username: 'restart_check' });
    expect((await again.workflow.getHandle(handle.workflowId).describe()).status.name).toBe('RUNNING');
    await again.connection.close();
  }, 180_000); // a whole stop and start of every process

  it('refuses to start on a taken port with a clear message', async () => {
    const second = startStack(env, 60_000);
    await expect(second).rejects.toThrow(/Already in use: API port/);
  });
});
