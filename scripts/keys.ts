// Token encryption keys.
//   npm run keys:generate   prints a new key entry; put it FIRST in TOKEN_ENCRYPTION_KEYS to make it primary
//   npm run keys:rotate     re-encrypts every stored secret under the primary key (older keys may then go)
import type { DataSource } from 'typeorm';
import { config } from '../lib/config.js';
import { generateKeyEntry, keyringFromEnv, type Keyring } from '../lib/crypto/keyring.js';
import { openDatabase } from '../lib/db/data-source.js';

/** Every column that holds a keyring ciphertext. */
export const ENCRYPTED_COLUMNS: Record<string, string[]> = {
  social_accounts: ['access_token_enc', 'refresh_token_enc', 'user_token_enc'],
  oauth_states: ['code_verifier_enc', 'code_enc'],
  pending_connections: ['user_token_enc'],
};

/** Re-encrypts, row by row in one transaction per table, what an older key sealed. Returns the count. */
export async function rotateKeys(db: DataSource, keyring: Keyring): Promise<number> {
  let rotated = 0;
  for (const [table, columns] of Object.entries(ENCRYPTED_COLUMNS)) {
    await db.transaction(async (tx) => {
      const rows = await tx.query(`SELECT id, ${columns.join(', ')} FROM ${table} FOR UPDATE`);
      for (const row of rows) {
        const stale = columns.filter((c) => row[c] && keyring.needsRotation(row[c]));
        if (stale.length === 0) continue;
        const sets = stale.map((c, i) => `${c} = $${i + 2}`).join(', ');
        await tx.query(`UPDATE ${table} SET ${sets} WHERE id = $1`, [
          row.id,
          ...stale.map((c) => keyring.encrypt(keyring.decrypt(row[c]))),
        ]);
        rotated += stale.length;
      }
    });
  }
  return rotated;
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
