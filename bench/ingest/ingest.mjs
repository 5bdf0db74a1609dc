// bench/ingest: devices publish positions through the EMQX stand-in (authentication and authorization through the
// API, from the rendered emqx.conf), the API writes them to PostgreSQL 17 + TimescaleDB. Prints the sustained rate,
// publish-to-row latency (received_at - recorded_at, one clock), rows lost, and beside it the rate of a plain COPY
// of the same rows into the same kind of table: the physical limit of this machine.
// Budget on 2 cores: >= 5,000 positions/s sustained, p99 <= 250 ms, 0 lost. The measured minute is also cut into
// WINDOWS (5) windows: min / median / max of their rates and p99s.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [root] = process.argv.slice(2);
const api = join(root, 'api');
const standins = join(root, 'build', 'Sandbox', 'standins');
const require = createRequire(join(standins, 'package.json'));
const mqtt = require('mqtt');
const pg = require('pg');
const { freePort, startPostgres17 } = await import(join(standins, 'test', 'support.mjs'));

const DEVICES = Number(process.env.DEVICES ?? 500);
const RATE = Number(process.env.RATE ?? 5500); // offered positions per second, all devices together
const SECONDS = Number(process.env.DURATION ?? 60);
const WARMUP = Number(process.env.WARMUP ?? 5);
const WINDOWS = Number(process.env.WINDOWS ?? 5); // the measured time, cut into this many windows of equal length
const phases = [];
const phase = async (name, work) => {
  const started = performance.now();
  process.stderr.write(`… ${name}\n`);
  const result = await work();
  phases.push([name, (performance.now() - started) / 1000]);
  return result;
};
const children = [];
const spawnChild = (args, env) => {
  // BENCH_LOGS=<dir>: each child's output in <dir>/<script>.log, to see what the broker and the API did
  const output = process.env.BENCH_LOGS ? openSync(join(process.env.BENCH_LOGS, `${args[0].split('/').slice(-2).join('-')}.log`), 'a') : 'ignore';
  const child = spawn('node', args, { env: { ...process.env, ...env }, stdio: ['ignore', output, 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => { errors += chunk; if (output !== 'ignore') writeSync(output, chunk); });
  child.on('exit', (code) => { if (code && code !== 143 && !stopping) console.error(`${args[0]} exited ${code}: ${errors.trim().split('\n').at(-1)}`); });
  children.push(child);
  return child;
};
let stopping = false;
const waitFor = async (check, what, seconds = 30) => {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${seconds} s`);
    await sleep(100);
  }
};

const database = await phase('PostgreSQL 17 + TimescaleDB start', () => startPostgres17());
try {
  const adminPool = new pg.Pool({ connectionString: database.url, max: 2 });
  // the extension as the provider's admin creates it (avnadmin on OVH); the API's migrations then make the hypertable
  await adminPool.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  const apiPort = await freePort();
  const mqttPort = await freePort();
  const keys = mkdtempSync(join(tmpdir(), 'bench-ingest-keys-'));
  writeFileSync(join(keys, 'jwt.key.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const mqttPassword = randomBytes(24).toString('hex');

  // the emqx.conf the build renders for the sandbox (bench/ingest/run: Render), pointed at this machine's API and ports
  const config = join(keys, 'emqx.conf');
  writeFileSync(config, readFileSync(process.argv[3], 'utf8')
    .replaceAll('http://api:3000', `http://127.0.0.1:${apiPort}`)
    .replace('"0.0.0.0:1883"', `"127.0.0.1:${mqttPort}"`).replace('"0.0.0.0:8083"', `"127.0.0.1:${await freePort()}"`));

  await phase('API start (migrations)', async () => {
    spawnChild([join(api, 'dist', 'src', 'main.js')], {
      NODE_ENV: 'production', PORT: String(apiPort), DATABASE_URL: database.url, JWT_KEYS_DIR: keys, ADMIN_TOKEN: randomBytes(24).toString('hex'),
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`, MQTT_PASSWORD: mqttPassword,
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${apiPort}/health`)).ok, 'the API');
  });
  await phase('EMQX stand-in start', async () => {
    spawnChild([join(standins, 'emqx', 'main.mjs'), 'foreground'], { EMQX_CONF: config, EMQX_CTL_SOCKET: join(keys, 'ctl.sock') });
    await waitFor(async () => { execFileSync('node', [join(standins, 'emqx', 'main.mjs'), 'ctl', 'status'], { env: { ...process.env, EMQX_CTL_SOCKET: join(keys, 'ctl.sock') }, stdio: 'ignore' }); return true; }, 'the broker');
    await sleep(2500); // the API's client reconnects every 2 s and subscribes
  });
  const hypertable = (await adminPool.query("SELECT count(*)::int AS n FROM timescaledb_information.hypertables WHERE hypertable_name = 'positions'")).rows[0].n === 1;

  const devices = Array.from({ length: DEVICES }, (_, i) => ({ id: `bench-${i}`, secret: randomBytes(32).toString('base64url') }));
  await adminPool.query('INSERT INTO devices (id, secret_hash) SELECT * FROM unnest($1::text[], $2::bytea[])',
    [devices.map((d) => d.id), devices.map((d) => createHash('sha256').update(d.secret).digest())]);

  const clients = await phase(`${DEVICES} devices connect (HTTP authentication)`, () => Promise.all(devices.map((d) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: d.id, username: d.id, password: d.secret, reconnectPeriod: 0, protocolVersion: 4 }))));
  let disconnected = 0;
  for (const client of clients) client.on('close', () => { if (!stopping) disconnected++; });

  // open loop: every tick, each device due publishes one position (QoS 1), recorded_at = the moment it is sent
  let sent = 0;
  // recorded_at strictly increasing per device at the API's precision, the millisecond (the primary key is device
  // and time, and a repeat of the same instant is taken for a QoS 1 redelivery): a late tick that catches up sends
  // several positions of a device at once, a millisecond apart
  const last = new Map();
  const recordedAt = (id, nowMs) => {
    const ms = Math.max(nowMs, (last.get(id) ?? 0) + 1);
    last.set(id, ms);
    return new Date(ms).toISOString();
  };
  // each device's first position, spread over 5 s (100 devices coming online per second): EMQX asks the API to
  // authorize each device's topic once, then its cache answers for a minute (authorization.cache.ttl), so the
  // devices ask again a minute later at the same pace, during the measured minute
  await phase('each device publishes its first position, 100 devices/s (authorization, then cached)', async () => {
    for (const [index, device] of devices.entries()) {
      clients[index].publish(`devices/${device.id}/position`, JSON.stringify({ lat: 45, lon: 2, recorded_at: new Date(Date.now() - 60_000).toISOString() }), { qos: 1 });
      sent++;
      if (index % 50 === 49) await sleep(500);
    }
    await waitFor(async () => (await adminPool.query('SELECT count(*)::int AS n FROM positions')).rows[0].n >= DEVICES, 'the first positions');
  });
  // the rate is offered for WARMUP seconds first (JIT, pools, the first chunk), then measured for SECONDS
  let measuredFrom;
  await phase(`publish for ${WARMUP} + ${SECONDS} s at ${RATE}/s offered`, async () => {
    const started = performance.now();
    const before = sent;
    const tick = 10;
    while (performance.now() - started < (WARMUP + SECONDS) * 1000) {
      if (measuredFrom === undefined && performance.now() - started >= WARMUP * 1000) measuredFrom = new Date();
      const now = Date.now();
      // as many as the offered rate asks for by now: a late tick catches up
      for (let due = Math.floor((RATE * (performance.now() - started)) / 1000) - (sent - before); due > 0; due--) {
        const index = sent++ % DEVICES;
        const device = devices[index];
        const recorded = recordedAt(device.id, now);
        clients[index].publish(`devices/${device.id}/position`, JSON.stringify({ lat: 45 + (index % 90) / 10, lon: 2, recorded_at: recorded }), { qos: 1 });
      }
      await sleep(tick - ((performance.now() - started) % tick));
    }
  });
  const count = async () => (await adminPool.query('SELECT count(*)::int AS n FROM positions')).rows[0].n;
  await phase('drain (last rows written)', async () => {
    let last = -1;
    // until every position is written, or nothing more arrives for 15 s (longer than any latency seen)
    for (let stable = 0; stable < 75;) {
      const n = await count();
      stable = n === last ? stable + 1 : 0;
      last = n;
      if (n >= sent) break;
      await sleep(200);
    }
  });
  const metrics = (await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text()).split('\n').filter((line) => line.startsWith('accoreboot_positions'));
  const stats = (await adminPool.query(`
    SELECT count(*)::int AS rows,
           extract(epoch FROM max(received_at) - min(received_at)) AS span,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - recorded_at)) * 1000 AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - recorded_at)) * 1000 AS p99,
           max(extract(epoch FROM received_at - recorded_at)) * 1000 AS max
    FROM positions WHERE recorded_at >= $1`, [measuredFrom])).rows[0];
  const total = (await adminPool.query('SELECT count(*)::int AS n FROM positions')).rows[0].n;
  // each window of the measured time on its own: a rate and a p99 that hold through the minute, not on average
  const windows = (await adminPool.query(`
    SELECT width_bucket(extract(epoch FROM recorded_at - $1), 0, $2, $3) AS w, count(*)::int AS rows,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - recorded_at)) * 1000 AS p99
    FROM positions WHERE recorded_at >= $1 GROUP BY 1 ORDER BY 1`,
  [measuredFrom, SECONDS, WINDOWS])).rows.filter((row) => row.w >= 1 && row.w <= WINDOWS);
  if (process.env.BENCH_TRACE) {
    const seconds = await adminPool.query(`SELECT date_trunc('second', recorded_at) AS at, count(*)::int AS n,
      round((max(extract(epoch FROM received_at - recorded_at)) * 1000)::numeric, 1) AS max_ms FROM positions GROUP BY 1 ORDER BY 1`);
    for (const row of seconds.rows) console.log(`  ${row.at.toISOString().slice(11, 19)}  ${String(row.n).padStart(6)} rows  max ${row.max_ms} ms`);
  }
  // forced: a device cut off by the broker still holds unacknowledged positions, which count as lost above
  stopping = true;
  for (const client of clients) client.end(true);

  // the same rows, COPY'd into a table of the same shape: what the database alone does on this machine
  await adminPool.query('CREATE TABLE positions_copy (LIKE positions INCLUDING ALL)');
  if (hypertable) await adminPool.query("SELECT create_hypertable('positions_copy', by_range('recorded_at', INTERVAL '1 day'))");
  const csv = join(keys, 'positions.csv');
  const container = database.container;
  execFileSync('docker', ['exec', container, 'psql', '-qU', 'postgres', '-c', `\\copy (SELECT * FROM positions) TO '/tmp/positions.csv' CSV`]);
  const copySeconds = await phase('COPY of the same rows', async () => {
    const started = performance.now();
    execFileSync('docker', ['exec', container, 'psql', '-qU', 'postgres', '-c', `\\copy positions_copy FROM '/tmp/positions.csv' CSV`]);
    return (performance.now() - started) / 1000;
  });
  await adminPool.end();

  const rate = stats.rows / Number(stats.span || 1);
  const copyRate = total / copySeconds;
  const lost = sent - total;
  console.log(`machine           : ${(await import('node:os')).cpus().length} cores; positions is ${hypertable ? 'a TimescaleDB hypertable' : 'a PLAIN table'}`);
  console.log(`devices           : ${DEVICES}, offered ${RATE}/s for ${WARMUP} + ${SECONDS} s, sent ${sent}`);
  console.log(`written           : ${total} rows, lost ${lost} (must be 0), devices cut off ${disconnected}; measured: the ${stats.rows} sent after the ${WARMUP} s warm-up`);
  console.log(`sustained         : ${Math.round(rate)} positions/s  (budget >= 5000, ratio ${(rate / 5000).toFixed(2)})`);
  console.log(`latency p50/p99/max: ${Number(stats.p50).toFixed(1)} / ${Number(stats.p99).toFixed(1)} / ${Number(stats.max).toFixed(1)} ms  (p99 budget 250 ms, ratio ${(stats.p99 / 250).toFixed(3)})`);
  const spread = (values, digits) => {
    const v = [...values].sort((a, b) => a - b);
    return `${v[0].toFixed(digits)} / ${v[Math.floor((v.length - 1) / 2)].toFixed(digits)} / ${v.at(-1).toFixed(digits)}`;
  };
  const windowSeconds = SECONDS / WINDOWS;
  console.log(`${WINDOWS} windows of ${windowSeconds} s : rate ${spread(windows.map((row) => row.rows / windowSeconds), 0)} positions/s, p99 ${spread(windows.map((row) => Number(row.p99)), 1)} ms (min / median / max)`);
  console.log(`plain COPY        : ${Math.round(copyRate)} rows/s; ingestion / COPY = ${(rate / copyRate).toFixed(3)}`);
  console.log(`API counters      : ${metrics.join(', ')}`);
  console.log('breakdown:');
  for (const [name, seconds] of phases) console.log(`  ${seconds.toFixed(2).padStart(7)} s  ${name}`);
  const met = lost === 0 && disconnected === 0 && rate >= 5000 && stats.p99 <= 250;
  console.log(met ? 'budget met' : 'BUDGET MISSED');
  process.exitCode = met ? 0 : 1;
} finally {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  database.stop();
}
