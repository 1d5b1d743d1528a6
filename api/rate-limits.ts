// Rate limits on login and the OAuth routes. Counters live in Postgres (rate-limiter-flexible's store)
// so every API process shares them; over the limit answers 429 with Retry-After.
import type { RequestHandler } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { HttpError } from './errors.js';

export interface RateLimits {
  login: RequestHandler;
  oauth: RequestHandler;
}

export interface RateLimitSettings {
  loginPerMinute: number;
  oauthPerMinute: number;
}

export function createRateLimits(db: DataSource, settings: RateLimitSettings): RateLimits {
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
    (rateLimiter: RateLimiterPostgres, key: (req: Parameters<RequestHandler>[0]) => string): RequestHandler =>
    async (req, _res, next) => {
      try {
        await rateLimiter.consume(key(req));
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
    // Per address and email: the dashboard signs everybody in from its own address, so an address alone
    // would make every user share one budget; per email alone would let one address spray many accounts.
    login: middleware(
      limiter('login', settings.loginPerMinute),
      (req) =>
        `${req.ip ?? 'unknown'}:${String(req.body?.email ?? '')
          .toLowerCase()
          .slice(0, 200)}`,
    ),
    oauth: middleware(limiter('oauth', settings.oauthPerMinute), (req) => String(req.user?.id ?? req.ip)),
  };
}
