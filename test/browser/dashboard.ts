// What the dashboard's browser tests share: `npm start`'s stack in a scratch DATA_DIR (or a running one,
// for working on a test), one Chromium, the sandbox's admin API, and the steps every journey begins with.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { stackEnv, startStack, type RunningStack } from '../support/stack.js';

export interface DashboardTarget {
  webUrl: string;
  apiUrl: string;
  sandboxUrl: string;
}

export const POLL = { timeout: 30_000, interval: 250 };

/**
 * Starts the stack (with `configure`'s changes to its env) and Chromium before the file's tests and
 * stops them after. `reuseVariable` names an env variable that may point at a JSON file with webUrl,
 * PUBLIC_API_URL and SANDBOX_URL of a stack already running, used instead.
 */
export function dashboardStack(options: {
  label: string;
  reuseVariable: string;
  configure?: (env: Record<string, string>) => void;
  /** Reusing a stack: forget the sandbox's grants first (a test that connects from scratch). */
  resetSandbox?: boolean;
}) {
  let dataDir: string | undefined;
  let stack: RunningStack | undefined;
  const harness = { target: undefined as unknown as DashboardTarget, browser: undefined as unknown as Browser };
  beforeAll(async () => {
    const reuse = process.env[options.reuseVariable];
    if (reuse) {
      const env = JSON.parse(readFileSync(reuse, 'utf8')) as Record<string, string>;
      harness.target = { webUrl: env.webUrl!, apiUrl: env.PUBLIC_API_URL!, sandboxUrl: env.SANDBOX_URL! };
      if (options.resetSandbox) await sandboxAdmin(harness.target, '/admin/reset', {});
    } else {
      dataDir = mkdtempSync(path.join(tmpdir(), `social-sync-${options.label}-`));
      chmodSync(dataDir, 0o755); // embedded Postgres runs as the postgres user when we are root
      const env = await stackEnv(path.join(dataDir, 'data'));
      options.configure?.(env);
      stack = await startStack(env);
      harness.target = { webUrl: stack.webUrl, apiUrl: env.PUBLIC_API_URL ?? stack.apiUrl, sandboxUrl: stack.sandboxUrl };
    }
    harness.browser = await launchChromium();
  });
  afterAll(async () => {
    await harness.browser?.close();
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return harness;
}

/** The sandbox's admin API: what a test does "at the provider". */
export async function sandboxAdmin(
  target: DashboardTarget,
  pathname: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<any> {
  const response = await fetch(`${target.sandboxUrl}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok, `${pathname} answered ${response.status}`).toBe(true);
  return response.json();
}

/** Signs in as the demo user; the business the dashboard opens. */
export async function logIn(target: DashboardTarget, page: Page): Promise<number> {
  await page.goto(`${target.webUrl}/login`);
  await page.getByLabel('Email').fill('demo@example.com');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/b\/\d+$/);
  return Number(/\/b\/(\d+)/.exec(page.url())![1]);
}

/** On the provider's (sandbox's) consent page: Allow or Deny. */
export async function consentOnSandbox(
  target: DashboardTarget,
  page: Page,
  provider = 'x',
  decision: 'Allow' | 'Deny' = 'Allow',
): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${target.sandboxUrl}/${provider}/`), { timeout: 15_000 });
  await page.getByRole('button', { name: decision }).click();
}
