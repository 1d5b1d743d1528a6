// The Express app: request context and logging, auth, the versioned API, and one JSON error shape.
import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { pinoHttp } from 'pino-http';
import type { DataSource } from 'typeorm';
import type { Config } from '../lib/config.js';
import { runWithContext } from '../lib/context.js';
import type { Logger } from '../lib/logger.js';
import { httpMetrics, metricsEndpoint } from '../lib/metrics.js';
import { keyringFromEnv } from '../lib/crypto/keyring.js';
import { mediaStorageFor } from '../lib/media-storage.js';
import { providersFor } from '../providers/registry.js';
import { analyticsRoutes } from './analytics.js';
import { authRoutes } from './auth.js';
import { businessRoutes } from './businesses.js';
import { errorHandler, routeNotFound } from './errors.js';
import { healthRoutes } from './health.js';
import { mediaRoutes } from './media.js';
import { oauthRoutes } from './oauth.js';
import { postsRoutes } from './posts.js';
import { createRateLimits, type RateLimitSettings } from './rate-limits.js';

export interface AppDeps {
  db: DataSource;
  temporal: Client;
  config: Config;
  logger: Logger;
  rateLimits?: RateLimitSettings;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Accepts a well-formed X-Request-ID or makes one, echoes it, and opens the request's log context. */
const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-ID', requestId);
  runWithContext({ request_id: requestId }, next);
};

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext);
  app.use(httpMetrics);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (_req, res) => String(res.getHeader('X-Request-ID')),
      customAttributeKeys: { reqId: 'request_id' },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' || req.url === '/metrics' },
      // Paths only: query strings can hold OAuth codes and states.
      serializers: {
        req: (req) => ({ method: req.method, path: String(req.url).split('?')[0] }),
        res: (res) => ({ status_code: res.statusCode }),
      },
      customProps: () => ({ event_type: 'http_request' }),
    }),
  );
  app.use(express.json({ limit: '100kb' }));

  const rateLimits = createRateLimits(
    deps.db,
    deps.rateLimits ?? { loginPerMinute: 10, oauthPerMinute: 60 },
    deps.config.DASHBOARD_API_SECRET,
  );

  app.use(healthRoutes(deps.db, deps.temporal));
  app.get('/metrics', metricsEndpoint(deps.config.METRICS_TOKEN));
  app.use('/api/v1/auth', authRoutes(deps.db, { sessionTtlHours: deps.config.SESSION_TTL_HOURS, rateLimits }));
  app.use(
    '/api/v1/oauth',
    oauthRoutes({
      db: deps.db,
      temporal: deps.temporal,
      config: deps.config,
      keyring: keyringFromEnv(deps.config.TOKEN_ENCRYPTION_KEYS),
      providers: providersFor(deps.config),
      rateLimits,
      logger: deps.logger,
    }),
  );
  app.use('/api/v1', analyticsRoutes({ db: deps.db, temporal: deps.temporal, config: deps.config }));
  app.use(businessRoutes(deps.db));
  app.use(postsRoutes({ db: deps.db, temporal: deps.temporal, config: deps.config, providers: providersFor(deps.config) }));
  app.use(mediaRoutes({ db: deps.db, config: deps.config, storage: mediaStorageFor(deps.config) }));

  app.use(routeNotFound);
  app.use(errorHandler);
  return app;
}
