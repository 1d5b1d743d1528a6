// OAuth `state`: random, stored only as a SHA-256 hash, bound to user + business + platform, one-time,
// ten minutes to live. The PKCE verifier stays server-side with it (encrypted), and the callback's code
// is parked on the consumed row (encrypted) for the exchange activity to pick up.
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import type { Platform } from '../lib/domain.js';
import { sha256 } from './auth.js';
import { HttpError } from './errors.js';

export const STATE_TTL_MS = 10 * 60_000;

export interface NewState {
  userId: number;
  businessId: number;
  platform: Platform;
  redirectUri: string;
  codeVerifier: string | null;
}

export async function createState(db: DataSource, keyring: Keyring, input: NewState): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  // Expired states, and consumed ones the exchange left behind, go as new ones come.
  await db.query(`DELETE FROM oauth_states WHERE expires_at < now() - interval '1 hour'`);
  await db.query(
    `INSERT INTO oauth_states (state_hash, user_id, business_id, platform, code_verifier_enc, redirect_uri, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [sha256(state), input.userId, input.businessId, input.platform, keyring.encryptOptional(input.codeVerifier), input.redirectUri, new Date(Date.now() + STATE_TTL_MS)],
  );
  return state;
}

export interface ConsumedState {
  id: number;
  userId: number;
  businessId: number;
  platform: Platform;
}

const stateError = (code: string, message: string) => new HttpError(400, code, message);

/**
 * Consumes a state exactly once. With a code, the encrypted code is parked on the row for the
 * exchange; without one (the user said no), the row is deleted. Every refusal names its reason.
 */
export async function consumeState(
  db: DataSource,
  keyring: Keyring,
  raw: string,
  platforms: Platform[],
  code: string | null,
): Promise<ConsumedState> {
  const hash = sha256(raw);
  const [row] = await db.query<{ id: number; platform: Platform; consumed_at: Date | null; expired: boolean }[]>(
    'SELECT id, platform, consumed_at, expires_at <= now() AS expired FROM oauth_states WHERE state_hash = $1',
    [hash],
  );
  if (!row) throw stateError('invalid_state', 'The sign-in link is not valid. Start connecting again.');
  if (!platforms.includes(row.platform)) throw stateError('state_platform_mismatch', 'The sign-in link was made for another platform.');
  if (row.consumed_at) throw stateError('state_already_used', 'This sign-in link was already used. Start connecting again.');
  if (row.expired) throw stateError('state_expired', 'The sign-in link expired (10 minutes). Start connecting again.');

  // The WHERE clause makes the consumption atomic: of two racing callbacks only one gets the row.
  // (TypeORM answers UPDATE and DELETE with [rows, rowCount].)
  const [[consumed]] = code
    ? await db.query(
        `UPDATE oauth_states SET consumed_at = now(), code_enc = $2
         WHERE id = $1 AND consumed_at IS NULL AND expires_at > now()
         RETURNING id, user_id AS "userId", business_id AS "businessId", platform`,
        [row.id, keyring.encrypt(code)],
      )
    : await db.query(
        `DELETE FROM oauth_states WHERE id = $1 AND consumed_at IS NULL
         RETURNING id, user_id AS "userId", business_id AS "businessId", platform`,
        [row.id],
      );
  if (!consumed) throw stateError('state_already_used', 'This sign-in link was already used. Start connecting again.');
  return consumed;
}
