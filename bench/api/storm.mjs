// Reconnect storms, ROUNDS of them (default 5), one after the other: in each, 10,000 distinct devices authenticate
// once each (every lookup misses the cache), as EMQX asks the API after a broker restart: through EMQX's own HTTP
// pool (the stand-in's connector, pool_size connections with enable_pipelining requests each, read from the
// rendered emqx.conf), offered at RATE per second.
// Budget on 2 cores, over the storms' medians: p99 <= 50 ms and >= 2,000 authentications/s, every device allowed.
// Prints min / median / max and where the median storm's time goes.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const api = process.argv[2];
// the API's own dependencies (autocannon is one of its dev dependencies)
const require = createRequire(join(api, 'package.json'));
const pg = require('pg');
const { startPostgres15, freePort, waitForPort } = await import(join(api, 'dist/test/support/services.js'));
const { loadConfig } = await import(join(api, '..', 'build', 'Sandbox', 'standins', 'emqx', 'config.mjs'));
const { AuthenticationChain } = await import(join(api, '..', 'build', 'Sandbox', 'standins', 'emqx', 'http-auth.mjs'));
const DEVICES = 10_000;
const WARM = 5_000;
const RATE = Number(process.env.RATE ?? 2500);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const postgres = await startPostgres15();
const keys = mkdtempSync(join(tmpdir(), 'bench-keys-'));
writeFileSync(join(keys, 'jwt.key.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
const port = await freePort();
const server = spawn('node', [join(api, 'dist/src/main.js')], {
  env: { ...process.env, NODE_ENV: 'production', PORT: String(port), DATABASE_URL: postgres.url, JWT_KEYS_DIR: keys, ADMIN_TOKEN: 'bench-admin-token', MQTT_URL: '' },
  stdio: 'ignore',
});
// CPU seconds of the API's process, and the machine's busy and total jiffies (proc(5))
const apiCpu = () => readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0) / 100;
const machine = () => {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const all = lines[0].split(/\s+/).slice(1).map(Number);
  return { idle: all[3] + all[4], total: all.reduce((a, b) => a + b, 0), cores: lines.filter((l) => /^cpu\d/.test(l)).length };
};
try {
  await waitForPort(port);
  const pool = new pg.Pool({ connectionString: postgres.url });
  const devices = Array.from({ length: DEVICES * ROUNDS }, (_, i) => ({ id: `storm-${i}`, secret: randomBytes(32).toString('base64url') }));
  const warm = Array.from({ length: WARM }, (_, i) => ({ id: `warm-${i}`, secret: randomBytes(32).toString('base64url') }));
  const all = [...devices, ...warm];
  for (let i = 0; i < all.length; i += 1000) {
    const slice = all.slice(i, i + 1000);
    await pool.query('INSERT INTO devices (id, secret_hash) SELECT * FROM unnest($1::text[], $2::bytea[])',
      [slice.map((d) => d.id), slice.map((d) => createHash('sha256').update(d.secret).digest())]);
  }
  await pool.end();

  // EMQX's authenticator as the build renders it for the sandbox (bench/api/run: Render), pointed at this API
  const template = readFileSync(process.argv[3], 'utf8').replaceAll('http://api:3000', `http://127.0.0.1:${port}`);
  const config = await loadConfig(template);
  const chain = new AuthenticationChain(config.authentication);
  const { pool_size: poolSize, enable_pipelining: pipelining } = config.authentication[0];

  // the API was running before the broker restarted: warm it (JIT, its database pool) with other devices signing in
  for (let i = 0; i < WARM; i += 100)
    await Promise.all(warm.slice(i, i + 100).map((d) => chain.authenticate({ username: d.id, password: d.secret, clientid: d.id })));

  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await storm(devices.slice(round * DEVICES, (round + 1) * DEVICES)));
  await chain.close();

  const stats = (values) => { const v = [...values].sort((a, b) => a - b); return { min: v[0], median: v[Math.floor((v.length - 1) / 2)], max: v.at(-1) }; };
  const show = (values, digits) => { const { min, median, max } = stats(values); return `${min.toFixed(digits)} / ${median.toFixed(digits)} / ${max.toFixed(digits)}`; };
  console.log(`EMQX's pool            : ${poolSize} connections x ${pipelining} pipelined (rendered emqx.conf); offered ${RATE}/s`);
  console.log(`storms                 : ${ROUNDS} of ${DEVICES} distinct devices each (min / median / max)`);
  for (const [i, r] of rounds.entries())
    console.log(`  storm ${i + 1}              : ${Math.round(r.throughput)} auths/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ${r.allowed} allowed`);
  const p99 = stats(rounds.map((r) => r.p99)).median;
  const throughput = stats(rounds.map((r) => r.throughput)).median;
  console.log(`throughput             : ${show(rounds.map((r) => r.throughput), 0)} auths/s  (budget >= 2000, median ratio ${(throughput / 2000).toFixed(2)})`);
  console.log(`latency p99            : ${show(rounds.map((r) => r.p99), 1)} ms  (budget 50 ms, median ratio ${(p99 / 50).toFixed(3)})`);
  console.log(`latency p50            : ${show(rounds.map((r) => r.p50), 1)} ms`);
  const median = [...rounds].sort((a, b) => a.p99 - b.p99)[Math.floor((ROUNDS - 1) / 2)];
  console.log('breakdown of the median storm (by p99):');
  console.log(`  wall time            : ${median.seconds.toFixed(2)} s for ${DEVICES} (offered over ${(DEVICES / RATE).toFixed(2)} s)`);
  console.log(`  the API's CPU        : ${median.apiCpu.toFixed(2)} s (${(median.apiCpu / median.seconds * 100).toFixed(0)} % of a core)`);
  console.log(`  the broker's side    : ${median.ownCpu.toFixed(2)} s of CPU (the stand-in's connector and this load generator, one process)`);
  console.log(`  the machine          : ${(median.busy * 100).toFixed(0)} % busy over its ${median.cores} cores (the API, PostgreSQL, the broker's side)`);
  console.log(`  EMQX's pool          : at most ${median.maxRunning} requests in flight and ${median.maxQueued} queued in it`);
  console.log(`  slowest 1 %          : ${median.lateStart.toFixed(1)} ms of their latency, on median, passed before they were handed to the pool (this process busy)`);
  const met = rounds.every((r) => r.allowed === DEVICES) && throughput >= 2000 && p99 <= 50;
  console.log(met ? 'budget met' : 'BUDGET MISSED');
  process.exitCode = met ? 0 : 1;

  async function storm(devices) {
    const latencies = [];
    const handedOver = [];
    let allowed = 0;
    const pool = chain.connectors[0].pool;
    let maxQueued = 0;
    let maxRunning = 0;
    const sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, pool.stats.queued);
      maxRunning = Math.max(maxRunning, pool.stats.running);
    }, 5);
    const [apiBefore, ownBefore, machineBefore] = [apiCpu(), process.cpuUsage(), machine()];
    const started = performance.now();
    const pending = [];
    for (let i = 0; i < devices.length; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const device = devices[i];
      // a request may leave up to 1 ms before its due time (the loop sleeps only longer waits): not late then
      const late = Math.max(0, performance.now() - due);
      pending.push(chain.authenticate({ username: device.id, password: device.secret, clientid: device.id }).then((decision) => {
        const latency = performance.now() - due;
        latencies.push(latency);
        handedOver.push([latency, late]);
        if (decision.result === 'allow') allowed++;
      }));
    }
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const own = process.cpuUsage(ownBefore);
    const machineAfter = machine();
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    const slowest = handedOver.sort((a, b) => b[0] - a[0]).slice(0, Math.max(1, Math.floor(devices.length / 100))).map(([, late]) => late).sort((a, b) => a - b);
    return {
      throughput: devices.length / seconds, seconds, allowed, p50: at(0.5), p99: at(0.99), max: latencies.at(-1),
      apiCpu: apiCpu() - apiBefore, ownCpu: (own.user + own.system) / 1e6, maxQueued, maxRunning,
      busy: 1 - (machineAfter.idle - machineBefore.idle) / (machineAfter.total - machineBefore.total), cores: machineAfter.cores,
      lateStart: slowest[Math.floor(slowest.length / 2)],
    };
  }
} finally {
  server.kill('SIGTERM');
  postgres.stop();
}
