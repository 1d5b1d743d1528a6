// Seeded posts and metrics for every content account (an X user, a LinkedIn organization, a Facebook
// Page, an Instagram account). Same seed, same day: same posts, ids, texts and numbers. Metrics grow a
// little with each sync of the account (each read of a listing's first page bumps its epoch), so
// repeated syncs see change, deterministically.
import { postsOf, type ContentKind, type PublishedPost } from './published.js';
import { hash, rng } from './random.js';
import type { SandboxState } from './store.js';

export interface Post {
  /** Stable key within the account: `s<n>` seeded (0 = newest), `e<n>` published later. */
  key: string;
  /** Increases with publish time; the provider-specific ids derive from it. */
  serial: number;
  publishedAt: number;
  text: string;
  /** LinkedIn: most posts are shares, some ugcPosts (video). */
  variant: 'share' | 'ugcPost';
  /** 0..1023 from the account id, so two accounts' posts never share an id. */
  shard: number;
  /** Published through the API: the account's epoch then (its metrics start at zero). */
  publishedEpoch?: number;
}

const openers = [
  'Fresh roast Friday:',
  'Behind the bar:',
  'New on the menu:',
  'Customer story:',
  'Weekend plans?',
  'Team spotlight:',
  'Did you know?',
  'Thank you!',
];
const subjects = [
  'our Ethiopian single origin is back',
  'oat flat whites are half price until noon',
  'we are hiring two baristas',
  'the new cold brew tap is live',
  'latte art class this Saturday',
  'we planted 200 trees this quarter',
  'the bakery case is full of cardamom buns',
  'our roaster turned five today',
];
const closers = ['See you soon.', 'Link in bio.', 'Tag a friend.', 'Which one is your favourite?', '#coffee', '#smallbusiness', ''];

function accountKey(kind: ContentKind, accountId: string): string {
  return `${kind}:${accountId}`;
}

/** All posts of an account, newest first. */
export function listPosts(state: SandboxState, kind: ContentKind, accountId: string): Post[] {
  const key = accountKey(kind, accountId);
  const extra = [
    ...(state.extraPosts.get(key) ?? []).map((publishedAt, n) => makePost(state, kind, accountId, `e${n}`, 2_000_000 + n, publishedAt)),
    ...postsOf(state.publishing, kind, accountId).map((p) => publishedAsPost(p)),
  ].sort((a, b) => b.publishedAt - a.publishedAt || b.serial - a.serial);
  const r = rng(`${state.seed}:${key}:timeline`);
  const seeded: Post[] = [];
  let at = state.contentAnchor;
  const count = state.config.content.seededPosts[kind];
  for (let i = 0; i < count; i++) {
    at -= r.int(6, 40) * 3_600_000 + r.int(0, 3599) * 1000;
    seeded.push(makePost(state, kind, accountId, `s${i}`, 1_000_000 + (count - i), at));
  }
  return [...extra, ...seeded];
}

function makePost(state: SandboxState, kind: ContentKind, accountId: string, key: string, serial: number, publishedAt: number): Post {
  const r = rng(`${state.seed}:${kind}:${accountId}:${key}:text`);
  const text = `${r.pick(openers)} ${r.pick(subjects)}. ${r.pick(closers)}`.trim();
  return {
    key,
    serial,
    publishedAt,
    text,
    variant: r.next() < 0.2 ? 'ugcPost' : 'share',
    shard: hash(accountId) % 1024,
  };
}

/** A post made through a publishing endpoint, as the read endpoints show it. */
export function publishedAsPost(p: Pick<PublishedPost, 'accountId' | 'serial' | 'createdAt' | 'text' | 'commentary' | 'epoch'>): Post {
  return {
    key: `p${p.serial}`,
    serial: p.serial,
    publishedAt: p.createdAt,
    text: p.commentary ?? p.text,
    variant: 'share',
    shard: hash(p.accountId) % 1024,
    publishedEpoch: p.epoch,
  };
}

export function currentEpoch(state: SandboxState, kind: ContentKind, accountId: string): number {
  return state.contentEpochs.get(accountKey(kind, accountId)) ?? 0;
}

/** Adds `count` posts published now (admin API), so syncs can see new content arrive. */
export function publishPosts(state: SandboxState, kind: ContentKind, accountId: string, count: number): void {
  const key = accountKey(kind, accountId);
  const list = state.extraPosts.get(key) ?? [];
  for (let i = 0; i < count; i++) list.push(state.now());
  state.extraPosts.set(key, list);
}

/** Called when a sync starts (first page of a listing); metrics of this account then grow one step. */
export function bumpEpoch(state: SandboxState, kind: ContentKind, accountId: string): void {
  const key = accountKey(kind, accountId);
  state.contentEpochs.set(key, (state.contentEpochs.get(key) ?? 0) + 1);
}

/**
 * Time-ordered 64-bit ids as X and LinkedIn make them: milliseconds since an epoch shifted left 22 bits,
 * then 10 bits of account shard and 12 of sequence.
 */
export function timeId(post: Post, epochMs = 0): string {
  return ((BigInt(post.publishedAt - epochMs) << 22n) + (BigInt(post.shard) << 12n) + BigInt(post.serial % 4096)).toString();
}

export interface Engagement {
  impressions: number;
  uniqueImpressions: number;
  clicks: number;
  likes: number;
  comments: number;
  shares: number;
  quotes: number;
  bookmarks: number;
  saves: number;
  follows: number;
  profileVisits: number;
  reactions: { like: number; love: number; wow: number; haha: number; sorry: number; anger: number };
}

/** The post's numbers at the account's current epoch. Never decreasing from one epoch to the next. */
export function engagement(state: SandboxState, kind: ContentKind, accountId: string, post: Post): Engagement {
  const r = rng(`${state.seed}:${kind}:${accountId}:${post.key}:metrics`);
  const epoch = state.contentEpochs.get(accountKey(kind, accountId)) ?? 0;
  // Age against the anchor, not the clock, so the numbers depend on the seed and the epoch only.
  const ageDays = Math.max(0, (state.contentAnchor - post.publishedAt) / 86_400_000);
  const rate = ageDays < 14 ? 0.05 : ageDays < 60 ? 0.01 : 0.002;
  const factor = 1 + rate * epoch;
  // A post published through the API shows zeros in the sync that first sees it, then its numbers
  // arrive over the next syncs (never decreasing).
  const arrived = post.publishedEpoch === undefined ? 1 : Math.min(1, Math.max(0, (epoch - post.publishedEpoch - 1) / 2));
  const grow = (n: number) => Math.floor(n * factor * arrived);
  const impressions = Math.round(200 + 25_000 * r.next() ** 2);
  const like = r.int(1, 40) / 1000;
  const likes = Math.round(impressions * like);
  const reactionLike = Math.round(likes * 0.7);
  const love = Math.round(likes * 0.2);
  return {
    impressions: grow(impressions),
    uniqueImpressions: grow(Math.round(impressions * (0.6 + 0.3 * r.next()))),
    clicks: grow(Math.round((impressions * r.int(2, 60)) / 1000)),
    likes: grow(likes),
    comments: grow(Math.round((likes * r.int(2, 30)) / 100)),
    shares: grow(Math.round((likes * r.int(1, 15)) / 100)),
    quotes: grow(Math.round((likes * r.int(0, 5)) / 100)),
    bookmarks: grow(Math.round((likes * r.int(1, 20)) / 100)),
    saves: grow(Math.round((likes * r.int(2, 25)) / 100)),
    follows: grow(r.int(0, 12)),
    profileVisits: grow(r.int(0, 80)),
    reactions: {
      like: grow(reactionLike),
      love: grow(love),
      wow: grow(r.int(0, 6)),
      haha: grow(r.int(0, 6)),
      sorry: grow(r.int(0, 2)),
      anger: grow(r.int(0, 2)),
    },
  };
}

/** Opaque, tamper-evident-enough cursors: base64url of "<account>|<offset>". */
export function encodeCursor(account: string, offset: number): string {
  return Buffer.from(`${account}|${offset}`).toString('base64url');
}

export function decodeCursor(account: string, cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [owner, offset] = text.split('|');
  const n = Number(offset);
  return owner === account && Number.isInteger(n) && n >= 0 ? n : undefined;
}
