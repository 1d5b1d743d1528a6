// Sentry for the API and the worker: on when SENTRY_DSN is set, a no-op otherwise. Events are scrubbed
// of anything secret before they leave the process.
import * as Sentry from '@sentry/node';
import type { Config } from './config.js';

const SECRET_KEY = /token|secret|password|authorization|cookie|code|state|verifier/i;

/** Replaces secret-looking values anywhere in an event (keys by name, URLs by dropping the query). */
export function scrub<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(key) && (typeof v === 'string' || Array.isArray(v))) out[key] = '[redacted]';
    else if ((key === 'url' || key === 'query_string') && typeof v === 'string') out[key] = key === 'url' ? v.split('?')[0] : '[redacted]';
    else out[key] = scrub(v, depth + 1);
  }
  return out as T;
}

const QUIET_PATHS = /\/(health|ready)(\?|$)/;

export function initSentry(config: Config, service: 'api' | 'worker'): boolean {
  if (!config.SENTRY_DSN) return false;
  Sentry.init({
    dsn: config.SENTRY_DSN,
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
    release: config.RELEASE,
    serverName: service,
    // Collect no cookies, query strings or bodies at all; headers only with the secret ones denied.
    dataCollection: {
      userInfo: false,
      cookies: false,
      urlQueryParams: false,
      httpBodies: [],
      httpHeaders: { deny: ['authorization', 'cookie', 'set-cookie', 'x-api-key'] },
    },
    tracesSampleRate: config.SENTRY_TRACES_SAMPLE_RATE ?? (config.isProduction ? 0.1 : 1.0),
    initialScope: { tags: { service } },
    beforeSend: (event) => scrub(event),
    beforeSendTransaction: (event) => (QUIET_PATHS.test(event.transaction ?? '') ? null : scrub(event)),
    beforeBreadcrumb: (crumb) => {
      const url = typeof crumb.data?.url === 'string' ? crumb.data.url : '';
      if (QUIET_PATHS.test(url)) return null;
      return scrub(crumb);
    },
  });
  return true;
}

export { Sentry };
