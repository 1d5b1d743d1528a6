// The provider registry: platform id -> its metadata and the factory that builds its provider from the
// configuration. The only place that lists the platforms with code behind them; adding a platform is
// adding its folder and one line here (or, for a test's fake provider, one registerProvider call).
import type { Config } from '../lib/config.js';
import type { Platform } from '../lib/domain.js';
import type { Provider } from './contract.js';
import { instagramProvider } from './instagram/index.js';
import { linkedinProvider } from './linkedin/index.js';
import { metaProvider } from './meta/index.js';
import { builtInPlatform, type PlatformMetadata } from './metadata.js';
import { twitterProvider } from './twitter/index.js';

/** Builds a platform's provider; null when it has no credentials here (production without them). */
export type ProviderFactory = (config: Config) => Provider | null;

const registered = new Map<string, { metadata: PlatformMetadata; create: ProviderFactory }>();

/** Registers a platform; returns the call that removes it again (tests). */
export function registerProvider(metadata: PlatformMetadata, create: ProviderFactory): () => void {
  if (registered.has(metadata.id)) throw new Error(`A provider for "${metadata.id}" is already registered.`);
  registered.set(metadata.id, { metadata, create });
  return () => registered.delete(metadata.id);
}

registerProvider(builtInPlatform('linkedin')!, linkedinProvider);
registerProvider(builtInPlatform('twitter')!, twitterProvider);
registerProvider(builtInPlatform('meta')!, metaProvider);
registerProvider(builtInPlatform('instagram')!, instagramProvider);

/** Every registered platform, built-ins first in the product's order. */
export function registeredPlatforms(): PlatformMetadata[] {
  return [...registered.values()].map((r) => r.metadata);
}

/** A registered platform by id or alias (`x`), case-insensitive; undefined for anything else. */
export function parsePlatform(value: string): Platform | undefined {
  const wanted = value.trim().toLowerCase();
  return registeredPlatforms().find((p) => p.id === wanted || p.aliases.includes(wanted))?.id;
}

export function platformMetadata(platform: Platform): PlatformMetadata | undefined {
  return registered.get(platform)?.metadata;
}

/** The platforms that connect through one OAuth app (Meta: Facebook Pages and Instagram). */
export function platformsOfApp(oauthApp: string): Platform[] {
  return registeredPlatforms()
    .filter((p) => p.oauthApp === oauthApp)
    .map((p) => p.id);
}

export interface Providers {
  /** The platform's provider; null when it is unknown or not configured here. */
  get(platform: Platform): Provider | null;
}

/** The providers for one configuration, each built on first use. */
export function providersFor(config: Config): Providers {
  const built = new Map<string, Provider | null>();
  return {
    get(platform) {
      if (!built.has(platform)) built.set(platform, registered.get(platform)?.create(config) ?? null);
      return built.get(platform)!;
    },
  };
}
