// The demo user and business that `npm start` logs in with. Idempotent: a restart changes nothing.
import type { DataSource } from 'typeorm';
import { hashPassword } from '../passwords.js';
import { BusinessEntity, MembershipEntity, UserEntity } from './entities.js';

export interface DemoSeed {
  email: string;
  password: string;
  businessName: string;
  userName?: string;
}

export async function seedDemo(db: DataSource, seed: DemoSeed): Promise<{ userId: number; businessId: number }> {
  return db.transaction(async (tx) => {
    const email = seed.email.toLowerCase();
    const users = tx.getRepository(UserEntity);
    const existing = await users.findOne({ select: { id: true }, where: { email } });
    const userId =
      existing?.id ??
      (await users.save(users.create({ email, name: seed.userName ?? 'Demo User', passwordHash: await hashPassword(seed.password) }))).id;
    const businesses = tx.getRepository(BusinessEntity);
    const owned = await businesses
      .createQueryBuilder('b')
      .select('b.id')
      .innerJoin(MembershipEntity.options.name, 'm', 'm.businessId = b.id')
      .where('m.userId = :userId AND b.name = :name', { userId, name: seed.businessName })
      .getOne();
    if (owned) return { userId, businessId: owned.id };
    const business = await businesses.save(businesses.create({ name: seed.businessName }));
    await tx.getRepository(MembershipEntity).insert({ userId, businessId: business.id, role: 'owner' });
    return { userId, businessId: business.id };
  });
}
