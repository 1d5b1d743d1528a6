// Token encryption keys.
//   npm run keys:generate   prints a new key entry; put it FIRST in TOKEN_ENCRYPTION_KEYS to make it primary
//   npm run keys:rotate     re-encrypts every stored secret under the primary key (older keys may then go)
import type { DataSource, EntitySchema, FindOptionsSelect } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { config } from '../lib/config.js';
import { generateKeyEntry, keyringFromEnv, type Keyring } from '../lib/crypto/keyring.js';
import { openDatabase } from '../lib/db/data-source.js';
import { OAuthStateEntity, PendingConnectionEntity, SocialAccountEntity } from '../lib/db/entities.js';

/** The properties of an entity that hold a keyring ciphertext (or null). */
type SecretOf<T> = { [K in keyof T]: T[K] extends string | null ? K : never }[keyof T];

/** Re-encrypts, row by row in one transaction per table, what an older key sealed. Returns the count. */
export async function rotateKeys(db: DataSource, keyring: Keyring): Promise<number> {
  // Every column that holds a keyring ciphertext.
  return (
    (await rotate(db, keyring, SocialAccountEntity, ['accessTokenEnc', 'refreshTokenEnc', 'userTokenEnc'])) +
    (await rotate(db, keyring, OAuthStateEntity, ['codeVerifierEnc', 'codeEnc'])) +
    (await rotate(db, keyring, PendingConnectionEntity, ['userTokenEnc']))
  );
}

async function rotate<T extends { id: number }>(
  db: DataSource,
  keyring: Keyring,
  entity: EntitySchema<T>,
  secrets: SecretOf<T>[],
): Promise<number> {
  return db.transaction(async (tx) => {
    const repository = tx.getRepository(entity);
    const select = Object.fromEntries(['id', ...secrets].map((p) => [p, true])) as FindOptionsSelect<T>;
    const rows = await repository.find({ select, lock: { mode: 'pessimistic_write' } });
    let rotated = 0;
    for (const row of rows) {
      const changes: Partial<Record<SecretOf<T>, string>> = {};
      for (const secret of secrets) {
        const sealed = row[secret] as string | null;
        if (sealed && keyring.needsRotation(sealed)) changes[secret] = keyring.encrypt(keyring.decrypt(sealed));
      }
      const count = Object.keys(changes).length;
      if (count === 0) continue;
      await repository.update(row.id, changes as QueryDeepPartialEntity<T>);
      rotated += count;
    }
    return rotated;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  if (command === 'generate') {
    console.log(generateKeyEntry());
  } else if (command === 'rotate') {
    const settings = config();
    if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required.');
    const db = await openDatabase(settings.DATABASE_URL, { poolSize: 1 });
    const count = await rotateKeys(db, keyringFromEnv(settings.TOKEN_ENCRYPTION_KEYS));
    await db.destroy();
    console.log(`Re-encrypted ${count} value(s) under the primary key.`);
  } else {
    console.error('Usage: tsx scripts/keys.ts generate|rotate');
    process.exit(2);
  }
}
