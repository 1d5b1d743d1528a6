// A business's settings: today its time zone, the zone the composer shows and schedules in (times are
// stored in UTC).
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { BusinessEntity, MembershipEntity } from '../lib/db/entities.js';
import { memberBusinessId, requireUser } from './auth.js';
import { notFound, parse } from './errors.js';

/** The IANA zone as Intl knows it (canonical spelling), or null: only named zones, not raw offsets. */
function ianaTimeZone(value: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const timeZone = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const zone = ianaTimeZone(value.trim());
    if (zone === null) {
      ctx.addIssue({ code: 'custom', message: 'not an IANA time zone (for example "Europe/Paris")' });
      return z.NEVER;
    }
    return zone;
  });

export function businessRoutes(db: DataSource): Router {
  const router = Router();
  router.use('/api/v1/businesses', requireUser(db));

  const show = async (userId: number, businessId: number) => {
    const row = await db
      .getRepository(BusinessEntity)
      .createQueryBuilder('b')
      .innerJoin(MembershipEntity.options.name, 'm', 'm.businessId = b.id AND m.userId = :userId', { userId })
      .select(['b.id AS id', 'b.name AS name', 'b.timeZone AS time_zone', 'm.role AS role'])
      .where('b.id = :businessId', { businessId })
      .getRawOne<{ id: number; name: string; time_zone: string; role: string }>();
    if (!row) throw notFound('Business');
    return row;
  };

  router.get('/api/v1/businesses/:businessId', async (req, res) => {
    const businessId = await memberBusinessId(db, req, req.params.businessId);
    res.json(await show(req.user!.id, businessId));
  });

  router.patch('/api/v1/businesses/:businessId', async (req, res) => {
    const businessId = await memberBusinessId(db, req, req.params.businessId);
    const body = parse(z.object({ time_zone: timeZone }).strict(), req.body ?? {});
    await db.getRepository(BusinessEntity).update(businessId, { timeZone: body.time_zone });
    req.log?.info({ event_type: 'business_updated', time_zone: body.time_zone }, 'business time zone changed');
    res.json(await show(req.user!.id, businessId));
  });

  return router;
}
