import { describe, expect, it } from 'vitest';
import { assertProductionReady, ConfigError, loadConfig } from './config.js';

const productionEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://x/y',
  SESSION_SECRET: 's',
  TOKEN_ENCRYPTION_KEYS: 'k1:abc',
  METRICS_TOKEN: 'm',
  MEDIA_URL_SECRET: 'media',
  PUBLIC_API_URL: 'https://api.example.com',
  PUBLIC_WEB_URL: 'https://app.example.com',
};

describe('config', () => {
  it('gives development defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ NODE_ENV: 'development', API_PORT: 8000, WEB_PORT: 3000, TEMPORAL_UI_PORT: 8233 });
    expect(config.isProduction).toBe(false);
  });

  it('refuses to start a production process without its secrets and names every missing one', () => {
    const production = loadConfig({ NODE_ENV: 'production' });
    expect(() => assertProductionReady(production, 'api')).toThrowError(
      /^Production api needs these variables set: DATABASE_URL, TOKEN_ENCRYPTION_KEYS, METRICS_TOKEN, MEDIA_URL_SECRET$/m,
    );
    expect(() => assertProductionReady(production, 'web')).toThrowError(/^Production web needs these variables set: SESSION_SECRET$/m);
    const complete = loadConfig(productionEnv);
    for (const service of ['api', 'worker', 'web'] as const) expect(() => assertProductionReady(complete, service)).not.toThrow();
    expect(() => assertProductionReady(loadConfig({}), 'api')).not.toThrow(); // development makes local stand-ins
  });

  it('refuses /metrics without its token in production', () => {
    expect(() => assertProductionReady(loadConfig({ ...productionEnv, METRICS_TOKEN: '' }), 'api')).toThrowError(
      new ConfigError('Production api needs these variables set: METRICS_TOKEN'),
    );
  });

  it('refuses plain-http public and provider URLs in production, naming each variable', () => {
    const insecure = loadConfig({ ...productionEnv, PUBLIC_API_URL: 'http://api.example.com', META_GRAPH_URL: 'http://graph.example.com' });
    for (const service of ['api', 'worker'] as const) {
      expect(() => assertProductionReady(insecure, service)).toThrowError(
        new ConfigError(`Production ${service} needs https:// URLs in: PUBLIC_API_URL, META_GRAPH_URL`),
      );
    }
    // The localhost defaults are for development only.
    const defaults = loadConfig({ ...productionEnv, PUBLIC_API_URL: undefined, PUBLIC_WEB_URL: undefined });
    expect(() => assertProductionReady(defaults, 'api')).toThrow(/https:\/\/ URLs in: PUBLIC_API_URL, PUBLIC_WEB_URL/);
    expect(() => assertProductionReady(loadConfig({ PUBLIC_API_URL: 'http://localhost:8000' }), 'api')).not.toThrow();
    // `npm start` serves the dashboard's production build on http://localhost.
    expect(() => assertProductionReady(insecure, 'web')).not.toThrow();
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
