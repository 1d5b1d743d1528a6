// The provider emulator: one Express app standing for LinkedIn (/linkedin), X (/x) and Meta
// (/meta/www, /meta/graph), plus the sandbox-only admin API (/admin). See sandbox/README.md.
import express, { type NextFunction, type Request, type Response } from 'express';
import { config } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { adminRouter } from './admin.js';
import { escapeHtml, requestLog } from './http.js';
import { linkedinRouter } from './linkedin.js';
import { metaRouter } from './meta.js';
import { createIdTokenSigner } from './oidc.js';
import { persistState, type Persistence } from './persistence.js';
import { createState, type Clients, type SandboxState } from './store.js';
import { xRouter } from './x.js';

export interface SandboxOptions {
  /** Where clients and browsers reach the sandbox (paging links, OIDC issuer, avatars). Default SANDBOX_URL. */
  publicUrl?: string;
  /** Mount the admin API (default true); false answers 403 on /admin. */
  admin?: boolean;
  clients?: Partial<Clients>;
  /** Clock in epoch milliseconds (default Date.now), for tests of expiry. */
  now?: () => number;
  /** Seed for the generated content (default 'social-sync-sandbox'). */
  seed?: string;
  logger?: Logger;
  /** Keep the state in this directory across restarts (see persistence.ts); in memory when unset. */
  dataDir?: string;
}

export function createSandboxApp(options: SandboxOptions = {}): {
  app: express.Express;
  state: SandboxState;
  persistence?: Persistence;
} {
  const logger = options.logger ?? createLogger('sandbox');
  const state = createState({
    publicUrl: options.publicUrl ?? config().SANDBOX_URL,
    ...(options.clients ? { clients: options.clients } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.seed ? { seed: options.seed } : {}),
  });

  const persistence = options.dataDir ? persistState(state, options.dataDir) : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(logger));
  // Any call may change the state (even a read moves rate windows and sync epochs): save soon after.
  if (persistence) app.use((_req, res, next) => void (res.on('close', () => persistence.changed()), next()));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(['/linkedin', '/x', '/meta'], (req, _res, next) => {
    const key = `${req.method} ${req.baseUrl}${req.path}`;
    state.requests.set(key, (state.requests.get(key) ?? 0) + 1);
    next();
  });

  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/', (_req, res) => void res.json(endpoints(state)));
  app.get('/avatars/:platform/:file', (req, res) => {
    const label = req.params.file.replace(/\.svg$/, '').slice(-2);
    res
      .type('image/svg+xml')
      .set('Cache-Control', 'public, max-age=86400')
      .send(
        `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" rx="48" fill="#0a66c2"/><text x="48" y="58" font-family="sans-serif" font-size="32" fill="#fff" text-anchor="middle">${escapeHtml(
          label,
        )}</text></svg>`,
      );
  });

  app.use('/linkedin', linkedinRouter(state, createIdTokenSigner()));
  app.use('/x', xRouter(state));
  app.use('/meta', metaRouter(state));
  app.use('/admin', adminRouter(state, options.admin ?? true));

  app.use((_req, res) => void res.status(404).json({ error: 'not_found', message: 'No sandbox endpoint here. GET / lists them.' }));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error === 'object' && error && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    if (status >= 500)
      logger.error(
        {
          event_type: 'sandbox_error',
          err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        },
        'sandbox handler failed',
      );
    res.status(status).json({ error: status >= 500 ? 'server_error' : 'bad_request' });
  });

  return { app, state, ...(persistence ? { persistence } : {}) };
}

/** The base URLs clients should be configured with, for humans and scripts. */
export function endpoints(state: SandboxState) {
  const base = state.publicUrl;
  return {
    linkedin: {
      authorization: `${base}/linkedin/oauth/v2/authorization`,
      token: `${base}/linkedin/oauth/v2/accessToken`,
      issuer: `${base}/linkedin/oauth`,
      api: `${base}/linkedin`,
      clientId: state.clients.linkedin.clientId,
    },
    x: {
      authorization: `${base}/x/i/oauth2/authorize`,
      token: `${base}/x/2/oauth2/token`,
      revoke: `${base}/x/2/oauth2/revoke`,
      api: `${base}/x`,
      clientId: state.clients.twitter.clientId,
    },
    meta: {
      dialog: `${base}/meta/www/v21.0/dialog/oauth`,
      graph: `${base}/meta/graph`,
      token: `${base}/meta/graph/v21.0/oauth/access_token`,
      clientId: state.clients.meta.clientId,
    },
    admin: `${base}/admin`,
  };
}
