// The Connections page at 100 accounts (issue 12 item 5), in real Chromium against the real `npm start`
// stack: accounts and their projection rows are seeded straight into Postgres (connecting 100 through
// OAuth is the benchmark's job), then the table must list them all with those needing attention first,
// sort and filter, and each page must answer (under 300 ms of server time is a goal the benchmark measures).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../support/browser.js';
import { stackEnv, startStack, type RunningStack } from '../support/stack.js';
import { logIn } from './dashboard.js';

let dataDir: string;
let stack: RunningStack;
let browser: Browser;
let db: pg.Client;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-scale-ui-'));
  chmodSync(dataDir, 0o755); // embedded Postgres runs as the postgres user when we are root
  const env = await stackEnv(path.join(dataDir, 'data'));
  stack = await startStack(env);
  db = new pg.Client({ connectionString: `postgres://postgres:social-sync-local@127.0.0.1:${env.POSTGRES_PORT}/social_sync` });
  await db.connect();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** 100 accounts, half X and half LinkedIn: 3 need a reconnect, 5 will soon, 4 fail to sync, the rest are fine. */
async function seed(businessId: number): Promise<void> {
  await db.query(
    `INSERT INTO social_accounts (business_id, platform, external_id, username, status, token_expires_at)
     SELECT $1, CASE WHEN n % 2 = 0 THEN 'twitter' ELSE 'linkedin' END, 'scale' || n, 'acct' || lpad(n::text, 3, '0'),
            CASE WHEN n <= 3 THEN 'reconnect_required' ELSE 'active' END, now() + interval '30 days'
     FROM generate_series(1, 100) n`,
    [businessId],
  );
  await db.query(
    `INSERT INTO account_sync_state (account_id, business_id, status, status_message, warning, token_expires_at, can_refresh,
       next_sync_at, last_sync, observed_at)
     SELECT a.id, a.business_id, a.status,
            CASE WHEN n <= 3 THEN 'Reconnect required: the grant was revoked.' WHEN n BETWEEN 9 AND 12 THEN 'Last sync failed: HTTP 500' END,
            CASE WHEN n BETWEEN 4 AND 8 THEN 'The token expires soon and cannot be refreshed: reconnect before then.' END,
            a.token_expires_at, a.platform = 'twitter', CASE WHEN n > 3 THEN now() + interval '10 minutes' END,
            jsonb_build_object('status', CASE WHEN n BETWEEN 9 AND 12 THEN 'error' ELSE 'success' END, 'postsSynced', 25,
              'impressions', 1000, 'engagements', 50, 'engagementRate', 5, 'error', NULL, 'jobId', 'x', 'finishedAt', to_char((now() - (n || ' minutes')::interval) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
            now()
     FROM social_accounts a, LATERAL (SELECT substring(a.external_id FROM 6)::int AS n) k
     WHERE a.business_id = $1 AND a.external_id LIKE 'scale%'`,
    [businessId],
  );
}

/** Server time of a page load: from the request sent to the first byte of the answer. */
async function serverTimeMs(page: Page, url: string): Promise<number> {
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  const timing = response!.request().timing();
  return timing.responseStart - timing.requestStart;
}

describe('the dashboard at 100 accounts', () => {
  it(
    "lists them in one table, needing attention first, sortable and filterable; each page answers (its speed is the benchmark's)",
    { timeout: 120_000 },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      const businessId = await logIn(stack, page);
      await seed(businessId);

      const connections = `${stack.webUrl}/b/${businessId}/connections`;
      const analytics = `${stack.webUrl}/b/${businessId}/analytics`;
      await serverTimeMs(page, connections); // warm
      const times = { connections: [] as number[], analytics: [] as number[] };
      for (let i = 0; i < 5; i++) {
        times.connections.push(await serverTimeMs(page, connections));
        times.analytics.push(await serverTimeMs(page, analytics));
      }
      console.log(
        `server time at 100 accounts (ms, 5 loads): connections ${times.connections.map(Math.round)}, analytics ${times.analytics.map(Math.round)}`,
      );
      // Speed goals live in the benchmark (npm run bench:scale); here the pages must only answer.
      expect(times.connections.every((ms) => ms > 0) && times.analytics.every((ms) => ms > 0)).toBe(true);

      await page.goto(connections);
      const table = page.getByTestId('accounts-table');
      const rows = table.locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(100);
      expect(await table.getByTestId('accounts-summary').textContent()).toBe('100 connected, 12 need attention');
      const attention = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-attention')));
      expect(attention.slice(0, 12)).toEqual([
        ...Array(3).fill('reconnect_required'),
        ...Array(5).fill('reconnect_soon'),
        ...Array(4).fill('failing'),
      ]);
      expect(new Set(attention.slice(12))).toEqual(new Set(['ok']));
      // The platform cards no longer list 100 accounts: they count them and offer Connect.
      expect(await page.locator('.account-card').count()).toBe(0);
      expect(await page.locator('#platform-twitter').getByTestId('platform-account-count').textContent()).toContain(
        '50 connected accounts',
      );
      // Every row has its actions.
      expect(await table.getByRole('button', { name: /^Disconnect/ }).count()).toBe(100);
      await screenshot(page, 'connections-100-accounts');

      await table.getByLabel('Show').selectOption('attention');
      await expect.poll(() => rows.count()).toBe(12);
      await table.getByLabel('Platform').selectOption('linkedin');
      await expect.poll(() => table.getByTestId('accounts-shown').textContent()).toMatch(/^\d+ of 100 shown$/);
      const linkedin = await rows.evaluateAll((trs) => trs.length);
      expect(linkedin).toBeGreaterThan(0);
      expect(linkedin).toBeLessThan(12);
      await table.getByLabel('Platform').selectOption('all');
      await table.getByLabel('Show').selectOption('all');
      await table.getByLabel('Name').fill('acct050');
      await expect.poll(() => rows.count()).toBe(1);
      await table.getByLabel('Name').fill('');

      // Sort by account name, then the other way.
      await table.getByRole('button', { name: 'Account' }).click();
      const names = () => rows.locator('.account-name').allTextContents();
      await expect.poll(async () => (await names())[0]).toBe('@acct001');
      await table.getByRole('button', { name: 'Account' }).click();
      await expect.poll(async () => (await names())[0]).toBe('@acct100');
      expect(await table.locator('th[aria-sort="descending"]').textContent()).toContain('Account');
      expect(pageErrors).toEqual([]);
    },
  );
});
