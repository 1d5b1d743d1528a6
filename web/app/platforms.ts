// How the dashboard names and marks the platforms, from the one metadata module the API and the worker
// share (providers/metadata.ts, dependency-free so it can ship to the browser). The API speaks in ids
// (`linkedin`, `twitter`, ...); people see the product names, and X is X though its API id is `twitter`.
import { BUILT_IN_PLATFORMS, builtInPlatform } from '../../providers/metadata.js';

/** The name people know a platform by; a platform this build does not know is shown as the API named it. */
export function platformDisplayName(name: string, fromApi?: string): string {
  return builtInPlatform(name)?.displayName ?? fromApi ?? name;
}

/** A short mark for a platform's badge. Decorative: the name is always written out beside it. */
export function platformMonogram(name: string): string {
  return builtInPlatform(name)?.monogram ?? name.slice(0, 1).toUpperCase();
}

/** The platform's brand colour (badges, chart lines); a neutral grey for one this build does not know. */
export function platformColor(name: string): string {
  return builtInPlatform(name)?.color ?? '#475569';
}

/** Platforms whose access tokens can be renewed on request: the same capability the worker acts on. */
export function canRefreshToken(name: string): boolean {
  return (builtInPlatform(name)?.capabilities.refresh ?? 'none') !== 'none';
}

/** The ids of the platforms this build knows, in the product's order. */
export const KNOWN_PLATFORM_IDS: readonly string[] = BUILT_IN_PLATFORMS.map((p) => p.id);

/** The platform id for a name or alias (`x`), if this build knows it. */
export function knownPlatform(name: string): string | undefined {
  return builtInPlatform(name)?.id;
}

/** Sort key: the product's order for known platforms, then the rest. */
export function platformOrder(name: string): number {
  const index = BUILT_IN_PLATFORMS.findIndex((p) => p.id === name);
  return index === -1 ? BUILT_IN_PLATFORMS.length : index;
}
