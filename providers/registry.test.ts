import { describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.js';
import { FAKE_METADATA, createFakeProvider } from './fake/index.js';
import { BUILT_IN_PLATFORMS } from './metadata.js';
import { parsePlatform, platformMetadata, platformsOfApp, providersFor, registerProvider, registeredPlatforms } from './registry.js';

describe('the provider registry', () => {
  it('knows the built-ins in the product order, by id or alias', () => {
    expect(registeredPlatforms().map((p) => p.id)).toEqual(['linkedin', 'twitter', 'meta', 'instagram']);
    expect(parsePlatform('X')).toBe('twitter');
    expect(parsePlatform(' LinkedIn ')).toBe('linkedin');
    expect(parsePlatform('myspace')).toBeUndefined();
    expect(platformsOfApp('meta')).toEqual(['meta', 'instagram']);
  });

  it('builds each configured provider once; in production a platform without credentials is not configured', () => {
    const dev = providersFor(loadConfig({ NODE_ENV: 'test' }));
    for (const { id } of BUILT_IN_PLATFORMS) expect(dev.get(id)?.platform).toBe(id);
    expect(dev.get('twitter')).toBe(dev.get('twitter'));
    expect(dev.get('myspace')).toBeNull();
    const production = providersFor(loadConfig({ NODE_ENV: 'production', TWITTER_CLIENT_ID: 'id', TWITTER_CLIENT_SECRET: 'secret' }));
    expect(production.get('twitter')).not.toBeNull();
    expect(production.get('linkedin')).toBeNull();
  });

  it('every provider offers refresh exactly when its metadata says it refreshes', () => {
    const providers = providersFor(loadConfig({ NODE_ENV: 'test' }));
    for (const meta of BUILT_IN_PLATFORMS)
      expect(Boolean(providers.get(meta.id)!.refresh), meta.id).toBe(meta.capabilities.refresh !== 'none');
  });

  it('registers a platform at run time, refuses a second registration, and removes it again', () => {
    const fake = createFakeProvider({ accessTokenSeconds: 60, posts: 1, pageSize: 1 });
    const unregister = registerProvider(FAKE_METADATA, () => fake.provider);
    try {
      expect(parsePlatform('fakebook')).toBe('fakebook');
      expect(platformMetadata('fakebook')?.displayName).toBe('Fakebook');
      expect(providersFor(loadConfig({ NODE_ENV: 'test' })).get('fakebook')).toBe(fake.provider);
      expect(() => registerProvider(FAKE_METADATA, () => null)).toThrow(/already registered/);
    } finally {
      unregister();
    }
    expect(parsePlatform('fakebook')).toBeUndefined();
  });
});
