// How a post and each of its targets (one account it goes to) are shown: words and a tone for each
// status, which actions a status allows, and the reason a target failed in words. Shared with the browser.
import { withPlatformNames } from './connect-messages.js';
import { parseTime } from './format.js';
import type { StatusLabel } from './status.js';

/** A target's status: draft, scheduled, publishing, published, failed, unconfirmed, canceled. */
export function targetStatusLabel(status: string): StatusLabel {
  switch (status) {
    case 'draft':
      return { tone: 'neutral', label: 'Draft' };
    case 'scheduled':
      return { tone: 'info', label: 'Scheduled' };
    case 'publishing':
      return { tone: 'info', label: 'Publishing' };
    case 'published':
      return { tone: 'success', label: 'Published' };
    case 'failed':
      return { tone: 'danger', label: 'Failed' };
    case 'unconfirmed':
      return { tone: 'warning', label: 'Not confirmed' };
    case 'canceled':
      return { tone: 'neutral', label: 'Canceled' };
    default:
      return { tone: 'neutral', label: status ? status[0]!.toUpperCase() + status.slice(1).replace(/_/g, ' ') : 'Unknown' };
  }
}

/** A post's status: a target's, or `partially_published` (some targets published, some not). */
export function postStatusLabel(status: string): StatusLabel {
  return status === 'partially_published' ? { tone: 'warning', label: 'Partly published' } : targetStatusLabel(status);
}

/** A post can be edited (text, accounts, time) only before publishing began. */
export function canEditPost(status: string): boolean {
  return status === 'draft' || status === 'scheduled';
}

/** ... and canceled then too (the API refuses once publishing began). */
export function canCancelPost(status: string): boolean {
  return status === 'draft' || status === 'scheduled';
}

/** What the retry button of a target says, or undefined when it cannot be retried. */
export function retryLabel(status: string): string | undefined {
  switch (status) {
    case 'failed':
      return 'Retry';
    case 'unconfirmed':
      // The worker first reads back from the platform whether it was published after all.
      return 'Check and retry';
    default:
      return undefined;
  }
}

/** Whether the page should refresh soon: something is being published now. */
export function isPublishing(post: { status: string; targets: readonly { status: string }[] }): boolean {
  return post.status === 'publishing' || post.targets.some((t) => t.status === 'publishing');
}

const ERROR_WORDS: Record<string, string> = {
  reconnect_required: 'The account must be reconnected before Social Sync can publish to it.',
  account_disconnected: 'The account was disconnected.',
  missing_publish_scope: 'Reconnect the account to allow publishing.',
  rate_limited: 'The platform is limiting how often posts can be made. Social Sync will try again after the limit resets.',
  duplicate_content: 'The platform refused the post because the same text was posted before.',
  media_rejected: 'The platform did not accept the image.',
};

/** A target's error, in words: a known code becomes a sentence; a message is shown with platform names as people know them. */
export function targetErrorWords(error: string | null | undefined, status: string): string | undefined {
  const text = error?.trim();
  if (!text) {
    if (status === 'unconfirmed') return 'Social Sync could not confirm whether the platform published this post.';
    if (status === 'failed') return 'Publishing failed, and the platform gave no reason.';
    return undefined;
  }
  return ERROR_WORDS[text] ?? withPlatformNames(text);
}

/**
 * The moment a post belongs to on the calendar and in the list: its scheduled time, else when it was
 * first published, else when it was written (a draft without a time).
 */
export function postInstant(post: {
  scheduled_at?: string | null;
  created_at?: string | null;
  targets: readonly { published_at?: string | null }[];
}): number | undefined {
  const scheduled = parseTime(post.scheduled_at);
  if (scheduled !== undefined) return scheduled;
  const published = post.targets.map((t) => parseTime(t.published_at)).filter((at): at is number => at !== undefined);
  return published.length > 0 ? Math.min(...published) : parseTime(post.created_at);
}
