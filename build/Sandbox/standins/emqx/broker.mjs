// The EMQX 5.8.9 stand-in of --env sandbox: an MQTT broker (aedes) configured only by the rendered emqx.conf, which
// it enforces as EMQX does: listeners, the HTTP authentication chain, HTTP authorization with its cache, no_match
// and deny_action, flapping detection, shared subscriptions, and `emqx ctl status`.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { ServerCertificate } from './server-certificate.mjs';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { AuthenticationChain, AuthorizationCache, AuthorizationSources } from './http-auth.mjs';
import { FlappingDetector } from './flapping.mjs';
import { SharedSubscriptions } from './shared-subscriptions.mjs';

const VERSION = '5.8.9';
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

// MQTT 3.1.1 CONNACK codes (EMQX maps bad_username_or_password → 4, not_authorized and banned → 5)
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

// the stand-in's own topic for publishes dropped by deny_action = ignore: no client may subscribe to it
const DROPPED = '$standin/dropped';

export class Broker {
  constructor(config, { log = console.error } = {}) {
    this.config = config;
    const threshold = LEVELS.indexOf(config.log.level);
    this.log = (level, message) => { if (LEVELS.indexOf(level) >= threshold) log(`[${level}] ${message}`); };
    this.authentication = new AuthenticationChain(config.authentication);
    this.authorization = new AuthorizationSources(config.authorization.sources, config.authorization.no_match);
    this.flapping = new FlappingDetector(config.flapping_detect);
    this.servers = [];
    this.ports = {};
  }

  async start() {
    this.aedes = await Aedes.createBroker({ id: this.config.node.name });
    this.shared = new SharedSubscriptions(this.aedes);
    this.aedes.authenticate = (client, username, password, done) => void this.authenticate(client, username, password).then(
      (error) => done(error, !error), (error) => { this.log('error', `authentication of ${client.id} failed: ${error.message}`); done(refusal(NOT_AUTHORIZED, 'error'), false); });
    this.aedes.authorizePublish = (client, packet, done) => void this.authorizePublish(client, packet).then(() => done(null), done);
    this.aedes.authorizeSubscribe = (client, subscription, done) => void this.authorizeSubscribe(client, subscription).then(
      (allowed) => done(null, allowed ? subscription : null), done);
    this.aedes.on('clientDisconnect', (client) => this.flapping.record(client.id));
    this.aedes.on('clientError', (client, error) => this.log('info', `client ${client?.id}: ${error.message}`));
    for (const listener of this.config.listeners.tcp) await this.listen(`tcp:${listener.name}`, listener, createNetServer((socket) => this.aedes.handle(socket)));
    for (const listener of this.config.listeners.ws) await this.listen(`ws:${listener.name}`, listener, this.websocketServer(listener));
    for (const listener of this.config.listeners.ssl) {
      const certificate = new ServerCertificate(listener.ssl_options, `listeners.ssl.${listener.name}.ssl_options`);
      await this.listen(`ssl:${listener.name}`, listener, certificate.server((socket) => this.aedes.handle(socket)));
    }
    if (this.config.dashboard.bind) await this.listen('dashboard', { bind: this.config.dashboard.bind, max_connections: Infinity }, createHttpServer((request, response) => {
      // the dashboard's status page only: enough for a port that answers, nothing more is promised
      response.writeHead(request.url === '/status' ? 200 : 404, { 'content-type': 'text/plain' });
      response.end(request.url === '/status' ? this.statusLine() : 'not implemented by the EMQX stand-in\n');
    }));
    this.log('notice', `EMQX stand-in ${VERSION} started: ${Object.entries(this.ports).map(([name, port]) => `${name} ${port}`).join(', ')}`);
  }

  statusLine() {
    return `Node '${this.config.node.name}' ${VERSION} is started\n`;
  }

  websocketServer(listener) {
    const server = createHttpServer((_, response) => { response.writeHead(404); response.end(); });
    // EMQX serves MQTT only at websocket.mqtt_path, and only with an MQTT subprotocol (fail_if_no_subprotocol = true)
    const websockets = new WebSocketServer({
      server, path: listener.mqtt_path,
      handleProtocols: (protocols) => [...protocols].find((p) => ['mqtt', 'mqttv3.1', 'mqtt-v3', 'mqtt-v3.1.1', 'mqtt-v5'].includes(p)) ?? false,
      verifyClient: ({ req }) => /(^|,)\s*(mqtt|mqttv3\.1|mqtt-v3|mqtt-v3\.1\.1|mqtt-v5)\s*(,|$)/.test(req.headers['sec-websocket-protocol'] ?? ''),
    });
    websockets.on('connection', (socket, request) => {
      const stream = createWebSocketStream(socket);
      stream.remoteAddress = request.socket.remoteAddress;
      stream.on('error', () => stream.destroy());
      this.aedes.handle(stream);
    });
    return server;
  }

  async listen(name, listener, server) {
    if (Number.isFinite(listener.max_connections)) server.maxConnections = listener.max_connections;
    await new Promise((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`listener ${name} cannot bind ${listener.bind.host}:${listener.bind.port}: ${error.message}`)));
      server.listen(listener.bind.port, listener.bind.host, resolve);
    });
    this.servers.push(server);
    this.ports[name] = server.address().port;
  }

  variables(client, extra = {}) {
    const address = client.conn?.remoteAddress ?? '';
    return { username: client.standin?.username, clientid: client.id, peerhost: address.replace(/^::ffff:/, ''), zone: 'default', ...extra };
  }

  async authenticate(client, username, password) {
    if (this.flapping.banned(client.id)) {
      this.log('warning', `client ${client.id} is banned (flapping)`);
      return refusal(NOT_AUTHORIZED, 'banned');
    }
    client.standin = { username, superuser: false, cache: new AuthorizationCache(this.config.authorization.cache) };
    const decision = await this.authentication.authenticate(this.variables(client, { password: password?.toString('utf8') }));
    if (decision.result === 'allow') {
      client.standin.superuser = decision.superuser;
      return null;
    }
    this.flapping.record(client.id);
    this.log('info', `client ${client.id} (username ${JSON.stringify(username ?? null)}) refused: ${decision.result}${decision.reason ? ` (${decision.reason})` : ''}`);
    return refusal(decision.result === 'deny' ? BAD_USERNAME_OR_PASSWORD : NOT_AUTHORIZED, decision.result);
  }

  async allowed(client, action, topic, qos, retain) {
    if (client.standin.superuser) return true; // a superuser skips authorization
    const key = `${action}\n${topic}`;
    let decision = client.standin.cache.get(key);
    if (decision === undefined) {
      // EMQX handles a client's packets one after another in its channel process, so a client has at most one
      // authorization request in flight; aedes hands over the next publish before the first is authorized, so the
      // publishes of one client that wait for the same answer share it (else one request per message, not per client)
      const pending = client.standin.pending ??= new Map();
      let asking = pending.get(key);
      if (!asking) {
        asking = this.authorization.authorize(this.variables(client, { topic, action, qos, retain }))
          .then((answer) => { client.standin.cache.put(key, answer); return answer; })
          .finally(() => pending.delete(key));
        pending.set(key, asking);
      }
      decision = await asking;
    }
    return decision === 'allow';
  }

  async authorizePublish(client, packet) {
    if (!client) return; // a will published for a client already gone
    if (packet.topic.startsWith('$SYS/')) throw new Error('$SYS topics are reserved');
    if (await this.allowed(client, 'publish', packet.topic, packet.qos, packet.retain)) return;
    this.log('info', `publish of ${client.id} to ${packet.topic} denied (${this.config.authorization.deny_action})`);
    if (this.config.authorization.deny_action === 'disconnect') throw new Error(`not authorized to publish to ${packet.topic}`);
    packet.topic = DROPPED;
    packet.retain = false;
  }

  async authorizeSubscribe(client, subscription) {
    if (subscription.topic.startsWith('$standin/')) return false;
    // EMQX asks about a shared subscription's real filter: $share/g/t/# is authorized as t/#
    // (emqx_channel:do_check_sub_authzs2 → emqx_topic:get_shared_real_topic)
    const filter = subscription.topic.replace(/^\$share\/[^/]+\//, '');
    const allowed = await this.allowed(client, 'subscribe', filter, subscription.qos, false);
    if (!allowed) this.log('info', `subscription of ${client.id} to ${subscription.topic} denied`);
    return allowed;
  }

  async close() {
    for (const server of this.servers) {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
    if (this.aedes) await new Promise((resolve) => this.aedes.close(resolve));
    await Promise.all([this.authentication.close(), this.authorization.close()]);
  }
}

function refusal(returnCode, reason) {
  const error = new Error(reason);
  error.returnCode = returnCode;
  return error;
}
