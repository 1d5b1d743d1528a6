// OAuth `state`: random, stored only as a SHA-256 hash, bound to user + business + platform and to the
// browser that started the flow (a secret in its cookie, also stored only hashed), one-time, ten minutes
// to live. The PKCE verifier stays server-side with it (encrypted), and the callback's code
// is parked on the consumed row (encrypted) for the exchange activity to pick up.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Keyring } from '../lib/crypto/keyring.js';
import { OAuthStateEntity, PendingConnectionEntity } from '../lib/db/entities.js';
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

export interface CreatedState {
  state: string;
  /** The secret for the starting browser's cookie; only its hash is stored. */
  browserBinding: string;
}

export async function createState(db: DataSource, keyring: Keyring, input: NewState): Promise<CreatedState> {
  const state = randomBytes(32).toString('base64url');
  const browserBinding = randomBytes(32).toString('base64url');
  const states = db.getRepository(OAuthStateEntity);
  // Expired states, and consumed ones the exchange left behind, go as new ones come; so do expired Meta
  // Page selections, which hold a Facebook user token nobody can use any more.
  await states.createQueryBuilder().delete().where("expires_at < now() - interval '1 hour'").execute();
  await db.getRepository(PendingConnectionEntity).createQueryBuilder().delete().where('expires_at < now()').execute();
  await states.insert({
    stateHash: sha256(state),
    userId: input.userId,
    businessId: input.businessId,
    platform: input.platform,
    codeVerifierEnc: keyring.encryptOptional(input.codeVerifier),
    redirectUri: input.redirectUri,
    browserBindingHash: sha256(browserBinding),
    expiresAt: new Date(Date.now() + STATE_TTL_MS),
  });
  return { state, browserBinding };
}

export interface ConsumedState {
  id: number;
  userId: number;
  businessId: number;
  platform: Platform;
}

const stateError = (code: string, message: string) => new HttpError(400, code, message);

/** Constant-time: the stored hash against the hash of what the browser presented (absent never matches). */
function sameBrowser(storedHash: string | null, presented: string | undefined): boolean {
  if (!storedHash || !presented) return false;
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(sha256(presented), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Consumes a state exactly once, and only for the browser that started it (its binding cookie). With a
 * code, the encrypted code is parked on the row for the exchange; without one (the user said no), the
 * row is deleted. Every refusal names its reason. A callback from another browser is refused before
 * anything changes: the state stays usable by the browser that holds the cookie (decision 015).
 */
export async function consumeState(
  db: DataSource,
  keyring: Keyring,
  raw: string,
  platforms: Platform[],
  code: string | null,
  browserBinding: string | undefined,
): Promise<ConsumedState> {
  const states = db.getRepository(OAuthStateEntity);
  const {
    entities: [row],
    raw: [clock],
  } = await states
    .createQueryBuilder('s')
    .select(['s.id', 's.userId', 's.businessId', 's.platform', 's.consumedAt', 's.browserBindingHash'])
    .addSelect('s.expiresAt <= now()', 'expired') // the database's clock, as in the consuming WHERE below
    .where('s.stateHash = :hash', { hash: sha256(raw) })
    .getRawAndEntities<{ expired: boolean }>();
  if (!row) throw stateError('invalid_state', 'The sign-in link is not valid. Start connecting again.');
  if (!platforms.includes(row.platform)) throw stateError('state_platform_mismatch', 'The sign-in link was made for another platform.');
  if (!sameBrowser(row.browserBindingHash, browserBinding)) {
    throw new HttpError(
      403,
      'browser_mismatch',
      'This sign-in was started in another browser (or this browser did not keep its cookie). Start connecting again here.',
    );
  }
  if (row.consumedAt) throw stateError('state_already_used', 'This sign-in link was already used. Start connecting again.');
  if (clock!.expired) throw stateError('state_expired', 'The sign-in link expired (10 minutes). Start connecting again.');

  // The WHERE clause makes the consumption atomic: of two racing callbacks only one changes the row.
  const { affected } = code
    ? await states
        .createQueryBuilder()
        .update()
        .set({ consumedAt: () => 'now()', codeEnc: keyring.encrypt(code) })
        .where('id = :id AND consumed_at IS NULL AND expires_at > now()', { id: row.id })
        .execute()
    : await states.createQueryBuilder().delete().where('id = :id AND consumed_at IS NULL', { id: row.id }).execute();
  if (affected !== 1) throw stateError('state_already_used', 'This sign-in link was already used. Start connecting again.');
  return { id: row.id, userId: row.userId, businessId: row.businessId, platform: row.platform };
}
