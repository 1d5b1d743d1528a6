import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('gives development defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ NODE_ENV: 'development', API_PORT: 8000, WEB_PORT: 3000, TEMPORAL_UI_PORT: 8233 });
    expect(config.isProduction).toBe(false);
  });

  it('refuses to start production without its secrets and names every missing one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(
      new ConfigError('Production needs these variables set: DATABASE_URL, SESSION_SECRET, TOKEN_ENCRYPTION_KEYS'),
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', SESSION_SECRET: 's', TOKEN_ENCRYPTION_KEYS: 'k1:abc' }),
    ).not.toThrow();
  });

  it('treats blank values as unset', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: '  ', SESSION_SECRET: 's', TOKEN_ENCRYPTION_KEYS: 'k' })).toThrow(
      /DATABASE_URL/,
    );
  });

  it('names the variable that is malformed', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ API_PORT: '70000' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
