// Tokens at rest: AES-256-GCM (Node's crypto) through a keyring. Every ciphertext names the key that
// sealed it ("v1.<keyId>.<iv>.<ciphertext+tag>", base64url parts), new writes use the primary key, and
// older keys still open what they sealed until the rotation command re-encrypts it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyringError extends Error {
  override name = 'KeyringError';
}

export class Keyring {
  private readonly keys: Map<string, Buffer>;
  readonly primaryKeyId: string;

  /** `spec` is "id:base64key[,id:base64key...]"; the first key is the primary. */
  constructor(spec: string) {
    const entries = spec
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [id, encoded] = part.split(':');
        const key = Buffer.from(encoded ?? '', 'base64');
        if (!id || !KEY_ID.test(id)) throw new KeyringError(`Invalid key id in TOKEN_ENCRYPTION_KEYS: "${id ?? ''}".`);
        if (key.length !== 32) throw new KeyringError(`Key "${id}" must be 32 bytes, base64-encoded.`);
        return [id, key] as const;
      });
    if (entries.length === 0) throw new KeyringError('TOKEN_ENCRYPTION_KEYS holds no key.');
    this.keys = new Map(entries);
    this.primaryKeyId = entries[0]![0];
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.primaryKeyId)!, iv);
    // The key id is authenticated too, so a ciphertext cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(this.primaryKeyId));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.primaryKeyId, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  decrypt(ciphertext: string): string {
    const [version, keyId, iv, sealed] = ciphertext.split('.');
    if (version !== VERSION || !keyId || !iv || !sealed) throw new KeyringError('Not a keyring ciphertext.');
    const key = this.keys.get(keyId);
    if (!key) throw new KeyringError(`Key "${keyId}" is not in the keyring.`);
    const data = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(data.subarray(data.length - 16));
    try {
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyringError('Ciphertext failed authentication.');
    }
  }

  encryptOptional(plaintext: string | null | undefined): string | null {
    return plaintext == null ? null : this.encrypt(plaintext);
  }

  decryptOptional(ciphertext: string | null | undefined): string | null {
    return ciphertext == null ? null : this.decrypt(ciphertext);
  }

  /** True when the value was sealed by a key other than the primary (the rotation job re-encrypts it). */
  needsRotation(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.primaryKeyId;
  }
}

/** A new key entry for TOKEN_ENCRYPTION_KEYS. */
export function generateKeyEntry(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** The process keyring from TOKEN_ENCRYPTION_KEYS (`npm start` makes a development key under .data/). */
export function keyringFromEnv(keys: string | undefined): Keyring {
  if (!keys) {
    throw new KeyringError(
      'TOKEN_ENCRYPTION_KEYS is not set. Generate a key with `npm run keys:generate`; `npm start` creates a development key by itself.',
    );
  }
  return new Keyring(keys);
}
