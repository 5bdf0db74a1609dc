import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface PublishedKey extends JWK {
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/**
 * The RSA keys in the mounted key directory (created once on the host by the deploy, never overwritten).
 * Every key is published in the JWKS, so that a second key can be added before the first is retired; the
 * newest private key signs. A key's id is its JWK thumbprint (RFC 7638): stable, and the same on every host.
 * `reload` reads the directory again (the process does on SIGHUP): a key added or retired by the build's Rotate
 * takes effect without a restart, so sign-ins and EMQX's callbacks never stop.
 */
export class KeyStore {
  private constructor(
    public signing: SigningKey | undefined,
    public published: PublishedKey[],
  ) {}

  async reload(directory: string): Promise<void> {
    const fresh = await KeyStore.load(directory);
    // both at once: a request sees the old pair or the new one
    [this.signing, this.published] = [fresh.signing, fresh.published];
  }

  static async load(directory: string): Promise<KeyStore> {
    const files = readdirSync(directory)
      .filter((name) => name.endsWith('.pem'))
      .map((name) => join(directory, name))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
    const published = new Map<string, PublishedKey>();
    let signing: SigningKey | undefined;
    for (const file of files) {
      const pem = readFileSync(file, 'utf8');
      const isPrivate = pem.includes('PRIVATE KEY');
      const privateKey = isPrivate ? createPrivateKey(pem) : undefined;
      const publicKey = privateKey ? createPublicKey(privateKey) : createPublicKey(pem);
      if (publicKey.asymmetricKeyType !== 'rsa') continue;
      const jwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(jwk);
      published.set(kid, { kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' });
      if (privateKey) signing = { kid, privateKey };
    }
    return new KeyStore(signing, [...published.values()]);
  }

  jwks(): { keys: PublishedKey[] } {
    return { keys: this.published };
  }
}
