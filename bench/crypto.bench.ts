// Hot-path crypto: every token read or write goes through the keyring; every login through scrypt.
// Run with `npm run bench`; results in bench/README.md.
import { bench, describe } from 'vitest';
import { generateKeyEntry, Keyring } from '../lib/crypto/keyring.js';
import { hashPassword, verifyPassword } from '../lib/passwords.js';

const keyring = new Keyring(`${generateKeyEntry('new')},${generateKeyEntry('old')}`);
const token = 'x'.repeat(120); // about the size of a provider access token
const sealed = keyring.encrypt(token);

describe('keyring (AES-256-GCM)', () => {
  bench('encrypt a token', () => {
    keyring.encrypt(token);
  });
  bench('decrypt a token', () => {
    keyring.decrypt(sealed);
  });
});

describe('passwords (scrypt N=2^15)', async () => {
  const stored = await hashPassword('correct-horse-battery');
  bench(
    'verify a password',
    async () => {
      await verifyPassword('correct-horse-battery', stored);
    },
    { iterations: 20, time: 0 },
  );
});
