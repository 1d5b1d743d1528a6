// What the four publishers share: the journal's keys, reading a post back by its text and time, the
// wording of a refusal, and the scopes publishing needs. How each platform publishes lives in
// providers/<platform>/publish.ts; the rules for what a post may contain in compose-rules.ts.
import { DuplicatePostError, ProviderError, type PublishJournal, type Provider } from './contract.js';

/** A read-back counts posts created from this long before the attempt began (clocks differ). */
export const RECONCILE_SKEW_MS = 2 * 60_000;

/** An id an earlier attempt journaled under `key`; an empty string is one cleared since. */
export function journaled(journal: PublishJournal, key: string): string | undefined {
  const value = journal.state[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Text as read back, for matching a post to what we sent: Unicode NFC, HTML entities X escapes
 * decoded, links dropped (X shortens them to t.co and appends one for attached media), whitespace
 * collapsed.
 */
function comparableText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a post read back at `createdAt` with `text` may be the one an attempt begun at `startedAt` sent. */
export function matchesAttempt(sent: string, found: { text: string | null | undefined; createdAt: Date | null }, startedAt: Date): boolean {
  if (!found.createdAt || found.createdAt.getTime() < startedAt.getTime() - RECONCILE_SKEW_MS) return false;
  return comparableText(found.text ?? '') === comparableText(sent);
}

/**
 * Runs a publishing call; a `rejected` answer is said as the platform refusing the post ("X refused the
 * post: ..."), the words a user sees on the target. Other kinds pass unchanged (the caller acts on them).
 */
export async function refusing<T>(provider: Pick<Provider, 'platform' | 'metadata'>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ProviderError) || error.kind !== 'rejected' || error instanceof DuplicatePostError) throw error;
    const detail = error.message.replace(/^.*? API: /, '');
    throw new ProviderError(error.platform, 'rejected', `${provider.metadata.displayName} refused the post: ${detail}`, error.status);
  }
}

/** The configured scopes plus those publishing needs, in the configured list's separator. */
export function withScopes(configured: string, required: readonly string[], separator: ' ' | ','): string {
  const scopes = configured.split(/[\s,]+/).filter(Boolean);
  return [...scopes, ...required.filter((s) => !scopes.includes(s))].join(separator);
}

/**
 * The required scopes an account's stored grant lacks (stored lists are space- or comma-separated, as
 * each provider answers them). null when nothing is stored, so the grant cannot be judged here (a Meta
 * account connected before its scopes were kept): the provider's own answer then decides.
 */
export function missingScopes(required: readonly string[], granted: string | null): string[] | null {
  if (granted === null) return null;
  const have = new Set(granted.split(/[\s,]+/).filter(Boolean));
  return required.filter((s) => !have.has(s));
}
