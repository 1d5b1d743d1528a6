// The demo user and business that `npm start` logs in with. Idempotent: a restart changes nothing.
import type { DataSource } from 'typeorm';
import { hashPassword } from '../passwords.js';

export interface DemoSeed {
  email: string;
  password: string;
  businessName: string;
  userName?: string;
}

export async function seedDemo(db: DataSource, seed: DemoSeed): Promise<{ userId: number; businessId: number }> {
  return db.transaction(async (tx) => {
    const email = seed.email.toLowerCase();
    const [existing] = await tx.query<{ id: number }[]>('SELECT id FROM users WHERE email = $1', [email]);
    const userId =
      existing?.id ??
      (
        await tx.query<{ id: number }[]>(
          'INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id',
          [email, seed.userName ?? 'Demo User', await hashPassword(seed.password)],
        )
      )[0]!.id;
    const [owned] = await tx.query<{ id: number }[]>(
      `SELECT b.id FROM businesses b JOIN memberships m ON m.business_id = b.id
       WHERE m.user_id = $1 AND b.name = $2`,
      [userId, seed.businessName],
    );
    if (owned) return { userId, businessId: owned.id };
    const [business] = await tx.query<{ id: number }[]>('INSERT INTO businesses (name) VALUES ($1) RETURNING id', [
      seed.businessName,
    ]);
    await tx.query(`INSERT INTO memberships (user_id, business_id, role) VALUES ($1, $2, 'owner')`, [userId, business!.id]);
    return { userId, businessId: business!.id };
  });
}
