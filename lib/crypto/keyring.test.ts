import { describe, expect, it } from 'vitest';
import { generateKeyEntry, Keyring, KeyringError } from './keyring.js';

const k1 = generateKeyEntry('k1');
const k2 = generateKeyEntry('k2');

describe('keyring', () => {
  it('round-trips and never shows the plaintext', () => {
    const ring = new Keyring(k1);
    const sealed = ring.encrypt('access-token-123');
    expect(sealed).toMatch(/^v1\.k1\./);
    expect(sealed).not.toContain('access-token-123');
    expect(ring.decrypt(sealed)).toBe('access-token-123');
    expect(ring.encrypt('same')).not.toBe(ring.encrypt('same'));
  });

  it('writes with the primary and still opens what older keys sealed', () => {
    const old = new Keyring(k1).encrypt('old secret');
    const rotated = new Keyring(`${k2},${k1}`);
    expect(rotated.decrypt(old)).toBe('old secret');
    expect(rotated.needsRotation(old)).toBe(true);
    const fresh = rotated.encrypt('new secret');
    expect(fresh).toMatch(/^v1\.k2\./);
    expect(rotated.needsRotation(fresh)).toBe(false);
  });

  it('rejects tampering, relabelling and unknown keys', () => {
    const ring = new Keyring(`${k1},${k2}`);
    const sealed = ring.encrypt('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => ring.decrypt([...parts.slice(0, 3), flipped.toString('base64url')].join('.'))).toThrow(KeyringError);
    expect(() => ring.decrypt(['v1', 'k2', parts[2], parts[3]].join('.'))).toThrow(/authentication/);
    expect(() => new Keyring(k2).decrypt(sealed)).toThrow(/not in the keyring/);
  });

  it('refuses malformed key specs', () => {
    expect(() => new Keyring('')).toThrow(/no key/);
    expect(() => new Keyring('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => new Keyring('bad id!:' + Buffer.alloc(32).toString('base64'))).toThrow(/key id/);
  });
});
