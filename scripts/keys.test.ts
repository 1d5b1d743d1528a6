import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry, Keyring } from '../lib/crypto/keyring.js';
import { seedDemo } from '../lib/db/seed.js';
import { createTestDatabase } from '../test/support/env.js';
import { rotateKeys } from './keys.js';

let db: DataSource;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});
afterAll(async () => {
  await db?.destroy();
});

describe('key rotation', () => {
  it('re-encrypts every stored secret under the new primary key, leaving the plaintext unchanged', async () => {
    const oldKey = generateKeyEntry('old');
    const newKey = generateKeyEntry('new');
    const before = new Keyring(oldKey);
    const { businessId, userId } = await seedDemo(db, { email: 'k@example.com', password: 'key-password', businessName: 'Keys' });
    await db.query(
      `INSERT INTO social_accounts (business_id, platform, external_id, access_token_enc, refresh_token_enc)
       VALUES ($1, 'twitter', 'k1', $2, $3), ($1, 'linkedin', 'k2', $4, NULL)`,
      [businessId, before.encrypt('access-1'), before.encrypt('refresh-1'), before.encrypt('access-2')],
    );
    await db.query(
      `INSERT INTO pending_connections (business_id, user_id, platform, user_token_enc, choices, expires_at)
       VALUES ($1, $2, 'meta', $3, '[]', now() + interval '1 hour')`,
      [businessId, userId, before.encrypt('user-token')],
    );

    const after = new Keyring(`${newKey},${oldKey}`);
    expect(await rotateKeys(db, after)).toBe(4);
    const accounts = await db.query('SELECT access_token_enc, refresh_token_enc FROM social_accounts ORDER BY external_id');
    expect(accounts[0].access_token_enc).toMatch(/^v1\.new\./);
    expect(after.decrypt(accounts[0].access_token_enc)).toBe('access-1');
    expect(after.decrypt(accounts[0].refresh_token_enc)).toBe('refresh-1');
    expect(after.decrypt(accounts[1].access_token_enc)).toBe('access-2');
    expect(accounts[1].refresh_token_enc).toBeNull();
    const [pending] = await db.query('SELECT user_token_enc FROM pending_connections');
    expect(new Keyring(newKey).decrypt(pending.user_token_enc)).toBe('user-token'); // the old key is no longer needed

    expect(await rotateKeys(db, after)).toBe(0); // nothing left to do
  });
});
