// A reconnect storm: 10,000 distinct devices authenticate once each (every lookup misses the cache), as EMQX
// would ask the API after a broker restart. Budget on 2 cores: all of them within 10 s, p99 <= 50 ms.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const api = process.argv[2];
// the API's own dependencies (autocannon is one of its dev dependencies)
const require = createRequire(join(api, 'package.json'));
const autocannon = require('autocannon');
const pg = require('pg');
const { startPostgres15, freePort, waitForPort } = await import(join(api, 'dist/test/support/services.js'));
const DEVICES = 10_000;
const CONNECTIONS = 64;

const postgres = await startPostgres15();
const keys = mkdtempSync(join(tmpdir(), 'bench-keys-'));
writeFileSync(join(keys, 'jwt.key.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
const port = await freePort();
const server = spawn('node', [join(api, 'dist/src/main.js')], {
  env: { ...process.env, NODE_ENV: 'production', PORT: String(port), DATABASE_URL: postgres.url, JWT_KEYS_DIR: keys, ADMIN_TOKEN: 'bench-admin-token' },
  stdio: 'ignore',
});
try {
  await waitForPort(port);
  const pool = new pg.Pool({ connectionString: postgres.url });
  const devices = Array.from({ length: DEVICES }, (_, i) => ({ id: `storm-${i}`, secret: randomBytes(32).toString('base64url') }));
  for (let i = 0; i < DEVICES; i += 1000) {
    const slice = devices.slice(i, i + 1000);
    await pool.query('INSERT INTO devices (id, secret_hash) SELECT * FROM unnest($1::text[], $2::bytea[])',
      [slice.map((d) => d.id), slice.map((d) => createHash('sha256').update(d.secret).digest())]);
  }
  await pool.end();

  let next = 0;
  let allowedCount = 0;
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/auth/mqtt`,
    connections: CONNECTIONS,
    amount: DEVICES,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{
      setupRequest: (request) => {
        const device = devices[next++ % DEVICES];
        return { ...request, body: JSON.stringify({ username: device.id, password: device.secret, clientid: device.id }) };
      },
      onResponse: (status, body) => { if (status === 200 && body.includes('"allow"')) allowedCount++; },
    }],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const p99 = result.latency.p99;
  const allowed = allowedCount;
  console.log(`device authentications : ${result.requests.total} (${allowed} allowed, ${result.errors} errors, ${result.non2xx} non-2xx)`);
  console.log(`wall time              : ${seconds.toFixed(2)} s  (budget 10 s, ratio ${(seconds / 10).toFixed(3)})`);
  console.log(`latency p50 / p99 / max: ${result.latency.p50} / ${p99} / ${result.latency.max} ms  (p99 budget 50 ms, ratio ${(p99 / 50).toFixed(3)})`);
  console.log(`throughput             : ${Math.round(result.requests.total / seconds)} req/s with ${CONNECTIONS} connections`);
  const met = seconds <= 10 && p99 <= 50 && allowed === DEVICES;
  console.log(met ? 'budget met' : 'BUDGET MISSED');
  process.exitCode = met ? 0 : 1;
} finally {
  server.kill('SIGTERM');
  postgres.stop();
}
