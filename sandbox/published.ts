// What the publishing endpoints made: posts (shown by the read endpoints beside the seeded content, so
// a sync sees them), uploaded media (X uploads, LinkedIn images, Facebook photos) and Instagram
// containers. Plain records, so persistence.ts can write them as they are.
/** Whose posts: one content stream per platform family and account. */
export type ContentKind = 'x' | 'linkedin' | 'facebook' | 'instagram';

export interface PublishedPost {
  platform: ContentKind;
  /** The provider's user, organization, Page or Instagram id. */
  accountId: string;
  /** The provider's post id (tweet id, post URN, `{page}_{post}`, IG media id). */
  id: string;
  /** The text as a reader sees it (LinkedIn: after the little-format parse, so maybe truncated). */
  text: string;
  /** LinkedIn: the commentary as stored and read back (little text format). */
  commentary?: string;
  createdAt: number;
  /** Orders posts and derives ids, like the seeded serials (which stay below 3,000,000). */
  serial: number;
  /** The account's sync epoch when published: metrics are zero at first and arrive by the next sync. */
  epoch: number;
  replyTo?: string;
  mediaIds?: string[];
  link?: string;
}

export interface UploadedMedia {
  id: string;
  platform: 'x' | 'linkedin' | 'facebook';
  /** Who may use it: the X user, the LinkedIn owner URN, the Facebook Page. */
  owner: string;
  mediaType?: string;
  category?: string;
  totalBytes?: number;
  receivedBytes: number;
  /** X chunked upload: segment indexes appended so far. */
  segments?: number[];
  state: 'uploading' | 'processing' | 'ready' | 'failed';
  createdAt: number;
  /** When processing ends (X finalize). */
  readyAt?: number;
  url?: string;
  published?: boolean;
}

export interface IgContainer {
  id: string;
  igUserId: string;
  mediaType: 'IMAGE' | 'CAROUSEL';
  imageUrl?: string;
  caption?: string;
  isCarouselItem: boolean;
  children?: string[];
  createdAt: number;
  readyAt: number;
  error?: string;
  /** The media id once published. */
  mediaId?: string;
}

export interface PublishingState {
  posts: PublishedPost[];
  media: Record<string, UploadedMedia>;
  containers: Record<string, IgContainer>;
  /** The last serial handed out. */
  serial: number;
}

export function emptyPublishing(): PublishingState {
  return { posts: [], media: {}, containers: {}, serial: 3_000_000 };
}

export function nextSerial(publishing: PublishingState): number {
  publishing.serial += 1;
  return publishing.serial;
}

export function postsOf(publishing: PublishingState, platform: ContentKind, accountId: string): PublishedPost[] {
  return publishing.posts.filter((p) => p.platform === platform && p.accountId === accountId);
}
