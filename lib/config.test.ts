import { describe, expect, it } from 'vitest';
import { assertProductionReady, ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('gives development defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ NODE_ENV: 'development', API_PORT: 8000, WEB_PORT: 3000, TEMPORAL_UI_PORT: 8233 });
    expect(config.isProduction).toBe(false);
  });

  it('refuses to start a production process without its secrets and names every missing one', () => {
    const production = loadConfig({ NODE_ENV: 'production' });
    expect(() => assertProductionReady(production, 'api')).toThrowError(
      new ConfigError('Production api needs these variables set: DATABASE_URL, TOKEN_ENCRYPTION_KEYS'),
    );
    expect(() => assertProductionReady(production, 'web')).toThrowError(
      new ConfigError('Production web needs these variables set: SESSION_SECRET'),
    );
    const complete = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x/y',
      SESSION_SECRET: 's',
      TOKEN_ENCRYPTION_KEYS: 'k1:abc',
    });
    for (const service of ['api', 'worker', 'web'] as const) expect(() => assertProductionReady(complete, service)).not.toThrow();
    expect(() => assertProductionReady(loadConfig({}), 'api')).not.toThrow(); // development makes local stand-ins
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: '  ', TOKEN_ENCRYPTION_KEYS: 'k' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(() => assertProductionReady(config, 'worker')).toThrow(/DATABASE_URL/);
  });

  it('names the variable that is malformed', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ API_PORT: '70000' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
