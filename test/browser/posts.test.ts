// Publishing from the dashboard, in real Chromium against the real `npm start` stack (Postgres, Temporal,
// worker, API, web, provider sandbox):
//   connect X, a LinkedIn page, a Facebook Page and Instagram (through Meta's Page picker) -> set the
//   business's time zone far from UTC -> compose one post with an image for all four (live counters, an
//   account's own text, a too-long text refused per account) scheduled a minute or two ahead -> it is
//   listed as scheduled and sits on the right day of the calendar (month and week) -> it is published on
//   all four, exactly once each, with links -> the X grant is revoked -> a post to X fails, with the
//   reason in words, and X is offered no more in the composer. (Issue 11's "done when", in a browser.)
// Screenshots land in test/artifacts/posts-*.png.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dayKeyAt, timeOfDayAt } from '../../web/app/zoned-time.js';
import { screenshot } from '../support/browser.js';
import { jpegImage } from '../support/images.js';
import { POLL, consentOnSandbox, dashboardStack, logIn, sandboxAdmin } from './dashboard.js';

// For working on this test: POSTS_STACK=<JSON file with webUrl, PUBLIC_API_URL, SANDBOX_URL> reuses a
// running stack (accounts already connected there are kept).
const harness = dashboardStack({
  label: 'posts',
  reuseVariable: 'POSTS_STACK',
  configure(env) {
    env.SYNC_INTERVAL_SECONDS = '900';
  },
});

/** A scheduled post is due a minute or two after it is written, then published by the worker. */
const PUBLISH_POLL = { timeout: 180_000, interval: 1_000 };
const ZONE = 'Pacific/Kiritimati'; // UTC+14: most days differ from UTC's for part of the day

async function connect(page: Page, businessId: number, platform: 'twitter' | 'linkedin', name: string, provider: string): Promise<void> {
  await page.goto(`${harness.target.webUrl}/b/${businessId}/connections`);
  await page
    .locator(`#platform-${platform}`)
    .getByRole('button', { name: `Connect ${name}`, exact: true })
    .click();
  await consentOnSandbox(harness.target, page, provider);
  await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?connected=${platform}`, { timeout: 45_000 });
  await expect.poll(() => page.locator(`#platform-${platform} .account-card`).getAttribute('data-status'), POLL).toBe('active');
}

/** Facebook's consent, then Meta's Page picker: the Page with an Instagram account and that account. */
async function connectMeta(page: Page, businessId: number): Promise<void> {
  await page.goto(`${harness.target.webUrl}/b/${businessId}/connections`);
  await page.locator('#platform-meta').getByRole('button', { name: 'Connect Facebook Pages', exact: true }).click();
  await consentOnSandbox(harness.target, page, 'meta');
  await page.waitForURL(new RegExp(`/b/${businessId}/connections\\?meta_pending=\\d+`), { timeout: 45_000 });
  const picker = page.getByRole('region', { name: 'Choose Facebook Pages and Instagram accounts' });
  await expect.poll(() => picker.getByRole('checkbox', { name: /^Sandbox Coffee Co\./ }).isChecked(), POLL).toBe(true);
  await picker.getByRole('checkbox', { name: /^Sandbox Bakery/ }).uncheck();
  await picker.getByRole('button', { name: 'Connect selected' }).click();
  await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/connections?connected=meta`, { timeout: 45_000 });
  await expect.poll(() => page.locator('#platform-instagram .account-card').count(), POLL).toBe(1);
}

describe('publishing from the dashboard', () => {
  it(
    'composes a post with an image for X, a LinkedIn page, a Facebook Page and Instagram, schedules it in the business zone, shows it on the calendar and published once on all four with links; a failure says why',
    { timeout: 420_000 },
    async () => {
      const page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      const businessId = await logIn(harness.target, page);
      await connect(page, businessId, 'twitter', 'X', 'x');
      await connect(page, businessId, 'linkedin', 'LinkedIn', 'linkedin');
      await connectMeta(page, businessId);

      // --- The time zone, set far from UTC ----------------------------------------------------------
      await page.getByRole('link', { name: 'Posts', exact: true }).click();
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/posts`);
      await expect.poll(() => page.getByText('No posts yet.').isVisible(), POLL).toBe(true);
      await page.getByRole('link', { name: 'New post' }).click();
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/posts/new`);
      await page.locator('#time-zone summary').click();
      await page.getByLabel('Schedule and show times in').selectOption(ZONE);
      await page.getByRole('button', { name: 'Save time zone' }).click();
      await expect.poll(() => page.locator('#time-zone [role="status"]').textContent(), POLL).toContain('Time zone changed');
      await expect.poll(() => page.getByTestId('composer-time-zone').textContent(), POLL).toContain(ZONE);

      // --- Compose: all four accounts, a live counter per platform ------------------------------------
      const boxes = [
        page.getByRole('checkbox', { name: /^X @sandbox_x/ }),
        page.getByRole('checkbox', { name: /^LinkedIn / }),
        page.getByRole('checkbox', { name: /^Facebook Pages Sandbox Coffee Co\./ }),
        page.getByRole('checkbox', { name: /^Instagram Business / }),
      ];
      for (const box of boxes) {
        expect(await box.isDisabled()).toBe(false);
        await box.check();
      }
      const xPreview = page.locator('.preview[data-platform="twitter"]');
      const linkedinPreview = page.locator('.preview[data-platform="linkedin"]');
      const text = `Fresh beans this morning ☕ (batch ${Date.now()})`;
      // Too long for X first: X weighs the cup 2 (282), LinkedIn counts it once (281); X says so beside the account.
      await page.getByLabel('Text', { exact: true }).fill(`${'x'.repeat(279)} ☕`);
      await expect.poll(() => xPreview.getByTestId('counter').textContent()).toMatch(/^282 \/ 280/);
      expect(await xPreview.getByTestId('counter').getAttribute('class')).toContain('counter--over');
      expect(await xPreview.getByTestId('account-problems').textContent()).toContain('X allows 280 characters');
      expect(await linkedinPreview.getByTestId('counter').textContent()).toMatch(/^281 \/ 3,000/);
      // The server says the same when the form is sent anyway.
      await page.getByRole('button', { name: 'Publish now' }).click();
      await expect.poll(() => page.getByTestId('composer-error').textContent(), POLL).toContain('The post was not created');
      expect(await xPreview.getByTestId('account-problems').textContent()).toContain('280');
      await screenshot(page, 'posts-01-too-long');

      await page.getByLabel('Text', { exact: true }).fill(text);
      await expect.poll(() => xPreview.getByTestId('counter').getAttribute('class')).not.toContain('counter--over');
      expect(await xPreview.getByTestId('account-problems').count()).toBe(0);
      // LinkedIn gets its own words; reserved characters like the parentheses above must not cut it short.
      await linkedinPreview.getByRole('checkbox', { name: /^Write different text for LinkedIn/ }).check();
      const linkedinText = `${text} — now on LinkedIn (with #coffee)`;
      await linkedinPreview.getByRole('textbox').fill(linkedinText);
      expect(await linkedinPreview.locator('.preview__text').textContent()).toBe(linkedinText);
      expect(await xPreview.locator('.preview__text').textContent()).toBe(text);
      // X continues as a thread: two replies, each ended by a line of ---.
      const threadMark = `thread ${Date.now()}`;
      await xPreview
        .getByRole('textbox', { name: /^Continue as a thread on X/ })
        .fill(`Roasted at six (${threadMark})\n---\nOpen till noon (${threadMark})`);
      expect(await xPreview.getByTestId('thread-count').textContent()).toBe('A thread of 3 tweets');
      // One image for every platform (Instagram has no text-only posts).
      await page.setInputFiles('#post-images', { name: 'beans.jpg', mimeType: 'image/jpeg', buffer: jpegImage(1080, 1080) });

      // Scheduled a minute or two ahead, typed in the business zone.
      const at = Math.ceil((Date.now() + 75_000) / 60_000) * 60_000;
      await page.getByRole('radio', { name: 'Schedule for' }).check();
      await page.getByLabel('Date').fill(dayKeyAt(at, ZONE));
      await page.getByLabel('Time', { exact: true }).fill(timeOfDayAt(at, ZONE));
      await screenshot(page, 'posts-02-composer');
      await page.getByRole('button', { name: 'Schedule post' }).click();

      // --- Scheduled -------------------------------------------------------------------------------
      await page.waitForURL(new RegExp(`/b/${businessId}/posts\\?done=scheduled&post=\\d+`), { timeout: 30_000 });
      const postId = new URL(page.url()).searchParams.get('post')!;
      await expect.poll(() => page.getByTestId('posts-banner').textContent(), POLL).toContain('Post scheduled');
      const row = page.locator(`.post-row[data-post-id="${postId}"]`);
      expect(await row.getAttribute('data-status')).toBe('scheduled');
      const targets = [
        [row.locator('.target[data-platform="twitter"]'), 'X', 'x'],
        [row.locator('.target[data-platform="linkedin"]'), 'LinkedIn', 'linkedin'],
        [row.locator('.target[data-platform="meta"]'), 'Facebook Pages', 'facebook'],
        [row.locator('.target[data-platform="instagram"]'), 'Instagram Business', 'instagram'],
      ] as const;
      for (const [line] of targets) expect(await line.locator('.status-badge').textContent()).toBe('Scheduled');
      expect(await row.locator('time').getAttribute('datetime')).toBe(new Date(at).toISOString());
      expect(await row.getByRole('link', { name: /^Edit/ }).isVisible()).toBe(true);
      await screenshot(page, 'posts-03-scheduled');

      // --- On the calendar, on its day in the business zone -------------------------------------------
      await page.getByRole('link', { name: 'Calendar', exact: true }).click();
      await page.waitForURL(`${harness.target.webUrl}/b/${businessId}/calendar`);
      const day = dayKeyAt(at, ZONE);
      const entry = page.locator(`.calendar__day[data-day="${day}"] .cal-post[data-post-id="${postId}"]`);
      await expect.poll(() => entry.count(), POLL).toBe(1);
      expect(await entry.locator('.cal-post__time').textContent()).toBe(timeOfDayAt(at, ZONE));
      await page.getByRole('link', { name: 'Week', exact: true }).click();
      await expect
        .poll(() => page.locator(`.calendar--week .calendar__day[data-day="${day}"] .cal-post[data-post-id="${postId}"]`).count(), POLL)
        .toBe(1);
      await screenshot(page, 'posts-04-calendar');

      // --- Published, with a link to each post ---------------------------------------------------------
      await page.getByRole('link', { name: 'Posts', exact: true }).click();
      await expect.poll(() => row.getAttribute('data-status'), PUBLISH_POLL).toBe('published');
      for (const [line, platform] of targets) {
        expect(await line.locator('.status-badge').textContent()).toBe('Published');
        const link = line.getByRole('link', { name: new RegExp(`^View on ${platform}`) });
        expect(await link.getAttribute('href')).toMatch(/^https?:\/\//);
      }
      expect(await row.getByRole('link', { name: /^Edit/ }).count()).toBe(0);
      const published = (await sandboxAdmin(harness.target, '/admin/published')).published as {
        platform: string;
        account_id: string;
        text: string;
      }[];
      // Exactly once on each, and LinkedIn's reserved characters did not cut its text short.
      const batch = /\(batch \d+\)/.exec(text)![0];
      const mine = (platform: string) => published.filter((p) => p.platform === platform && p.text.includes(batch));
      for (const [, , sandboxName] of targets) expect(mine(sandboxName), JSON.stringify(published)).toHaveLength(1);
      // The thread's replies, once each, after the first tweet.
      expect(published.filter((p) => p.platform === 'x' && p.text.includes(threadMark)).map((p) => p.text)).toEqual([
        `Roasted at six (${threadMark})`,
        `Open till noon (${threadMark})`,
      ]);
      // The image reached every platform (uploaded to X, LinkedIn and Facebook; fetched by Instagram).
      const { media } = (await (await fetch(`${harness.target.sandboxUrl}/admin/media`)).json()) as { media: { platform: string }[] };
      expect(new Set(media.map((m) => m.platform)), JSON.stringify(media)).toEqual(new Set(['x', 'linkedin', 'facebook', 'instagram']));
      expect(mine('linkedin')[0]!.text).toContain('(with #coffee)');
      // On LinkedIn as the page (the organization the member administers), not as the member.
      expect(mine('linkedin')[0]!.account_id).toMatch(/^\d+$/);
      await screenshot(page, 'posts-05-published');

      // --- A failure, with its reason in words ---------------------------------------------------------
      expect(await sandboxAdmin(harness.target, '/admin/grants/revoke', { platform: 'twitter' })).toEqual({ revoked: 1 });
      await page.getByRole('link', { name: 'New post' }).click();
      await page.getByRole('checkbox', { name: /^X @sandbox_x/ }).check();
      await page.getByLabel('Text', { exact: true }).fill(`This one cannot reach X (${Date.now()})`);
      await page.getByRole('button', { name: 'Publish now' }).click();
      await page.waitForURL(new RegExp(`/b/${businessId}/posts\\?done=publishing&post=\\d+`), { timeout: 30_000 });
      const failedId = new URL(page.url()).searchParams.get('post')!;
      const failed = page.locator(`.post-row[data-post-id="${failedId}"] .target[data-platform="twitter"]`);
      await expect.poll(() => failed.getAttribute('data-status'), PUBLISH_POLL).toMatch(/^(failed|unconfirmed)$/);
      expect(await failed.locator('.target__error').textContent()).toMatch(/reconnect/i);
      await page.getByRole('link', { name: 'Needs attention' }).click();
      // The list before the click holds both posts: wait for the filtered page before counting.
      await page.waitForURL(/[?&]status=failed/, { timeout: 15_000 });
      await expect.poll(() => page.locator(`.post-row[data-post-id="${failedId}"]`).count(), POLL).toBe(1);
      await expect.poll(() => page.locator(`.post-row[data-post-id="${postId}"]`).count(), POLL).toBe(0);
      await screenshot(page, 'posts-06-failed');

      // X can no longer be picked, and the composer says why.
      await page.getByRole('link', { name: 'New post' }).click();
      const blockedX = page.getByRole('checkbox', { name: /^X @sandbox_x/ });
      await expect.poll(() => blockedX.isDisabled(), POLL).toBe(true);
      expect(await page.locator('.account-choice[data-blocked] .account-choice__reason').first().textContent()).toBe(
        'Reconnect this account to publish to it.',
      );

      expect(pageErrors).toEqual([]);
      await page.close();
    },
  );
});
