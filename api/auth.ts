// Authentication (login, logout, bearer sessions) and tenancy (membership checks). Session tokens are
// random and only their SHA-256 is stored, so a database leak does not leak live sessions.
import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { addToContext } from '../lib/context.js';
import { BusinessEntity, MembershipEntity, SessionEntity, UserEntity, type Membership, type User } from '../lib/db/entities.js';
import { preparedQuery } from '../lib/db/prepared.js';
import { hashPassword, verifyPassword } from '../lib/passwords.js';
import { HttpError, idSchema, notFound, parse } from './errors.js';
import { normalizedEmail, type RateLimits } from './rate-limits.js';

interface AuthUser {
  id: number;
  email: string;
  name: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// Verified against when the email is unknown, so both answers take the same time.
const decoyHash = hashPassword('decoy-password-that-never-matches');

export function authRoutes(db: DataSource, options: { sessionTtlHours: number; rateLimits: RateLimits }): Router {
  const router = Router();
  const users = db.getRepository(UserEntity);
  const sessions = db.getRepository(SessionEntity);

  router.post('/login', options.rateLimits.login, async (req, res) => {
    const { email, password } = parse(
      z.object({ email: z.string().transform(normalizedEmail).pipe(z.string().email()), password: z.string().min(1).max(1024) }),
      req.body ?? {},
    );
    const user = await users.findOneBy({ email });
    const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
    if (!user || !valid) throw new HttpError(401, 'invalid_credentials', 'Email or password is incorrect.');

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + options.sessionTtlHours * 3_600_000);
    await sessions.insert({ userId: user.id, tokenHash: sha256(token), expiresAt });
    await sessions.createQueryBuilder().delete().where('expires_at < now()').execute();
    addToContext({ user_id: user.id });
    req.log?.info({ event_type: 'login' }, 'user logged in');
    res.json({ token, expires_at: expiresAt.toISOString(), user: publicUser(user), businesses: await businessesOf(db, user.id) });
  });

  router.post('/logout', requireUser(db), async (req, res) => {
    await sessions.delete({ tokenHash: sha256(bearerToken(req) ?? '') });
    res.status(204).end();
  });

  router.get('/me', requireUser(db), async (req, res) => {
    res.json({ user: req.user, businesses: await businessesOf(db, req.user!.id) });
  });

  return router;
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

/** Rejects a request without a live session with 401; otherwise sets req.user. */
export function requireUser(db: DataSource): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) throw new HttpError(401, 'unauthenticated', 'Send a session token as "Authorization: Bearer <token>".');
    // Every signed-in request runs this: a prepared statement, not the query builder (issue 12).
    const [user] = await preparedQuery<AuthUser>(
      db,
      'session-user',
      `SELECT u.id, u.email, u.name FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [sha256(token)],
    );
    if (!user) throw new HttpError(401, 'unauthenticated', 'The session token is invalid or has expired.');
    req.user = publicUser(user);
    addToContext({ user_id: user.id });
    next();
  };
}

/**
 * The business a request names, after checking the user belongs to it. Another business's id answers
 * 404 exactly like a missing one, so ids reveal nothing.
 */
export async function memberBusinessId(db: DataSource, req: Request, raw: unknown): Promise<number> {
  return (
    await readAsMember(req, raw, async (userId, businessId) => {
      const member = await preparedQuery(db, 'membership', `SELECT 1 FROM memberships WHERE user_id = $1 AND business_id = $2`, [
        userId,
        businessId,
      ]);
      return member.length > 0 ? true : undefined;
    })
  ).businessId;
}

/**
 * memberBusinessId with the read the route needs in the same round trip: `read` checks membership
 * itself and answers undefined when the user is not a member (then 404, as memberBusinessId).
 */
export async function readAsMember<T>(
  req: Request,
  raw: unknown,
  read: (userId: number, businessId: number) => Promise<T | undefined>,
): Promise<{ businessId: number; value: T }> {
  const businessId = parse(idSchema, raw);
  const value = await read(req.user!.id, businessId);
  if (value === undefined) throw notFound('Business');
  addToContext({ business_id: businessId });
  return { businessId, value };
}

interface BusinessOfUser {
  id: number;
  name: string;
  role: Membership['role'];
  time_zone: string;
}

function businessesOf(db: DataSource, userId: number): Promise<BusinessOfUser[]> {
  return db
    .getRepository(BusinessEntity)
    .createQueryBuilder('b')
    .innerJoin(MembershipEntity.options.name, 'm', 'm.businessId = b.id')
    .select('b.id', 'id')
    .addSelect('b.name', 'name')
    .addSelect('m.role', 'role')
    .addSelect('b.timeZone', 'time_zone')
    .where('m.userId = :userId', { userId })
    .orderBy('b.id')
    .getRawMany<BusinessOfUser>();
}

function publicUser(user: Pick<User, 'id' | 'email' | 'name'>): AuthUser {
  return { id: user.id, email: user.email, name: user.name };
}
