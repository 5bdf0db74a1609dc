// The EMQX stand-in against a scripted HTTP auth server: what EMQX 5.8.9 does with each answer and setting.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Broker } from '../emqx/broker.mjs';
import { loadConfig } from '../emqx/config.mjs';
import { FlappingDetector } from '../emqx/flapping.mjs';
import { AuthenticationChain } from '../emqx/http-auth.mjs';

/** An auth server whose answers the tests script; it records every request. */
async function authServer() {
  const server = { requests: [], authn: () => ({ status: 200, body: { result: 'allow' } }), acl: () => ({ status: 200, body: { result: 'allow' } }) };
  server.http = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => { text += chunk; });
    request.on('end', () => {
      const body = text ? JSON.parse(text) : {};
      server.requests.push({ path: request.url, body, headers: request.headers });
      const answer = (request.url.startsWith('/auth/mqtt/acl') ? server.acl : server.authn)(body);
      if (answer.hang) return;
      if (answer.after) return void answer.after.then(() => {
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
      response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
      response.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise((resolve) => server.http.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${server.http.address().port}`;
  return server;
}

const conf = (auth, extra = '') => `
listeners.tcp.default { bind = "127.0.0.1:0" }
listeners.ws.default { bind = "127.0.0.1:0", websocket.mqtt_path = "/mqtt" }
dashboard.listeners.http.bind = 0
authentication = [{
  mechanism = password_based, backend = http, method = post, url = "${auth}/auth/mqtt"
  body { username = "\${username}", password = "\${password}", clientid = "\${clientid}" }
  headers { "content-type" = "application/json" }
  request_timeout = 1s, pool_size = 2, enable_pipelining = 10
}]
authorization {
  no_match = deny, deny_action = disconnect
  cache { enable = true, max_size = 32, ttl = 1m }
  sources = [{ type = http, method = post, url = "${auth}/auth/mqtt/acl", request_timeout = 1s,
    body { username = "\${username}", topic = "\${topic}", action = "\${action}" } }]
}
${extra}`;

async function startBroker(text) {
  const broker = new Broker(await loadConfig(text), { log: () => {} });
  await broker.start();
  return broker;
}

/** CONNACK's return code (0 = accepted) and the connected client, if any. */
function connect(broker, options = {}, transport = 'tcp') {
  const url = transport === 'tcp' ? `mqtt://127.0.0.1:${broker.ports['tcp:default']}` : `ws://127.0.0.1:${broker.ports['ws:default']}${options.path ?? '/mqtt'}`;
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...options });
    client.once('connect', () => resolve({ code: 0, client }));
    client.once('error', (error) => { client.end(true); resolve({ code: error.code ?? error.message, client: null }); });
    client.once('close', () => resolve({ code: 'closed', client: null }));
  });
}

describe('EMQX stand-in', () => {
  let auth;
  let broker;
  before(async () => {
    auth = await authServer();
    broker = await startBroker(conf(auth.url));
  });
  after(async () => {
    await broker.close();
    auth.http.close();
  });

  test('a key it does not implement refuses the config, naming the key', async () => {
    await assert.rejects(loadConfig(conf(auth.url, 'mqtt.max_packet_size = 1MB')), /emqx\.conf: mqtt: this key is not implemented/);
    await assert.rejects(loadConfig(conf(auth.url, 'authorization.cache.enable_x = true')), /authorization\.cache\.enable_x: this key is not implemented/);
    await assert.rejects(loadConfig(conf(auth.url), { EMQX_LISTENERS__WSS__DEFAULT__BIND: '8084' }), /listeners\.wss: this key is not implemented/);
    await assert.rejects(loadConfig(conf(auth.url, 'listeners.ssl.default.ssl_options.verify = verify_peer')), /listeners\.ssl\.default\.ssl_options\.verify: this key is not implemented/);
    await assert.rejects(loadConfig(conf(auth.url, 'authorization.no_match = maybe')), /authorization\.no_match: expected one of allow, deny/);
    await assert.rejects(loadConfig('authentication = [{ mechanism = scram, backend = http }]'), /authentication\[1\]\.mechanism: expected one of password_based/);
    await assert.rejects(loadConfig('listeners.tcp.default { bind = "1883" '), /not valid HOCON/);
  });

  test('an unknown placeholder is refused as EMQX refuses it', async () => {
    const config = await loadConfig(conf(auth.url).replace('${clientid}', '${client_id}'));
    assert.throws(() => new Broker(config), /placeholder \$\{client_id\} is not one EMQX knows/);
  });

  test('the body carries the rendered placeholders and the right password connects', async () => {
    auth.authn = (body) => ({ status: 200, body: { result: body.password === 'right' ? 'allow' : 'deny' } });
    const { code, client } = await connect(broker, { username: 'dev-1', password: 'right', clientId: 'dev-1' });
    assert.equal(code, 0);
    assert.deepEqual(auth.requests.at(-1).body, { username: 'dev-1', password: 'right', clientid: 'dev-1' });
    client.end(true);
  });

  test('deny is CONNACK 4, the end of the chain (ignore, 500, no answer) is CONNACK 5', async () => {
    auth.authn = () => ({ status: 200, body: { result: 'deny' } });
    assert.equal((await connect(broker, { username: 'dev-1', password: 'wrong', clientId: 'dev-1' })).code, 4);
    auth.authn = () => ({ status: 200, body: { result: 'ignore' } });
    assert.equal((await connect(broker, { username: 'dev-1', password: 'x', clientId: 'dev-1' })).code, 5);
    auth.authn = () => ({ status: 500, body: { result: 'allow' } });
    assert.equal((await connect(broker, { username: 'dev-1', password: 'x', clientId: 'dev-1' })).code, 5);
    auth.authn = () => ({ status: 200, body: 'not json' });
    assert.equal((await connect(broker, { username: 'dev-1', password: 'x', clientId: 'dev-1' })).code, 5);
    auth.authn = () => ({ hang: true });
    assert.equal((await connect(broker, { username: 'dev-1', password: 'x', clientId: 'dev-1' })).code, 5);
    auth.authn = () => ({ status: 200, body: { result: 'allow', expire_at: 1 } });
    assert.equal((await connect(broker, { username: 'dev-1', password: 'x', clientId: 'dev-1' })).code, 5);
  });

  test('an anonymous client is sent to the API with an empty username, and refused when the API says deny', async () => {
    auth.authn = (body) => ({ status: 200, body: { result: body.username ? 'allow' : 'deny' } });
    assert.equal((await connect(broker, { clientId: 'anon' })).code, 4);
    assert.equal(auth.requests.at(-1).body.username, '');
  });

  test('204 allows; a denied publish disconnects (deny_action = disconnect); a decision is cached', async () => {
    auth.authn = () => ({ status: 204 });
    auth.acl = (body) => ({ status: 200, body: { result: body.topic.startsWith('devices/dev-2/') ? 'allow' : 'deny' } });
    const { code, client } = await connect(broker, { username: 'dev-2', password: 'x', clientId: 'dev-2' });
    assert.equal(code, 0);
    const before = auth.requests.length;
    await client.publishAsync('devices/dev-2/position', '{}', { qos: 1 });
    await client.publishAsync('devices/dev-2/position', '{}', { qos: 1 });
    assert.equal(auth.requests.filter((r, i) => i >= before && r.path === '/auth/mqtt/acl').length, 1, 'the second publish is decided by the cache');
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.publish('devices/dev-3/position', '{}', { qos: 0 });
    await closed;
    client.end(true);
  });

  test('publishes sent before the first is authorized share one request, as in EMQX (one channel process per client)', async () => {
    auth.authn = () => ({ status: 204 });
    let answer;
    const answered = new Promise((resolve) => { answer = resolve; });
    // the API answers the first authorization only once ten publishes are waiting for it
    auth.acl = () => ({ status: 200, body: { result: 'allow' }, after: answered });
    const { code, client } = await connect(broker, { username: 'dev-4', password: 'x', clientId: 'dev-4' });
    assert.equal(code, 0);
    const before = auth.requests.length;
    const publishes = Array.from({ length: 10 }, (_, i) => client.publishAsync('devices/dev-4/position', `{"n":${i}}`, { qos: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    answer();
    await Promise.all(publishes);
    assert.equal(auth.requests.filter((r, i) => i >= before && r.path === '/auth/mqtt/acl').length, 1, 'one authorization request for ten publishes');
    client.end(true);
  });

  test('a denied subscription gets 128 in the SUBACK; no_match = deny applies when the source says nothing', async () => {
    auth.authn = () => ({ status: 204 });
    auth.acl = (body) => (body.topic === 'a/ok' ? { status: 200, body: { result: 'allow' } } : { status: 200, contentType: 'text/plain', body: 'allow' });
    const { client } = await connect(broker, { username: 'u', password: 'x', clientId: 'u' });
    // MQTT.js rejects a SUBACK holding 128 and hands over the packet
    const suback = await client.subscribeAsync(['a/ok', 'a/other']).then(() => null, (error) => error.packet);
    assert.deepEqual(suback?.granted, [0, 128]);
    client.end(true);
  });

  test('a superuser skips authorization', async () => {
    auth.authn = () => ({ status: 200, body: { result: 'allow', is_superuser: true } });
    auth.acl = () => ({ status: 200, body: { result: 'deny' } });
    const { client } = await connect(broker, { username: 'admin', password: 'x', clientId: 'admin' });
    const before = auth.requests.length;
    await client.publishAsync('anything/at/all', 'x', { qos: 1 });
    assert.equal(auth.requests.length, before);
    client.end(true);
  });

  test('a shared subscription gives each message to one member, in turn', async () => {
    auth.authn = () => ({ status: 204 });
    auth.acl = () => ({ status: 204 });
    const members = await Promise.all([1, 2].map(async (n) => (await connect(broker, { username: `m${n}`, password: 'x', clientId: `m${n}` })).client));
    const before = auth.requests.length;
    const received = [[], []];
    members.forEach((member, index) => member.on('message', (topic) => received[index].push(topic)));
    for (const member of members) await member.subscribeAsync('$share/g/devices/+/position', { qos: 1 });
    // authorization is asked about the real filter, as EMQX does
    assert.deepEqual(auth.requests.slice(before).filter((r) => r.path === '/auth/mqtt/acl').map((r) => r.body.topic), ['devices/+/position', 'devices/+/position']);
    const { client: publisher } = await connect(broker, { username: 'p', password: 'x', clientId: 'p' });
    for (let i = 0; i < 10; i++) await publisher.publishAsync(`devices/d${i}/position`, '{}', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(received[0].length + received[1].length, 10);
    assert.equal(received[0].length, 5);
    for (const client of [...members, publisher]) client.end(true);
  });

  test('MQTT over websocket answers at websocket.mqtt_path only', async () => {
    auth.authn = () => ({ status: 204 });
    const ok = await connect(broker, { username: 'w', password: 'x', clientId: 'w' }, 'ws');
    assert.equal(ok.code, 0);
    ok.client.end(true);
    const wrong = await connect(broker, { username: 'w', password: 'x', clientId: 'w2', path: '/other' }, 'ws');
    assert.notEqual(wrong.code, 0);
  });

  test('emqx ctl status names the node and version', () => {
    assert.equal(broker.statusLine(), "Node 'emqx@127.0.0.1' 5.8.9 is started\n");
  });
});

/** A self-signed certificate for mqtt.test and its key, as files in <directory>/<name>.{crt,key}. */
function certificate(directory, name) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=DNS:mqtt.test', '-keyout', join(directory, `${name}.key`), '-out', join(directory, `${name}.crt`)], { stdio: 'ignore' });
  return { cert: join(directory, `${name}.crt`), key: join(directory, `${name}.key`), pem: readFileSync(join(directory, `${name}.crt`), 'utf8') };
}

describe('EMQX stand-in ssl listener', () => {
  let auth;
  before(async () => { auth = await authServer(); auth.authn = () => ({ status: 204 }); });
  after(() => auth.http.close());
  const ssl = (files) => `listeners.ssl.default { bind = "127.0.0.1:0", ssl_options { certfile = "${files.cert}", keyfile = "${files.key}" } }`;

  test('a certificate file that is not there refuses the start, as EMQX does (pem_check => enoent)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'emqx-ssl-'));
    const config = await loadConfig(conf(auth.url, ssl({ cert: join(directory, 'none.crt'), key: join(directory, 'none.key') })));
    const broker = new Broker(config, { log: () => {} });
    await assert.rejects(broker.start(), /listeners\.ssl\.default\.ssl_options\.certfile: #\{pem_check => enoent/);
    await broker.close();
    await assert.rejects(loadConfig(conf(auth.url, 'listeners.ssl.default { bind = "127.0.0.1:0" }')), /ssl_options\.certfile: pem_file_path_or_string_is_required/);
  });

  test('MQTT over TLS serves the certificate of its files, and a renewed one to the connections after it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'emqx-ssl-'));
    const files = certificate(directory, 'first');
    const broker = await startBroker(conf(auth.url, ssl(files)));
    try {
      const connectTls = (ca) => new Promise((resolve) => {
        const client = mqtt.connect(`mqtts://127.0.0.1:${broker.ports['ssl:default']}`, {
          reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, clientId: 'tls-1', username: 'tls-1', password: 'x', ca, servername: 'mqtt.test',
        });
        client.once('connect', () => { client.end(true); resolve('connected'); });
        client.once('error', (error) => { client.end(true); resolve(error.code ?? error.message); });
      });
      assert.equal(await connectTls(files.pem), 'connected');
      const untrusted = certificate(directory, 'other');
      assert.notEqual(await connectTls(untrusted.pem), 'connected'); // the client checks the chain: the listener really serves its file
      // a renewal: new files moved over the old (as the stack's certs service does)
      const renewed = certificate(directory, 'renewed');
      renameSync(renewed.key, files.key);
      renameSync(renewed.cert, files.cert);
      assert.equal(await connectTls(renewed.pem), 'connected');
      assert.notEqual(await connectTls(files.pem), 'connected');
    } finally {
      await broker.close();
    }
  });
});

describe('EMQX stand-in HTTP pool', () => {
  // How many of `count` simultaneous sign-ins reach the API before it answers any, over one connection
  // (pool_size = 1) that may carry `pipelining` requests at a time.
  async function inFlightBeforeAnyAnswer(pipelining, count) {
    const auth = await authServer();
    let release;
    const released = new Promise((resolve) => { release = resolve; });
    auth.authn = () => {
      if (auth.requests.length === count) release();
      return { status: 200, body: { result: 'allow' }, after: released };
    };
    const config = await loadConfig(`authentication = [{
      mechanism = password_based, backend = http, method = post, url = "${auth.url}/auth/mqtt"
      body { username = "\${username}", password = "\${password}" }
      request_timeout = 5s, pool_size = 1, enable_pipelining = ${pipelining}
    }]`);
    const chain = new AuthenticationChain(config.authentication);
    try {
      const signIns = Array.from({ length: count }, (_, i) => chain.authenticate({ username: `d${i}`, password: 'p', clientid: `d${i}` }));
      // the answers are held until every request has arrived, or for 0.5 s when they cannot all arrive
      const timer = setTimeout(release, 500);
      await released;
      const seen = auth.requests.length;
      clearTimeout(timer);
      assert.deepEqual((await Promise.all(signIns)).map((d) => d.result), Array(count).fill('allow'));
      return seen;
    } finally {
      await chain.close();
      auth.http.close();
    }
  }

  test('enable_pipelining sends that many POSTs on one connection before the first answer, as ehttpc does', async () => {
    assert.equal(await inFlightBeforeAnyAnswer(3, 3), 3);
  });

  test('enable_pipelining = 1 waits for each answer before the next request', async () => {
    assert.equal(await inFlightBeforeAnyAnswer(1, 3), 1);
  });
});

describe('EMQX stand-in flapping detection', () => {
  test('a client id refused more than max_count times in the window is banned for ban_time', () => {
    let now = 0;
    const detector = new FlappingDetector({ enable: true, max_count: 3, window_time: 60_000, ban_time: 300_000 }, () => now);
    for (let i = 0; i < 3; i++) detector.record('dev');
    assert.equal(detector.banned('dev'), false);
    detector.record('dev');
    assert.equal(detector.banned('dev'), true);
    now += 300_000;
    assert.equal(detector.banned('dev'), false);
  });

  test('events older than the window do not count', () => {
    let now = 0;
    const detector = new FlappingDetector({ enable: true, max_count: 1, window_time: 1000, ban_time: 5000 }, () => now);
    detector.record('dev');
    now = 1500;
    detector.record('dev');
    assert.equal(detector.banned('dev'), false);
  });

  test('the broker refuses a banned client with CONNACK 5', async () => {
    const auth = await authServer();
    auth.authn = () => ({ status: 200, body: { result: 'deny' } });
    const broker = await startBroker(conf(auth.url, 'flapping_detect { enable = true, max_count = 2, window_time = 1m, ban_time = 5m }'));
    try {
      for (let i = 0; i < 3; i++) assert.equal((await connect(broker, { username: 'g', password: `guess${i}`, clientId: 'g' })).code, 4);
      const requests = auth.requests.length;
      assert.equal((await connect(broker, { username: 'g', password: 'right', clientId: 'g' })).code, 5);
      assert.equal(auth.requests.length, requests, 'a banned client is refused before the API is asked');
    } finally {
      await broker.close();
      auth.http.close();
    }
  });
});
