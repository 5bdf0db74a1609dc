import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { admin, ADMIN_TOKEN, MQTT_PASSWORD, freshDatabase, keyDirectory, post, startApi, type RunningApi } from './support/harness.js';

describe('EMQX HTTP authentication and authorization', () => {
  const keys = keyDirectory();
  let api: RunningApi;
  let device: { id: string; secret: string };

  beforeAll(async () => {
    api = await startApi(await freshDatabase(inject('postgresUrl')), keys.dir);
    device = await (await post(`${api.base}/admin/devices`, { name: 'tracker' }, admin)).json();
  });
  afterAll(async () => { await api.close(); keys.remove(); });

  const authenticate = async (body: object) => (await post(`${api.base}/auth/mqtt`, body)).json();

  it('allows a device with its secret, as EMQX 5 expects it', async () => {
    const response = await post(`${api.base}/auth/mqtt`, { username: device.id, password: device.secret, clientid: device.id });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'allow', is_superuser: false });
  });

  it.each([
    ['a wrong secret', () => ({ username: device.id, password: 'x'.repeat(43), clientid: device.id })],
    ['another client id', () => ({ username: device.id, password: device.secret, clientid: 'someone-else' })],
    ['an unknown device', () => ({ username: 'nobody', password: device.secret, clientid: 'nobody' })],
    ['missing fields', () => ({ username: device.id })],
  ])('denies %s', async (_, body) => {
    expect(await authenticate(body())).toEqual({ result: 'deny', is_superuser: false });
  });

  it('stores device secrets only as hashes', async () => {
    const pool = api.app.get((await import('../src/database/database.js')).POOL) as import('pg').Pool;
    const rows = (await pool.query('SELECT * FROM devices WHERE id = $1', [device.id])).rows;
    expect(JSON.stringify(rows)).not.toContain(device.secret);
    expect(rows[0].secret_hash).toHaveLength(32);
  });

  it('denies a revoked device at once', async () => {
    const revoked = await (await post(`${api.base}/admin/devices`, {}, admin)).json();
    expect((await authenticate({ username: revoked.id, password: revoked.secret, clientid: revoked.id })).result).toBe('allow');
    const response = await fetch(`${api.base}/admin/devices/${revoked.id}`, { method: 'DELETE', headers: admin });
    expect(response.status).toBe(204);
    expect((await authenticate({ username: revoked.id, password: revoked.secret, clientid: revoked.id })).result).toBe('deny');
  });

  it('lets the API\'s own client in with its own MQTT password, never with the admin token', async () => {
    expect(await authenticate({ username: 'accoreboot-api', password: MQTT_PASSWORD, clientid: 'accoreboot-api-1' })).toEqual({ result: 'allow', is_superuser: false });
    expect((await authenticate({ username: 'accoreboot-api', password: ADMIN_TOKEN, clientid: 'accoreboot-api-1' })).result).toBe('deny');
    expect((await authenticate({ username: 'accoreboot-api', password: 'guess', clientid: 'accoreboot-api-1' })).result).toBe('deny');
    expect((await authenticate({ username: 'accoreboot-api', password: MQTT_PASSWORD, clientid: 'not-the-api' })).result).toBe('deny');
  });

  it('authorizes topics: own position yes, another device no', async () => {
    const acl = async (topic: string, action: string) => (await (await post(`${api.base}/auth/mqtt/acl`, { username: device.id, clientid: device.id, topic, action })).json()).result;
    expect(await acl(`devices/${device.id}/position`, 'publish')).toBe('allow');
    expect(await acl(`devices/${device.id}/commands/#`, 'subscribe')).toBe('allow');
    expect(await acl('devices/other/position', 'publish')).toBe('deny');
    expect(await acl(`devices/${device.id}/#`, 'subscribe')).toBe('deny');
  });

  it('refuses the admin endpoints without the admin token', async () => {
    expect((await post(`${api.base}/admin/devices`, {})).status).toBe(401);
    expect((await post(`${api.base}/admin/devices`, {}, { authorization: 'Bearer wrong' })).status).toBe(401);
  });
});
