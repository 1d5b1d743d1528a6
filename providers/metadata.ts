// What people and the product know about each built-in platform, with no dependencies: the API, the
// worker and the dashboard (browser bundle included) import this one module. How a platform talks to
// its provider lives in providers/<platform>/; a platform registered at run time (providers/registry.ts)
// brings its own metadata.

/** How an account's access is renewed: not at all, with a refresh token that stays, or one that rotates on every use. */
type RefreshKind = 'none' | 'non-rotating' | 'rotating';

interface PlatformCapabilities {
  /** The authorization request carries a PKCE (S256) challenge. */
  pkce: boolean;
  /** X rotates; LinkedIn refreshes only for approved partner apps (a refresh token is then stored); Meta never. */
  refresh: RefreshKind;
  /**
   * What an account's stored expiry means: the access token's own end, the user's data access (Meta Page
   * tokens never expire, the grant's data access does), or nothing (no expiry).
   */
  expiry: 'access_token' | 'data_access' | 'none';
  /** After consent the user picks which of the grant's accounts to connect (Meta: Pages and their Instagram accounts). */
  accountSelection: boolean;
  /** The provider has a publisher (providers/<platform>/publish.ts). */
  publishing: boolean;
}

interface PlatformLimits {
  /** Longest post text, in characters, for publishing (issue 11); null when unknown. */
  textLength: number | null;
}

export interface PlatformMetadata {
  id: string;
  /** The name people know it by (X is X, though its id is still `twitter`). */
  displayName: string;
  /** A short decorative mark for badges; the name is always written out beside it. */
  monogram: string;
  /** Brand colour for badges and chart lines. */
  color: string;
  /** The OAuth app a platform connects through: its callback path and its grant (Instagram through Meta). */
  oauthApp: string;
  /** Other names accepted wherever a platform is named (`x` for `twitter`). */
  aliases: readonly string[];
  capabilities: PlatformCapabilities;
  limits: PlatformLimits;
}

const BUILT_IN = {
  linkedin: {
    id: 'linkedin',
    displayName: 'LinkedIn',
    monogram: 'in',
    color: '#0a66c2',
    oauthApp: 'linkedin',
    aliases: [],
    capabilities: { pkce: false, refresh: 'non-rotating', expiry: 'access_token', accountSelection: false, publishing: true },
    limits: { textLength: 3000 },
  },
  twitter: {
    id: 'twitter',
    displayName: 'X',
    monogram: 'X',
    color: '#111827',
    oauthApp: 'twitter',
    aliases: ['x'],
    capabilities: { pkce: true, refresh: 'rotating', expiry: 'access_token', accountSelection: false, publishing: true },
    limits: { textLength: 280 },
  },
  meta: {
    id: 'meta',
    displayName: 'Facebook Pages',
    monogram: 'f',
    color: '#1877f2',
    oauthApp: 'meta',
    aliases: [],
    capabilities: { pkce: false, refresh: 'none', expiry: 'data_access', accountSelection: true, publishing: true },
    limits: { textLength: 63_206 },
  },
  instagram: {
    id: 'instagram',
    displayName: 'Instagram Business',
    monogram: 'IG',
    color: '#c026d3',
    oauthApp: 'meta',
    aliases: [],
    capabilities: { pkce: false, refresh: 'none', expiry: 'data_access', accountSelection: true, publishing: true },
    limits: { textLength: 2200 },
  },
} as const satisfies Record<string, PlatformMetadata>;

export type BuiltInPlatform = keyof typeof BUILT_IN;

/** The built-in platforms, in the order the product lists them. */
export const BUILT_IN_PLATFORMS: readonly PlatformMetadata[] = Object.values(BUILT_IN);

/** A built-in platform by id or alias (case-insensitive); undefined for anything else. */
export function builtInPlatform(name: string): PlatformMetadata | undefined {
  const wanted = name.trim().toLowerCase();
  return BUILT_IN_PLATFORMS.find((p) => p.id === wanted || p.aliases.includes(wanted));
}
