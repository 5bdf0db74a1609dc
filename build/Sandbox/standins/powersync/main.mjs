// The PowerSync service stand-in of --env sandbox: `start` reads POWERSYNC_CONFIG_PATH (the rendered
// powersync.yaml), refuses a config the pinned version would not run as written, checks the source and storage
// databases as the service does, and serves the probes and /sync/stream to clients with valid tokens.
import { createServer } from 'node:http';
import { AuthError, ClientAuth } from './client-auth.mjs';
import { SCHEMA_VERSION, loadConfig } from './config.mjs';
import { SourceError, advanceSlot, checkSource, checkStorage, connectionOptions, readTable, sourceTables } from './source-checks.mjs';
import { bucketsOf, hydrate, syncLines } from './sync-stream.mjs';

const SLOT = 'powersync_1_standin';
const log = (message) => console.log(`${new Date().toISOString()} [powersync-standin] ${message}`);

export async function startService({ configPath, environment, retryMs = 5000 }) {
  const { config, rules } = loadConfig(configPath, environment);
  const hydrated = hydrate(rules);
  const tables = sourceTables(rules);
  const source = connectionOptions(config.replication.connections[0], 'replication.connections[0]');
  const storage = connectionOptions(config.storage, 'storage');
  const auth = new ClientAuth(config.client_auth);
  const state = { ready: false, started: false, problem: 'starting', keys: false };

  const check = async () => {
    try {
      await checkSource(source, { slot: SLOT, tables });
      await checkStorage(storage);
      await advanceSlot(source, SLOT);
      if (!state.ready) log(`replicating ${tables.map((t) => `${t.schema}.${t.name}`).join(', ')} (slot ${SLOT}); storage ready`);
      Object.assign(state, { ready: true, started: true, problem: null });
    } catch (error) {
      const problem = error instanceof SourceError ? error.message : `unexpected: ${error.message}`;
      if (problem !== state.problem) log(`not ready: ${problem}`);
      Object.assign(state, { ready: false, problem });
    }
    state.keys = await auth.reachable();
  };
  // one check at a time, each bounded: a slot creation waits for running transactions, and the probes must
  // keep answering (503 with the reason) meanwhile
  let checking = null;
  const bounded = () => {
    let timeout;
    checking ??= Promise.race([check(), new Promise((resolve) => {
      timeout = setTimeout(() => {
        Object.assign(state, { ready: false, problem: 'the source check has not finished after 20 s (a long transaction holds the slot creation?)' });
        resolve();
      }, 20_000);
    })]).finally(() => { clearTimeout(timeout); checking = null; });
    return checking;
  };

  const server = createServer((request, response) => void handle(request, response).catch((error) => {
    log(`error on ${request.url}: ${error.message}`);
    if (!response.headersSent) send(response, 500, { error: { code: 'PSYNC_S2001', status: 500, description: error.message } });
    else response.end();
  }));

  async function handle(request, response) {
    const path = request.url.split('?')[0];
    if (path === '/probes/startup' || path === '/probes/liveness' || path === '/probes/readiness') {
      const live = state.ready && state.keys;
      return send(response, live ? 200 : 503, { ready: live, problem: state.problem ?? (state.keys ? undefined : `no key at ${config.client_auth.jwks_uri}`), version: SCHEMA_VERSION });
    }
    if (path === '/sync/stream' && request.method === 'POST') return stream(request, response);
    return send(response, 404, { error: { code: 'PSYNC_S2002', status: 404, description: `${request.method} ${path} is not a route of the stand-in` } });
  }

  async function stream(request, response) {
    let payload;
    try {
      payload = await auth.verify(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      return send(response, 401, { error: { code: error.code, status: 401, description: error.message } });
    }
    const body = JSON.parse((await readBody(request)) || '{}');
    // like the service, it serves once replication has started, and says in its log when the source goes wrong after
    if (!state.started) return send(response, 503, { error: { code: 'PSYNC_S2304', status: 503, description: `Service not ready: ${state.problem}` } });
    const buckets = bucketsOf(hydrated, payload, body.parameters ?? {});
    const rows = await Promise.all(tables.map(async (table) => ({ table, records: await readTable(source, table) })));
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const line of syncLines(hydrated, buckets, rows)) response.write(JSON.stringify(line) + '\n');
    // the service keeps the stream open, telling the client when its token runs out
    const keepAlive = () => response.write(JSON.stringify({ token_expires_in: Math.max(0, payload.exp - Math.floor(Date.now() / 1000)) }) + '\n');
    keepAlive();
    const interval = setInterval(keepAlive, 20_000);
    const close = setTimeout(() => response.end(), Math.max(0, payload.exp * 1000 - Date.now()));
    // the response's close (the client went, or the stream ended): the request's own close comes once its body is read
    response.on('close', () => { clearInterval(interval); clearTimeout(close); });
  }

  await new Promise((resolve) => server.listen(config.port ?? 8080, environment.POWERSYNC_BIND ?? '0.0.0.0', resolve));
  log(`PowerSync stand-in (schema ${SCHEMA_VERSION}) on port ${server.address().port}`);
  await bounded();
  const timer = setInterval(bounded, retryMs);
  return {
    port: server.address().port,
    state,
    close: async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk) => { text += chunk; });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'check') {
  // `main.mjs check FILE`: the config checks alone, with every !env variable standing for itself (no database)
  const names = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? `env:${name}` : undefined) });
  try {
    const { config } = loadConfig(process.argv[3], names);
    console.log(JSON.stringify(config));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
} else if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const service = await startService({ configPath: process.env.POWERSYNC_CONFIG_PATH ?? '/config/powersync.yaml', environment: process.env });
    const stop = async () => { await service.close(); process.exit(0); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (error) {
    console.error(`PowerSync stand-in refused to start: ${error.message}`);
    process.exit(1);
  }
}
