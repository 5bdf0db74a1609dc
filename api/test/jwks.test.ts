import { rmSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase, keyDirectory, startApi } from './support/harness.js';
import { KeyStore } from '../src/keys/key-store.js';

describe('GET /.well-known/jwks.json', () => {
  const keys = keyDirectory();
  afterAll(() => keys.remove());

  it('serves the RSA public keys with kid, alg RS256 and use sig, and no private part', async () => {
    const api = await startApi(await freshDatabase(inject('postgresUrl')), keys.dir);
    try {
      const response = await fetch(`${api.base}/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      const { keys: published } = await response.json();
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      expect(published[0].kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(published[0].d).toBeUndefined();
      expect(published[0].p).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it('reads its keys again on reload: a key added is published and signs, a key retired is gone', async () => {
    const store = await KeyStore.load(keys.dir);
    const before = store.jwks().keys.map((k) => k.kid);
    const added = keys.add();
    await store.reload(keys.dir);
    expect(store.jwks().keys).toHaveLength(before.length + 1);
    expect(store.signing?.kid).not.toBe(before[before.length - 1]);
    rmSync(added);
    await store.reload(keys.dir);
    expect(store.jwks().keys.map((k) => k.kid)).toEqual(before);
  });

  it('serves a second key added for rotation, and the newest one signs', async () => {
    keys.add();
    const store = await KeyStore.load(keys.dir);
    expect(store.jwks().keys).toHaveLength(2);
    expect(new Set(store.jwks().keys.map((k) => k.kid)).size).toBe(2);
    expect(store.signing?.kid).toBe(store.jwks().keys[1].kid);
  });
});
