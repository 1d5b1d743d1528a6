// The API's Prometheus metrics (prom-client), served at GET /metrics: request latency by route and
// OAuth outcomes, plus Node's process metrics. The worker's are in lib/worker-metrics.ts.
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { nameRequestSpan } from './sentry.js';

// ---------------------------------------------------------------------------------------------------
// API (prom-client)

export const apiRegistry = new Registry();
collectDefaultMetrics({ register: apiRegistry });

const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'API request latency by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [apiRegistry],
});

export type OAuthOutcome = 'authorize' | 'connected' | 'pending_selection' | 'denied' | 'failed';

const oauthOutcomes = new Counter({
  name: 'oauth_outcomes_total',
  help: 'OAuth steps by platform and outcome: authorize (URL issued), connected, pending_selection (Meta page pick), denied, failed.',
  labelNames: ['platform', 'outcome'] as const,
  registers: [apiRegistry],
});

export function recordOAuthOutcome(platform: string, outcome: OAuthOutcome): void {
  oauthOutcomes.inc({ platform, outcome });
}

const ROUTE_PATTERN = Symbol('routePattern');

/**
 * The matched route pattern (/api/v1/oauth/:platform/callback), or 'unmatched'. Express resets
 * req.baseUrl when an error leaves a router, so the pattern is captured at the moment the route matches.
 */
export function routePattern(req: Request): string {
  return (req as Request & { [ROUTE_PATTERN]?: string })[ROUTE_PATTERN] ?? 'unmatched';
}

function captureRoutePattern(req: Request): void {
  let route: unknown = req.route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: { path?: unknown } | undefined) => {
      route = value;
      if (value?.path === undefined) return;
      const pattern = `${req.baseUrl}${String(value.path)}`;
      (req as Request & { [ROUTE_PATTERN]?: string })[ROUTE_PATTERN] = pattern;
      nameRequestSpan(req.method, pattern);
    },
  });
}

/**
 * Times every request. The route label is the matched pattern, never the raw URL, so ids and query
 * strings neither leak into metrics nor explode their cardinality.
 */
export const httpMetrics: RequestHandler = (req, res, next) => {
  const end = httpRequestDuration.startTimer();
  captureRoutePattern(req);
  res.once('finish', () => end({ method: req.method, route: routePattern(req), status_code: String(res.statusCode) }));
  next();
};

/** GET /metrics; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsEndpoint(token: string | undefined): RequestHandler {
  return async (req, res) => {
    if (token && !sameSecret(req.get('authorization') ?? '', `Bearer ${token}`)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: { code: 'unauthenticated', message: 'Metrics need the metrics token.', request_id: null } });
      return;
    }
    res.set('Content-Type', apiRegistry.contentType).send(await apiRegistry.metrics());
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
