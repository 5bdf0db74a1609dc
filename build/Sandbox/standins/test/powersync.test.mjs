// The PowerSync stand-in against PostgreSQL 17 (the local image) and a JWKS it is given: what the service checks of
// its config, its database and its clients, and the sync stream it answers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import pg from 'pg';
import { SCHEMA_VERSION, checkConfig, parseConfig } from '../powersync/config.mjs';
import { startService } from '../powersync/main.mjs';
import { startPostgres17 } from './support.mjs';

const SYNC_CONFIG = `bucket_definitions:
  user_devices:
    parameters: SELECT request.user_id() AS user_id
    data:
      - SELECT device_id AS id, device_id, lat, lon FROM device_latest_position WHERE owner_id = bucket.user_id
`;

const config = (extra = '') => `
replication:
  connections:
    - type: postgresql
      uri: !env PS_DATA_SOURCE_URI
      sslmode: disable
storage:
  type: postgresql
  uri: !env PS_STORAGE_URI
  sslmode: disable
port: 0
sync_config:
  path: sync-config.yaml
client_auth:
  jwks_uri: !env JWKS_URI
  audience: ["powersync"]
${extra}`;

describe('PowerSync stand-in', () => {
  let database;
  let jwks;
  let signing;
  let directory;
  const environment = {};

  before(async () => {
    database = await startPostgres17();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query("CREATE ROLE app LOGIN PASSWORD 'app'; CREATE ROLE replicator LOGIN REPLICATION PASSWORD 'replicator'");
    for (const name of ['accoreboot', 'storage']) await admin.query(`CREATE DATABASE ${name} OWNER replicator`);
    await admin.end();
    const app = new pg.Client({ connectionString: database.url.replace('postgres:postgres@', 'replicator:replicator@').replace('/postgres', '/accoreboot') });
    await app.connect();
    await app.query(`CREATE TABLE device_latest_position (device_id text PRIMARY KEY, owner_id text, lat double precision, lon double precision);
      INSERT INTO device_latest_position VALUES ('d1', 'alice', 48.85, 2.35), ('d2', 'bob', 45.76, 4.83);
      GRANT SELECT ON device_latest_position TO app;`);
    await app.end();

    signing = await generateKeyPair('RS256', { extractable: true });
    const key = { ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_, response) => response.end(JSON.stringify({ keys: [key] })));
    await new Promise((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    directory = mkdtempSync(join(tmpdir(), 'powersync-standin-'));
    writeFileSync(join(directory, 'sync-config.yaml'), SYNC_CONFIG);
    Object.assign(environment, {
      PS_DATA_SOURCE_URI: database.url.replace('postgres:postgres@', 'replicator:replicator@').replace('/postgres', '/accoreboot'),
      PS_STORAGE_URI: database.url.replace('postgres:postgres@', 'replicator:replicator@').replace('/postgres', '/storage'),
      JWKS_URI: `http://127.0.0.1:${jwks.address().port}/jwks`,
      POWERSYNC_BIND: '127.0.0.1',
    });
  });

  after(() => {
    jwks?.close();
    database?.stop();
  });

  const write = (text) => {
    const path = join(directory, `powersync-${Math.random().toString(16).slice(2)}.yaml`);
    writeFileSync(path, text);
    return path;
  };

  const token = (claims = {}, key = signing.privateKey, kid = 'k1') => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid }).setSubject(claims.sub ?? 'alice')
      .setAudience(claims.aud ?? 'powersync').setIssuedAt(claims.iat ?? now).setExpirationTime(claims.exp ?? now + 3600).sign(key);
  };

  const sync = async (port, authorization) => {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/sync/stream`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{}', signal: controller.signal });
    if (response.status !== 200) return { status: response.status, body: await response.json() };
    const reader = response.body.getReader();
    let text = '';
    while (!text.includes('checkpoint_complete')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    return { status: 200, lines: text.trim().split('\n').map((line) => JSON.parse(line)) };
  };

  test('the schema is of the version the stand-in claims, and unknown keys are refused by path', () => {
    assert.match(SCHEMA_VERSION, /^\d+\.\d+\.\d+$/);
    assert.throws(() => checkConfig(parseConfig(config('sync_configs:\n  path: x\n'), environment)), /sync_configs: not a key of PowerSync/);
    assert.throws(() => checkConfig(parseConfig(config().replace('sslmode: disable', 'sslmod: disable'), environment)), /replication\.connections\[0\]\.sslmod: not a key/);
    assert.throws(() => checkConfig(parseConfig(config().replace('audience: ["powersync"]', 'audience: 42'), environment)), /\/client_auth\/audience must be array \(schema of PowerSync/);
    assert.throws(() => parseConfig(config(), {}), /!env PS_DATA_SOURCE_URI, PS_STORAGE_URI, JWKS_URI not set/);
  });

  test('a missing publication, then one that does not publish everything, are named', async () => {
    const service = await startService({ configPath: write(config()), environment, retryMs: 60_000 });
    await service.close();
    assert.match(service.state.problem, /PSYNC_S1141\] publication 'powersync' does not exist/);
    const owner = new pg.Client({ connectionString: environment.PS_DATA_SOURCE_URI });
    await owner.connect();
    await owner.query("CREATE PUBLICATION powersync FOR TABLE device_latest_position WITH (publish = 'insert, update')");
    const partial = await startService({ configPath: write(config()), environment, retryMs: 60_000 });
    await partial.close();
    assert.match(partial.state.problem, /PSYNC_S1142/);
    await owner.query("ALTER PUBLICATION powersync SET (publish = 'insert, update, delete, truncate')");
    await owner.end();
  });

  test('with a replicating user it is ready, syncs a user only their rows, and refuses bad tokens', async () => {
    const service = await startService({ configPath: write(config()), environment });
    try {
      assert.equal(service.state.problem, null);
      const { status, lines } = await sync(service.port, `Token ${await token()}`);
      assert.equal(status, 200);
      assert.equal(lines[0].checkpoint.buckets.length, 1);
      assert.equal(lines[0].checkpoint.buckets[0].bucket, 'user_devices["alice"]');
      assert.equal(lines[0].checkpoint.buckets[0].count, 1);
      const operation = lines[1].data.data[0];
      assert.equal(operation.op, 'PUT');
      assert.equal(operation.object_type, 'device_latest_position');
      assert.deepEqual(JSON.parse(operation.data), { id: 'd1', device_id: 'd1', lat: 48.85, lon: 2.35 });
      assert.deepEqual(lines[2], { checkpoint_complete: { last_op_id: '1' } });

      const other = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      for (const [bad, code] of [
        [await token({ aud: 'someone-else' }), 'PSYNC_S2105'],
        [await token({ iat: now - 7200, exp: now - 3600 }), 'PSYNC_S2103'],
        [await token({}, other.privateKey), 'PSYNC_S2101'],
        [await token({}, signing.privateKey, 'unknown-kid'), 'PSYNC_S2101'],
        [await token({ exp: now + 2 * 86_400 }), 'PSYNC_S2104'],
      ]) {
        const refused = await sync(service.port, `Token ${bad}`);
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error.code, code);
      }
      assert.equal((await sync(service.port, '')).status, 401);
      const probe = await fetch(`http://127.0.0.1:${service.port}/probes/liveness`);
      assert.equal(probe.status, 200);
    } finally {
      await service.close();
    }
  });

  test('a user without REPLICATION is not ready, and says so in one line', async () => {
    const env = { ...environment, PS_DATA_SOURCE_URI: environment.PS_DATA_SOURCE_URI.replace('replicator:replicator@', 'app:app@') };
    const service = await startService({ configPath: write(config()), environment: env, retryMs: 60_000 });
    try {
      assert.match(service.state.problem, /the role app has no REPLICATION attribute/);
      assert.equal((await fetch(`http://127.0.0.1:${service.port}/probes/liveness`)).status, 503);
    } finally {
      await service.close();
    }
  });

});
