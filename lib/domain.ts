// Product vocabulary with no dependencies, so deterministic workflow code can import it too.

export const PLATFORMS = ['linkedin', 'twitter', 'meta', 'instagram'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** `x` is accepted wherever a platform is named, and means `twitter`. */
export function parsePlatform(value: string): Platform | undefined {
  const name = value.toLowerCase() === 'x' ? 'twitter' : value.toLowerCase();
  return (PLATFORMS as readonly string[]).includes(name) ? (name as Platform) : undefined;
}

export const ACCOUNT_STATUSES = [
  'connecting',
  'active',
  'syncing',
  'refreshing',
  'reconnect_required',
  'disconnected',
] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
