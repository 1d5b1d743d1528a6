// The business user's journey through the dashboard, in real Chromium against the real `npm start`
// stack (Postgres, Temporal, worker, API, web, provider sandbox):
//   log in -> Connections: connect X through the sandbox consent page -> healthy (name, avatar, token
//   expiry, status) -> Analytics: Sync now with a live progress bar to completion -> the new history row
//   and the charts -> the grant is revoked at X -> a sync fails -> "Reconnect required" -> Reconnect
//   (OAuth again) -> healthy -> Disconnect (confirmed) -> gone.
// Screenshots of each stage land in test/artifacts/journey-*.png.
import { expect, describe, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { POLL, consentOnSandbox, dashboardStack, logIn, sandboxAdmin } from './dashboard.js';

// For working on this test: JOURNEY_STACK=<JSON file with webUrl, PUBLIC_API_URL, SANDBOX_URL> reuses a
// running stack whose demo business has nothing connected (the sandbox is reset here).
const harness = dashboardStack({
  label: 'journey',
  reuseVariable: 'JOURNEY_STACK',
  resetSandbox: true,
  configure(env) {
    // No scheduled sync in the middle of the journey: every sync here is one the test asked for.
    env.SYNC_INTERVAL_SECONDS = '900';
    env.SYNC_FULL_RESCAN_HOURS = '0'; // "Sync now" reads every post, so its progress can be watched over three pages
    // The dashboard (localhost) and the API (127.0.0.1) on different hosts, as in production: the OAuth
    // binding cookie must still reach the callback (decision 015).
    env.PUBLIC_API_URL = env.API_URL!;
  },
});

describe('dashboard journey', () => {
  it(
    'connects X, syncs with live progress, recovers from a revoked grant by reconnecting, and disconnects',
    { timeout: 150_000 },
    async () => {
      const page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));

      // --- Log in ------------------------------------------------------------------------------------
      await page.goto(`${harness.target.webUrl}/`);
      await page.waitForURL(/\/login/);
      await page.getByLabel('Email').fill('demo@example.com');
      await page.getByLabel('Password').fill('demo-password');
      await screenshot(page, 'journey-01-login');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/b\/\d+$/);
      const businessId = Number(/\/b\/(\d+)/.exec(page.url())![1]);
      await expect.poll(() => page.getByTestId('business-name').first().textContent()).toContain('Demo Coffee Co.');

      // --- Connections: a card per platform, X not connected ------------------------------------------
      await page.getByRole('link', { name: 'Connections' }).click();
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections`);
      const xCard = page.locator('#platform-twitter');
      await expect.poll(() => page.locator('ul[aria-label="Platforms"] > li').count()).toBe(4);
      await expect.poll(() => xCard.getByText('Not connected').isVisible()).toBe(true);
      await screenshot(page, 'journey-02-connections');

      // --- Connect X through the sandbox consent page ------------------------------------------------
      await xCard.getByRole('button', { name: 'Connect X', exact: true }).click();
      await consentOnSandbox(harness.target, page);
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?connected=twitter`, { timeout: 45_000 });
      await expect.poll(() => page.getByTestId('connect-banner').textContent()).toContain('X connected');

      // Healthy: avatar, name, handle, status and token expiry.
      const account = xCard.locator('.account-card');
      await expect.poll(() => account.count()).toBe(1);
      await expect.poll(() => account.getAttribute('data-status')).toBe('active');
      expect(await account.locator('.account-card__name').textContent()).toBe('Sandbox X');
      expect(await account.locator('.account-card__handle').textContent()).toBe('@sandbox_x');
      expect(await account.locator('img.avatar').getAttribute('src')).toMatch(/\/avatars\/twitter\/\d+\.svg$/);
      await expect
        .poll(() => account.locator('img.avatar').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
        .toBe(true);
      expect(await account.locator('.status-badge').textContent()).toBe('Connected');
      expect(await account.getByTestId('token-expiry').textContent()).toMatch(/^expires in (2 hours|1 hour|\d+ minutes)$/);
      await screenshot(page, 'journey-03-connected');

      // --- Analytics: the first sync (started by connecting) finishes ---------------------------------
      await page.getByRole('link', { name: 'Analytics' }).click();
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/analytics`);
      const status = page.getByTestId('sync-status');
      const overall = status.locator('.overall-status');
      await expect.poll(() => overall.getAttribute('data-status'), POLL).toBe('success');
      expect(await page.getByTestId('connected-platforms').textContent()).toBe('1');
      const syncNow = status.getByRole('button', { name: /Sync now|Syncing/ });
      await expect.poll(() => syncNow.getAttribute('aria-disabled'), POLL).toBeNull();

      // --- Sync now, with a live progress bar --------------------------------------------------------
      // X answers each page of posts 1.5 s late, so the sync takes a few seconds and can be watched.
      await sandboxAdmin(harness.target, '/admin/faults', { platform: 'twitter', kind: 'latency', delayMs: 1500, times: 3 });
      await syncNow.click();
      await expect.poll(() => syncNow.textContent()).toContain('Syncing');
      expect(await syncNow.getAttribute('aria-disabled')).toBe('true');
      const progress = status.locator('.sync-progress');
      await expect.poll(() => progress.count(), POLL).toBe(1);
      const jobId = (await progress.getAttribute('data-job-id'))!;
      expect(jobId).toMatch(/sync/);
      const bar = progress.getByRole('progressbar');
      await expect.poll(() => bar.getAttribute('aria-labelledby')).toBeTruthy();

      // While it runs: the step, the posts so far and the time left, and a value that the bar shows.
      await expect
        .poll(() => progress.locator('.sync-progress__text').textContent(), POLL)
        // The total is known up front (the 250 posts the first sync stored are read again).
        .toMatch(/^Fetching posts and metrics — \d+ of 250 posts( — about \d+ (s|min) left)?$/);
      expect(await progress.getAttribute('data-status')).toBe('running');
      const running = Number(await bar.getAttribute('aria-valuenow'));
      expect(running).toBeGreaterThanOrEqual(0);
      expect(running).toBeLessThan(100);
      expect(await bar.getAttribute('aria-valuetext')).toContain('Fetching posts and metrics');
      expect(await overall.getAttribute('data-status')).toBe('syncing');
      await screenshot(page, 'journey-04-sync-progress');

      // ... to completion.
      await expect.poll(() => progress.getAttribute('data-status'), POLL).toBe('completed');
      expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      expect(await progress.locator('.sync-progress__text').textContent()).toBe('Completed — 250 posts');
      await expect.poll(() => syncNow.textContent(), POLL).toBe('Sync now');

      // The new run in the history, and the charts.
      const row = page.locator(`tr[data-job-id="${jobId}"]`);
      await expect.poll(() => row.count(), POLL).toBe(1);
      expect(await row.getAttribute('data-status')).toBe('success');
      const cells = await row.locator('td').allTextContents();
      // "All posts": this stack rescans fully on every sync (SYNC_FULL_RESCAN_HOURS=0), and the run says so.
      expect(cells).toEqual(expect.arrayContaining(['X@sandbox_x', 'Sync nowAll posts', 'Synced', '250']));
      expect(await page.locator('table.table tbody tr').count()).toBeGreaterThanOrEqual(2); // the connect sync too
      for (const metric of ['impressions', 'engagements']) {
        const chart = page.getByTestId(`chart-${metric}`);
        // One line per platform with posts, named in the legend; X's among them.
        await expect.poll(() => chart.locator('.recharts-line-curve').count(), POLL).toBeGreaterThanOrEqual(1);
        const legend = await chart.locator('.recharts-legend-item-text').allTextContents();
        expect(legend).toContain('X');
        expect(await chart.locator('.recharts-line-curve').count()).toBe(legend.length);
      }
      expect(await page.getByRole('figure', { name: 'Impressions per day' }).locator('table caption').textContent()).toContain(
        'Impressions per day by platform',
      );
      await overall.scrollIntoViewIfNeeded();
      await screenshot(page, 'journey-05-after-sync');

      // --- The grant is revoked at X; the next sync finds out ---------------------------------------
      expect(await sandboxAdmin(harness.target, '/admin/grants/revoke', { platform: 'twitter' })).toEqual({ revoked: 1 });
      await syncNow.click();
      const warning = status.getByTestId('reconnect-required');
      await expect.poll(() => warning.count(), POLL).toBe(1);
      expect(await warning.getByRole('heading').textContent()).toBe('Reconnect required: X @sandbox_x');
      await expect.poll(() => overall.getAttribute('data-status'), POLL).toBe('error');
      await expect.poll(() => progress.getAttribute('data-status'), POLL).toBe('failed');
      const failedJob = (await progress.getAttribute('data-job-id'))!;
      expect(failedJob).not.toBe(jobId);
      expect(await progress.locator('.sync-progress__text').textContent()).toMatch(/^Failed — /);
      const failedRow = page.locator(`tr[data-job-id="${failedJob}"]`);
      await expect.poll(() => failedRow.count(), POLL).toBe(1);
      expect(await failedRow.locator('.status-badge').textContent()).toBe('Failed');
      expect(await failedRow.locator('.history-error').textContent()).toBeTruthy();
      await screenshot(page, 'journey-06-reconnect-required');

      // Sync now is refused with the reason while the account must be reconnected.
      await expect.poll(() => syncNow.getAttribute('aria-disabled'), POLL).toBeNull();
      await syncNow.click();
      await expect
        .poll(() => status.getByRole('alert').filter({ hasText: 'Sync did not start' }).textContent(), POLL)
        .toContain('X: The account must be reconnected first.');

      // --- Reconnect: OAuth again -------------------------------------------------------------------
      await warning.getByRole('button', { name: 'Reconnect X @sandbox_x' }).click();
      await consentOnSandbox(harness.target, page);
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?connected=twitter`, { timeout: 45_000 });
      await expect.poll(() => account.getAttribute('data-status'), POLL).toBe('active');
      expect(await account.locator('.status-badge').textContent()).toBe('Connected');
      expect(await account.locator('.alert').count()).toBe(0);
      expect(await account.getByTestId('token-expiry').textContent()).toMatch(/^expires in /);

      // The X token can be renewed on request (the refresh token rotates at X).
      await account.getByRole('button', { name: 'Refresh token for @sandbox_x' }).click();
      await expect
        .poll(() => page.getByTestId('action-result').textContent(), POLL)
        .toMatch(/Token refreshed.*X access for @sandbox_x was renewed\. It now expires in (2 hours|1 hour|\d+ minutes)\./);

      await screenshot(page, 'journey-07-reconnected');

      // --- Disconnect, after an explicit confirmation -------------------------------------------------
      const disconnect = account.getByRole('button', { name: 'Disconnect X @sandbox_x' });
      await disconnect.click();
      const confirm = account.getByRole('group', { name: 'Disconnect @sandbox_x from X?' });
      await expect.poll(() => confirm.isVisible()).toBe(true);
      // Focus moves into the question, so a keyboard user goes on to its answers; Escape backs out.
      expect(await confirm.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => confirm.isVisible()).toBe(false);
      expect(await disconnect.evaluate((el) => el === document.activeElement)).toBe(true);
      await disconnect.click();
      await expect.poll(() => confirm.isVisible()).toBe(true);
      // Backing out changes nothing.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => confirm.isVisible()).toBe(false);
      expect(await account.getAttribute('data-status')).toBe('active');

      await disconnect.click();
      await confirm.getByRole('button', { name: 'Yes, disconnect' }).click();
      const outcome = page.getByTestId('action-result');
      await expect.poll(() => outcome.textContent(), POLL).toContain('X disconnected');
      expect(await outcome.textContent()).toContain('its access at X was revoked');
      await expect.poll(() => account.count(), POLL).toBe(0);
      await expect.poll(() => xCard.getByText('Not connected').isVisible()).toBe(true);
      expect(await xCard.getByRole('button', { name: 'Connect X', exact: true }).isVisible()).toBe(true);
      await screenshot(page, 'journey-08-disconnected');

      // Analytics agrees: nothing connected, nothing to reconnect, and the runs are still in the history.
      await page.getByRole('link', { name: 'Analytics' }).click();
      await expect.poll(() => page.getByTestId('connected-platforms').textContent(), POLL).toBe('0');
      expect(await status.getByText('No platforms are connected yet.').isVisible()).toBe(true);
      expect(await status.getByTestId('reconnect-required').count()).toBe(0);
      expect(await page.locator(`tr[data-job-id="${jobId}"]`).count()).toBe(1);

      expect(pageErrors).toEqual([]);
      await page.close();
    },
  );

  it('connects Facebook Pages and Instagram through the Page picker', { timeout: 60_000 }, async () => {
    const page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const businessId = await logIn(harness.target, page);
    await page.goto(`${harness.target.webUrl}/b/${businessId}/connections`);
    await page.locator('#platform-meta').getByRole('button', { name: 'Connect Facebook Pages', exact: true }).click();
    await consentOnSandbox(harness.target, page, 'meta');
    await page.waitForURL(new RegExp(`/b/${businessId}/connections\\?meta_pending=\\d+`), { timeout: 45_000 });

    const picker = page.getByRole('region', { name: 'Choose Facebook Pages and Instagram accounts' });
    const coffee = picker.getByRole('checkbox', { name: /^Sandbox Coffee Co\./ });
    const bakery = picker.getByRole('checkbox', { name: /^Sandbox Bakery/ });
    const instagram = picker.getByRole('checkbox', { name: /^Instagram @sandbox_coffee/ });
    await expect.poll(() => coffee.isChecked()).toBe(true);
    expect(await bakery.isChecked()).toBe(true);
    expect(await instagram.isChecked()).toBe(true);
    await bakery.uncheck();
    await screenshot(page, 'journey-09-meta-page-picker');
    await picker.getByRole('button', { name: 'Connect selected' }).click();

    await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?connected=meta`, { timeout: 45_000 });
    await expect.poll(() => page.getByTestId('connect-banner').textContent()).toContain('Facebook Pages connected');
    const pages = page.locator('#platform-meta .account-card');
    await expect.poll(() => pages.count(), POLL).toBe(1);
    expect(await pages.locator('.account-card__name').textContent()).toBe('Sandbox Coffee Co.');
    // Page tokens last until the user's data access runs out (90 days).
    expect(await pages.getByTestId('token-expiry').textContent()).toBe('expires in 3 months');
    const instagramAccount = page.locator('#platform-instagram .account-card');
    await expect.poll(() => instagramAccount.count(), POLL).toBe(1);
    expect(await instagramAccount.locator('.account-card__handle').textContent()).toBe('@sandbox_coffee');
    // Page tokens cannot be refreshed on request, so there is no such button.
    expect(await pages.getByRole('button', { name: /Refresh token/ }).count()).toBe(0);
    expect(await picker.count()).toBe(0);
    await page.close();
  });

  it('refuses a sign-in finished in another browser, which leaves it to the browser that started it', { timeout: 90_000 }, async () => {
    const mine = await harness.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await harness.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await mine.newPage();
      const businessId = await logIn(harness.target, page);
      await page.goto(`${harness.target.webUrl}/b/${businessId}/connections`);
      await page.locator('#platform-linkedin').getByRole('button', { name: 'Connect LinkedIn', exact: true }).click();
      await page.waitForURL((url) => url.href.startsWith(`${harness.target.sandboxUrl}/linkedin/`), { timeout: 15_000 });

      // The same sign-in link, opened and allowed in another browser (signed out of Social Sync there, so
      // the refusal waits behind its login page).
      const elsewhere = await other.newPage();
      await elsewhere.goto(page.url());
      await consentOnSandbox(harness.target, elsewhere, 'linkedin');
      await elsewhere.waitForURL(/\/login\?redirectTo=/, { timeout: 45_000 });
      await elsewhere.getByLabel('Email').fill('demo@example.com');
      await elsewhere.getByLabel('Password').fill('demo-password');
      await elsewhere.getByRole('button', { name: 'Sign in' }).click();
      await elsewhere.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?error=browser_mismatch&platform=linkedin`);
      await expect.poll(() => elsewhere.getByRole('alert').filter({ hasText: 'started in another browser' }).count()).toBe(1);
      expect(await elsewhere.locator('#platform-linkedin .account-card').count()).toBe(0);
      await screenshot(elsewhere, 'journey-11-other-browser-refused');

      // The browser that started it still finishes it.
      await consentOnSandbox(harness.target, page, 'linkedin');
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?connected=linkedin`, { timeout: 45_000 });
      await expect.poll(() => page.locator('#platform-linkedin .account-card').count(), POLL).toBe(1);
    } finally {
      await mine.close();
      await other.close();
    }
  });

  it('explains a sign-in link that is not valid', { timeout: 60_000 }, async () => {
    const page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const businessId = await logIn(harness.target, page);

    // A callback with a state nobody issued (an old tab, a forged link): the API cannot tell the business.
    await page.goto(`${harness.target.apiUrl}/api/v1/oauth/twitter/callback?state=not-a-real-state&code=whatever`);
    await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?error=invalid_state&platform=twitter`, {
      timeout: 15_000,
    });
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The sign-in link was not valid');
  });

  it('explains a declined consent', { timeout: 60_000 }, async () => {
    const page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const businessId = await logIn(harness.target, page);
    await page.goto(`${harness.target.webUrl}/b/${businessId}/connections`);
    // LinkedIn is connected by the test before: this one adds another, and is declined.
    const linkedin = page.locator('#platform-linkedin');
    await expect.poll(() => linkedin.locator('.account-card').count()).toBe(1);
    await linkedin.getByRole('button', { name: 'Connect another LinkedIn account', exact: true }).click();
    await consentOnSandbox(harness.target, page, 'linkedin', 'Deny');
    await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?error=access_denied&platform=linkedin`, {
      timeout: 45_000,
    });
    const banner = page.getByRole('alert').filter({ hasText: 'LinkedIn was not connected' });
    await expect.poll(() => banner.textContent()).toContain('Access was not granted on LinkedIn.');
    // Nothing changed: the account connected before is still the only one, and still connected.
    expect(await linkedin.locator('.account-card').count()).toBe(1);
    expect(await linkedin.locator('.account-card').getAttribute('data-status')).toBe('active');
    await screenshot(page, 'journey-10-consent-denied');
    await page.close();
  });
});
