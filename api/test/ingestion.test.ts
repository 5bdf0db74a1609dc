import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import mqtt from 'mqtt';
import type pg from 'pg';
import { admin, freshDatabase, keyDirectory, post, startApi, type RunningApi } from './support/harness.js';
import { POOL } from '../src/database/database.js';
import { IngestionMetrics } from '../src/positions/ingestion-metrics.js';

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('position ingestion over MQTT', () => {
  const keys = keyDirectory();
  let api: RunningApi;
  let pool: pg.Pool;
  let publisher: mqtt.MqttClient;
  let device: { id: string };

  beforeAll(async () => {
    api = await startApi(await freshDatabase(inject('postgresUrl')), keys.dir, inject('mqttUrl'));
    pool = api.app.get(POOL) as pg.Pool;
    device = await (await post(`${api.base}/admin/devices`, { name: 'tracker' }, admin)).json();
    publisher = await mqtt.connectAsync(inject('mqttUrl'));
    // the consumer subscribes asynchronously after connecting
    await new Promise((r) => setTimeout(r, 500));
  });
  afterAll(async () => { await publisher.endAsync(); await api.close(); keys.remove(); });

  it('writes the history and the latest position of the device', async () => {
    await publisher.publishAsync(`devices/${device.id}/position`, JSON.stringify({ lat: 48.85, lon: 2.35, recorded_at: '2026-11-27T08:00:00Z', speed: 3.5 }), { qos: 1 });
    await publisher.publishAsync(`devices/${device.id}/position`, JSON.stringify({ lat: 48.86, lon: 2.36, recorded_at: '2026-11-27T08:01:00Z' }), { qos: 1 });
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM positions WHERE device_id = $1', [device.id])).rows[0].n === 2);
    const latest = (await pool.query('SELECT lat, lon, speed, recorded_at FROM device_latest_position WHERE device_id = $1', [device.id])).rows[0];
    expect(latest).toMatchObject({ lat: 48.86, lon: 2.36, speed: null });
    expect(new Date(latest.recorded_at).toISOString()).toBe('2026-11-27T08:01:00.000Z');
  });

  it('keeps the newest position when an older one arrives late', async () => {
    await publisher.publishAsync(`devices/${device.id}/position`, JSON.stringify({ lat: 10, lon: 10, recorded_at: '2026-11-27T07:00:00Z' }), { qos: 1 });
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM positions WHERE device_id = $1', [device.id])).rows[0].n === 3);
    expect((await pool.query('SELECT lat FROM device_latest_position WHERE device_id = $1', [device.id])).rows[0].lat).toBe(48.86);
  });

  it('counts and drops bad payloads without stopping', async () => {
    const metrics = api.app.get(IngestionMetrics);
    const before = metrics.rejectedTotal;
    for (const payload of ['not json', '[]', '{"lat": 91, "lon": 0, "recorded_at": "2026-11-27T08:00:00Z"}', '{"lat": 1, "lon": 2}',
      '{"lat": 1, "lon": 2, "recorded_at": "yesterday"}', '{"lat": 1, "lon": 2, "recorded_at": "2026-11-27T08:00:00Z", "speed": -1}'])
      await publisher.publishAsync(`devices/${device.id}/position`, payload, { qos: 1 });
    await publisher.publishAsync('devices/unknown-device/position', JSON.stringify({ lat: 1, lon: 2, recorded_at: '2026-11-27T08:00:00Z' }), { qos: 1 });
    await eventually(async () => metrics.rejectedTotal - before === 7);
    expect(metrics.rejected.get('json')).toBeGreaterThanOrEqual(2);
    expect(metrics.rejected.get('unknown_device')).toBe(1);

    await publisher.publishAsync(`devices/${device.id}/position`, JSON.stringify({ lat: 1, lon: 2, recorded_at: '2026-11-27T09:00:00Z' }), { qos: 1 });
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM positions WHERE device_id = $1', [device.id])).rows[0].n === 4);
    const text = await (await fetch(`${api.base}/metrics`)).text();
    expect(text).toContain('accoreboot_positions_rejected_total{reason="unknown_device"} 1');
  });

  it('writes a burst of positions from many devices in few statements, none lost', async () => {
    const devices = await Promise.all(Array.from({ length: 20 }, async () => (await (await post(`${api.base}/admin/devices`, {}, admin)).json()) as { id: string }));
    const start = Date.parse('2026-11-28T00:00:00Z');
    const sends = [];
    for (let i = 0; i < 100; i++)
      for (const d of devices)
        sends.push(publisher.publishAsync(`devices/${d.id}/position`, JSON.stringify({ lat: i / 10, lon: 1, recorded_at: new Date(start + i * 1000).toISOString() }), { qos: 1 }));
    await Promise.all(sends);
    const ids = devices.map((d) => d.id);
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM positions WHERE device_id = ANY($1)', [ids])).rows[0].n === 2000);
    const latest = await pool.query('SELECT count(*)::int AS n, min(lat) AS lat FROM device_latest_position WHERE device_id = ANY($1)', [ids]);
    expect(latest.rows[0]).toEqual({ n: 20, lat: 9.9 });
  });

  it('shows the admin a device\'s latest position and history', async () => {
    const response = await fetch(`${api.base}/admin/devices/${device.id}/positions?limit=2`, { headers: admin });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.latest.lat).toBe(1);
    expect(body.history).toHaveLength(2);
    expect(new Date(body.history[0].recorded_at).toISOString()).toBe('2026-11-27T09:00:00.000Z');
    expect((await fetch(`${api.base}/admin/devices/nobody/positions`, { headers: admin })).status).toBe(404);
    expect((await fetch(`${api.base}/admin/devices/${device.id}/positions`)).status).toBe(401);
  });

  it('purges a device and everything it sent', async () => {
    const gone = (await (await post(`${api.base}/admin/devices`, {}, admin)).json()) as { id: string };
    await publisher.publishAsync(`devices/${gone.id}/position`, JSON.stringify({ lat: 5, lon: 5, recorded_at: '2026-11-27T10:00:00Z' }), { qos: 1 });
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM positions WHERE device_id = $1', [gone.id])).rows[0].n === 1);
    expect((await fetch(`${api.base}/admin/devices/${gone.id}?purge=true`, { method: 'DELETE', headers: admin })).status).toBe(204);
    for (const table of ['positions', 'device_latest_position'])
      expect((await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE device_id = $1`, [gone.id])).rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM devices WHERE id = $1', [gone.id])).rows[0].n).toBe(0);
  });
});
