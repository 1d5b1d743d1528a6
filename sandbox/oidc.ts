// RS256 ID tokens and the JWKS that verifies them, for LinkedIn's OpenID Connect (the `openid` scope
// makes LinkedIn return an id_token beside the access token). The key is made on first use and lives as
// long as the sandbox app.
import { generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { secret } from './random.js';

export interface IdTokenSigner {
  sign(claims: Record<string, unknown>): string;
  jwks(): { keys: JsonWebKey[] };
}

export function createIdTokenSigner(): IdTokenSigner {
  let key: { privateKey: KeyObject; jwk: JsonWebKey } | undefined;
  const ensure = () => {
    if (!key) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = secret('', 12);
      key = {
        privateKey: pair.privateKey,
        jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
      };
    }
    return key;
  };
  return {
    sign(claims) {
      const { privateKey, jwk } = ensure();
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${encode({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })}.${encode(claims)}`;
      return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
    },
    jwks: () => ({ keys: [ensure().jwk] }),
  };
}
