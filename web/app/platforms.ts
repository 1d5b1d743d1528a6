// How the dashboard names the platforms. The API speaks in ids (`linkedin`, `twitter`, ...); people see
// the product names, and X is X even though its API id is still `twitter`.
import { parsePlatform, type Platform } from '../../lib/domain.js';

const NAMES: Record<Platform, { display: string; monogram: string }> = {
  linkedin: { display: 'LinkedIn', monogram: 'in' },
  twitter: { display: 'X', monogram: 'X' },
  meta: { display: 'Facebook Pages', monogram: 'f' },
  instagram: { display: 'Instagram Business', monogram: 'IG' },
};

/** The name people know a platform by; an id this build does not know yet is shown as the API gave it. */
export function platformDisplayName(name: string, fromApi?: string): string {
  const platform = parsePlatform(name);
  return platform ? NAMES[platform].display : (fromApi ?? name);
}

/** A short mark for a platform's badge. Decorative: the name is always written out beside it. */
export function platformMonogram(name: string): string {
  const platform = parsePlatform(name);
  return platform ? NAMES[platform].monogram : name.slice(0, 1).toUpperCase();
}

/** Platforms whose access tokens Social Sync can renew on request (X rotates a refresh token). */
export function canRefreshToken(name: string): boolean {
  return parsePlatform(name) === 'twitter';
}
