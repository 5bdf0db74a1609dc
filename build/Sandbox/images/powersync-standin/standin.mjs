// Stands in for the PowerSync service: the same port, probes and config path. Live once the JWKS named in the
// mounted config answers with at least one key, so a deploy only passes when the API is reachable from here.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const config = readFileSync(process.env.POWERSYNC_CONFIG_PATH ?? '/config/powersync.yaml', 'utf8');
const jwksUri = /jwks_uri:\s*(\S+)/.exec(config)?.[1];
let keys = 0;

async function refresh() {
  try {
    const response = await fetch(jwksUri);
    keys = response.ok ? ((await response.json()).keys ?? []).length : 0;
  } catch {
    keys = 0;
  }
}
await refresh();
setInterval(refresh, 2000);

createServer((request, response) => {
  const live = keys > 0;
  const status = request.url.startsWith('/probes/') && !live ? 503 : 200;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ standin: 'powersync', jwks_uri: jwksUri, jwks_keys: keys }));
}).listen(8080, '0.0.0.0');
