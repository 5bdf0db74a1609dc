import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { admin, freshDatabase, keyDirectory, post, startApi, type RunningApi } from './support/harness.js';

describe('POST /auth/token', () => {
  const keys = keyDirectory();
  let api: RunningApi;
  let user: { id: string };

  beforeAll(async () => {
    api = await startApi(await freshDatabase(inject('postgresUrl')), keys.dir);
    user = await (await post(`${api.base}/admin/users`, { username: 'alice', password: 'correct horse battery' }, admin)).json();
  });
  afterAll(async () => { await api.close(); keys.remove(); });

  it('gives a user an RS256 token for PowerSync that the JWKS verifies', async () => {
    const response = await post(`${api.base}/auth/token`, { username: 'alice', password: 'correct horse battery' });
    expect(response.status).toBe(200);
    const { token } = await response.json();
    const jwks = createRemoteJWKSet(new URL(`${api.base}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { audience: 'powersync', algorithms: ['RS256'] });
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.kid).toBeTypeOf('string');
    expect(payload.sub).toBe(user.id);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(86400);
  });

  it('refuses a wrong password', async () => {
    expect((await post(`${api.base}/auth/token`, { username: 'alice', password: 'wrong' })).status).toBe(401);
    expect((await post(`${api.base}/auth/token`, { username: 'bob', password: 'whatever' })).status).toBe(401);
  });

  it('makes tokens that expire', async () => {
    const short = await startApi(api.config.database.connectionString, keys.dir, undefined, { tokenTtlSeconds: 1 });
    try {
      const { token } = await (await post(`${short.base}/auth/token`, { username: 'alice', password: 'correct horse battery' })).json();
      expect(decodeProtectedHeader(token).alg).toBe('RS256');
      const jwks = createRemoteJWKSet(new URL(`${short.base}/.well-known/jwks.json`));
      await expect(jwtVerify(token, jwks, { audience: 'powersync', currentDate: new Date(Date.now() + 5000) })).rejects.toThrow(/exp/);
    } finally {
      await short.close();
    }
  });

  it('answers 429 once a user name has had its share of wrong passwords, even for the right one', async () => {
    await post(`${api.base}/admin/users`, { username: 'carol', password: 'correct horse battery' }, admin);
    for (let i = 0; i < 5; i++) expect((await post(`${api.base}/auth/token`, { username: 'carol', password: `guess-${i}` })).status).toBe(401);
    const refused = await post(`${api.base}/auth/token`, { username: 'carol', password: 'correct horse battery' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(`${api.base}/auth/token`, { username: 'alice', password: 'correct horse battery' })).status).toBe(200);
  });
});

describe('SignInThrottle', () => {
  it('opens again when the window has passed, and limits one address across user names', async () => {
    const { SignInThrottle } = await import('../src/tokens/sign-in-throttle.js');
    let now = 0;
    const throttle = new SignInThrottle(() => now);
    for (let i = 0; i < 5; i++) {
      expect(throttle.admit('dave', '10.0.0.1')).toBeNull();
      throttle.failed('dave');
    }
    expect(throttle.admit('dave', '10.0.0.1')).toBe(60);
    now = 30_000;
    expect(throttle.admit('dave', '10.0.0.1')).toBe(30);
    now = 60_000;
    expect(throttle.admit('dave', '10.0.0.1')).toBeNull();
    for (let i = 0; i < 30; i++) expect(throttle.admit(`user-${i}`, '10.0.0.2')).toBeNull();
    expect(throttle.admit('someone', '10.0.0.2')).not.toBeNull();
    expect(throttle.admit('someone', '10.0.0.3')).toBeNull();
  });
});
