// Compose-time validation: a post fails when it is written, not at 3 a.m. when it is due. Tenancy first
// (an account or image of another business answers 404 like a missing one), then, per target, whether
// the account can publish (connected, publishing permissions granted) and whether its platform takes
// this text and these images (the provider's publisher says, with the target's own text).
import type { DataSource } from 'typeorm';
import { MediaEntity, SocialAccountEntity, type Media, type SocialAccount } from '../lib/db/entities.js';
import { missingScopes } from '../providers/publishing.js';
import { platformMetadata, type Providers } from '../providers/registry.js';
import { HttpError, notFound } from './errors.js';

/** A scheduled time this far in the past still counts as "now" (clocks and slow forms differ). */
const PAST_SKEW_MS = 5 * 60_000;
/** Nothing is scheduled further ahead than this: a typo'd year should not wait silently. */
const MAX_AHEAD_MS = 366 * 86_400_000;

export interface ComposedTarget {
  accountId: number;
  /** This account's own text; null uses the post's. */
  text: string | null;
  /** X only: the tweets after the first, as a reply chain; null for a single post. */
  thread: string[] | null;
}

export interface ComposedPost {
  businessId: number;
  text: string;
  targets: ComposedTarget[];
  mediaIds: number[];
  scheduledAt: Date | null;
  /** Whether `scheduledAt` came with this request (an unchanged stored time that is now past is not a problem). */
  checkTime: boolean;
}

type TargetAccount = Pick<SocialAccount, 'id' | 'platform' | 'username' | 'status' | 'statusMessage' | 'scopes'>;

export interface Problem {
  /** null: the problem is the post's (its time), not one account's. */
  account_id: number | null;
  problems: string[];
}

/** The accounts and images a post names, after checking they are all the business's (404 otherwise). */
export async function loadComposition(
  db: DataSource,
  post: Pick<ComposedPost, 'businessId' | 'targets' | 'mediaIds'>,
): Promise<{ accounts: Map<number, TargetAccount>; media: Media[] }> {
  const accountIds = post.targets.map((t) => t.accountId);
  const accounts = await db
    .getRepository(SocialAccountEntity)
    .createQueryBuilder('a')
    .select(['a.id', 'a.platform', 'a.username', 'a.status', 'a.statusMessage', 'a.scopes'])
    .where('a.businessId = :businessId AND a.id IN (:...ids)', { businessId: post.businessId, ids: accountIds })
    .getMany();
  if (accounts.length !== new Set(accountIds).size) throw notFound('Account');
  const media =
    post.mediaIds.length === 0
      ? []
      : await db
          .getRepository(MediaEntity)
          .createQueryBuilder('m')
          .where('m.businessId = :businessId AND m.id IN (:...ids)', { businessId: post.businessId, ids: post.mediaIds })
          .getMany();
  if (media.length !== new Set(post.mediaIds).size) throw notFound('Media');
  // In the order the post names them: the order they are published in.
  return { accounts: new Map(accounts.map((a) => [a.id, a])), media: post.mediaIds.map((id) => media.find((m) => m.id === id)!) };
}

/** Why this account cannot publish right now, or null. */
function accountProblem(account: TargetAccount, requiredScopes: readonly string[]): string | null {
  const name = platformMetadata(account.platform)?.displayName ?? account.platform;
  if (account.status === 'disconnected') return `This ${name} account is disconnected: connect it again to publish.`;
  if (account.status === 'reconnect_required') {
    return `This ${name} account needs reconnecting${account.statusMessage ? ` (${account.statusMessage})` : ''}: reconnect it to publish.`;
  }
  const missing = missingScopes(requiredScopes, account.scopes);
  if (missing && missing.length > 0) return `Reconnect to allow publishing: this ${name} account has not granted ${missing.join(', ')}.`;
  return null;
}

/** Everything that stops the post from going out as written, per target; empty when it can go. */
export function composeProblems(
  providers: Providers,
  post: ComposedPost,
  accounts: Map<number, TargetAccount>,
  media: Media[],
  now = Date.now(),
): Problem[] {
  const problems: Problem[] = [];
  if (post.checkTime && post.scheduledAt) {
    const at = post.scheduledAt.getTime();
    if (at < now - PAST_SKEW_MS) problems.push({ account_id: null, problems: ['The scheduled time has passed: pick a time ahead.'] });
    else if (at > now + MAX_AHEAD_MS) problems.push({ account_id: null, problems: ['Posts can be scheduled at most a year ahead.'] });
  }
  const facts = media.map((m) => ({ mimeType: m.mimeType, bytes: m.bytes, width: m.width, height: m.height }));
  for (const target of post.targets) {
    const account = accounts.get(target.accountId)!;
    const publisher = providers.get(account.platform)?.publisher;
    if (!publisher) {
      const name = platformMetadata(account.platform)?.displayName ?? account.platform;
      problems.push({ account_id: account.id, problems: [`Publishing is not supported for ${name}.`] });
      continue;
    }
    const found = [
      accountProblem(account, publisher.requiredScopes),
      ...publisher.validate({ text: target.text ?? post.text, media: facts }),
      // Each tweet of a thread is held to the same rules (the images go with the first).
      ...(target.thread ?? []).flatMap((text, i) =>
        publisher.validate({ text, media: [] }).map((p) => `Tweet ${i + 2} of the thread: ${p}`),
      ),
    ];
    const list = found.filter((p): p is string => p !== null);
    if (list.length > 0) problems.push({ account_id: account.id, problems: list });
  }
  return problems;
}

/** The 422 answer for a post that cannot go as written. */
export function invalidPost(details: Problem[]): HttpError {
  const first = details[0]!.problems[0]!;
  const count = details.reduce((n, d) => n + d.problems.length, 0);
  const error = new HttpError(
    422,
    'invalid_post',
    count === 1 ? first : `This post cannot be published as written (${count} problems): ${first}`,
  );
  error.details = details;
  return error;
}
