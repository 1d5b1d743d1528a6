// Rate limits on login and the OAuth routes. Counters live in Postgres (rate-limiter-flexible's store)
// so every API process shares them; over the limit answers 429 with Retry-After.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { HttpError } from './errors.js';

export interface RateLimits {
  login: RequestHandler;
  oauth: RequestHandler;
}

export interface RateLimitSettings {
  /** Attempts per client address and email. */
  loginPerMinute: number;
  /** Attempts per client address across all emails (default five times loginPerMinute). */
  loginPerAddressPerMinute?: number;
  oauthPerMinute: number;
}

/** An email as login compares it: `" Owner@x"`, a tab-prefixed or a full-width form is the same email. */
export function normalizedEmail(raw: unknown): string {
  return String(raw ?? '')
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replaceAll('\u0000', ''); // Postgres text cannot hold NUL: the limiter's key would fail the request with a 500
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The address a request comes from. The dashboard signs everybody in from its own address, so it sends
 * the browser's in X-Client-Address, together with DASHBOARD_API_SECRET in X-Dashboard-Secret; the header
 * is believed only with that secret (compared in constant time), else the connection's address counts.
 */
function clientAddress(req: Request, dashboardSecret: string | undefined): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  const claimed = req.get('x-client-address')?.trim();
  const secret = req.get('x-dashboard-secret');
  if (!dashboardSecret || !claimed || !secret || isIP(claimed) === 0) return socketAddress;
  return timingSafeEqual(digest(secret), digest(dashboardSecret)) ? claimed : socketAddress;
}

export function createRateLimits(db: DataSource, settings: RateLimitSettings, dashboardSecret?: string): RateLimits {
  // TypeORM's postgres driver exposes its pg Pool as `master`.
  const pool = (db.driver as unknown as { master: unknown }).master;
  const limiter = (keyPrefix: string, points: number) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix,
      points,
      duration: 60,
    });

  const middleware =
    (rules: [RateLimiterPostgres, (req: Request) => string][]): RequestHandler =>
    async (req, _res, next) => {
      try {
        for (const [rateLimiter, key] of rules) await rateLimiter.consume(key(req));
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new HttpError(429, 'rate_limited', `Too many requests. Try again in ${retryAfter} s.`, {
          'Retry-After': String(retryAfter),
        });
      }
      next();
    };

  return {
    // Per address and email, and per address across emails: one address can neither guess one account's
    // password quickly nor spray many accounts. The address is the browser's, passed on by the dashboard.
    login: middleware([
      [
        limiter('login-address', settings.loginPerAddressPerMinute ?? settings.loginPerMinute * 5),
        (req) => clientAddress(req, dashboardSecret),
      ],
      [
        limiter('login', settings.loginPerMinute),
        (req) => `${clientAddress(req, dashboardSecret)}:${normalizedEmail(req.body?.email).slice(0, 200)}`,
      ],
    ]),
    oauth: middleware([[limiter('oauth', settings.oauthPerMinute), (req) => String(req.user?.id ?? req.ip)]]),
  };
}
