// Reads emqx.conf as EMQX 5.8.9 does (HOCON, then EMQX_* environment overrides) and checks every key against what
// this stand-in implements. A key it does not implement is refused by name: a stand-in that ignores configuration
// would accept what the real broker does something else with.
// Defaults are EMQX 5.8.9's (apps/emqx/src/emqx_schema.erl, apps/emqx_auth/src/emqx_authz/emqx_authz_schema.erl,
// apps/emqx_bridge_http/src/emqx_bridge_http_connector.erl).
import hocon from '@pushcorn/hocon-parser';

export class ConfigError extends Error {}

const fail = (path, message) => { throw new ConfigError(`emqx.conf: ${path}: ${message}`); };

// --- value checkers: (value, path) => normalized value
const string = (value, path) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fail(path, `expected a string, got ${JSON.stringify(value)}`));
const boolean = (value, path) => (value === true || value === 'true' ? true : value === false || value === 'false' ? false : fail(path, `expected true or false, got ${JSON.stringify(value)}`));
const integer = (value, path) => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return Number.isInteger(number) && number >= 0 ? number : fail(path, `expected a non-negative integer, got ${JSON.stringify(value)}`);
};
const oneOf = (...allowed) => (value, path) => (allowed.includes(String(value)) ? String(value) : fail(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`));
const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** EMQX durations: "5s", "1m", "500ms", "1h30m"; a bare integer is milliseconds. */
export const duration = (value, path) => {
  if (Number.isInteger(value)) return value;
  const text = String(value).trim();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(text)) fail(path, `expected a duration like 5s, 1m or 500ms, got ${JSON.stringify(value)}`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(amount) * UNITS[unit];
  return total;
};
/** A listener's bind: "0.0.0.0:1883", "1883", or 0 (disabled, as EMQX reads it for the dashboard). */
const bind = (value, path) => {
  const text = String(value);
  if (text === '0') return null;
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) > 65535) fail(path, `expected "address:port" or a port, got ${JSON.stringify(value)}`);
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '0.0.0.0', port: Number(match[2]) };
};
const maxConnections = (value, path) => (value === 'infinity' ? Infinity : integer(value, path));
const stringMap = (value, path) => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(path, 'expected an object of strings');
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, string(item, `${path}.${key}`)]));
};
const httpUrl = (value, path) => {
  const text = string(value, path);
  if (!/^https?:\/\/[^/\s]+/.test(text)) fail(path, `expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  return text;
};

// --- structure: an object spec is { key: checker | spec }; `map(spec)` is any key to spec; `list(spec)` an array
const MAP = Symbol('map');
const LIST = Symbol('list');
const map = (spec) => ({ [MAP]: spec });
const list = (spec) => ({ [LIST]: spec });

const httpConnector = {
  enable: boolean,
  method: oneOf('post', 'get'),
  url: httpUrl,
  body: stringMap,
  headers: stringMap,
  request_timeout: duration,
  connect_timeout: duration,
  pool_size: integer,
  enable_pipelining: integer,
  max_retries: integer,
};

const SPEC = {
  node: { name: string, cookie: string, data_dir: string },
  cluster: { name: string, discovery_strategy: oneOf('manual', 'singleton') },
  listeners: {
    tcp: map({ enable: boolean, bind, max_connections: maxConnections }),
    ws: map({ enable: boolean, bind, max_connections: maxConnections, websocket: { mqtt_path: string } }),
    // a server certificate and its key, as files (EMQX also takes PEM text here; the build gives paths)
    ssl: map({ enable: boolean, bind, max_connections: maxConnections, ssl_options: { certfile: string, keyfile: string } }),
  },
  dashboard: { listeners: { http: { bind } }, default_username: string, default_password: string },
  authentication: list({ mechanism: oneOf('password_based'), backend: oneOf('http'), ...httpConnector }),
  authorization: {
    no_match: oneOf('allow', 'deny'),
    deny_action: oneOf('ignore', 'disconnect'),
    cache: { enable: boolean, max_size: integer, ttl: duration },
    sources: list({ type: oneOf('http'), ...httpConnector }),
  },
  flapping_detect: { enable: boolean, max_count: integer, window_time: duration, ban_time: duration },
  log: { console: { enable: boolean, level: oneOf('debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency') } },
};

function check(value, spec, path) {
  if (typeof spec === 'function') return spec(value, path);
  if (spec[LIST]) {
    if (!Array.isArray(value)) fail(path, 'expected a list');
    return value.map((item, index) => check(item, spec[LIST], `${path}[${index + 1}]`));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(path, 'expected an object');
  const result = {};
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    const itemSpec = spec[MAP] ?? spec[key];
    if (!itemSpec) fail(itemPath, 'this key is not implemented by the EMQX stand-in, so it would be silently ignored here: remove it, or teach the stand-in (build/Sandbox/standins/emqx) what EMQX does with it');
    result[key] = check(item, itemSpec, itemPath);
  }
  return result;
}

/** EMQX_NODE__COOKIE=x → node.cookie = x (EMQX 5: prefix EMQX_, "__" separates levels, values are HOCON). */
export async function environmentOverrides(environment) {
  const lines = [];
  for (const [name, value] of Object.entries(environment)) {
    // EMQX_NODE_NAME-like names (one underscore) are read by the start script, not the config
    if (!name.startsWith('EMQX_') || !name.includes('__')) continue;
    const path = name.slice(5).toLowerCase().split('__').join('.');
    lines.push(`${path} = ${JSON.stringify(value)}`);
  }
  return lines.length ? hocon.parse({ text: lines.join('\n'), strict: true, env: {} }) : {};
}

function merge(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object' && !Array.isArray(target[key])) merge(target[key], value);
    else target[key] = value;
  }
  return target;
}

function withHttpDefaults(connector) {
  return {
    enable: true, method: 'post', body: {}, headers: {},
    request_timeout: 5000, connect_timeout: 15000, pool_size: 8, enable_pipelining: 100, max_retries: 2,
    ...connector,
  };
}

/** The checked configuration with EMQX's defaults filled in. */
export async function loadConfig(text, environment = {}) {
  let parsed;
  try {
    parsed = await hocon.parse({ text, strict: true, env: {} });
  } catch (error) {
    throw new ConfigError(`emqx.conf: not valid HOCON: ${error.message}`);
  }
  const raw = merge(parsed, await environmentOverrides(environment));
  const checked = check(raw, SPEC, '');
  const authorization = checked.authorization ?? {};
  return {
    node: { name: 'emqx@127.0.0.1', data_dir: 'data', ...checked.node },
    listeners: {
      tcp: Object.entries(checked.listeners?.tcp ?? { default: { bind: bind('0.0.0.0:1883') } })
        .map(([name, listener]) => ({ name, enable: true, max_connections: Infinity, ...listener })).filter((l) => l.enable && l.bind),
      ws: Object.entries(checked.listeners?.ws ?? { default: { bind: bind('0.0.0.0:8083') } })
        .map(([name, listener]) => ({ name, enable: true, max_connections: Infinity, ...listener, mqtt_path: listener.websocket?.mqtt_path ?? '/mqtt' })).filter((l) => l.enable && l.bind),
      // EMQX's own default ssl listener serves the example certificate of its image, on a port the stack does not
      // publish: the stand-in runs only the ssl listeners the config names
      ssl: Object.entries(checked.listeners?.ssl ?? {})
        .map(([name, listener]) => {
          const path = `listeners.ssl.${name}.ssl_options`;
          if (!listener.ssl_options?.certfile) fail(`${path}.certfile`, 'pem_file_path_or_string_is_required');
          if (!listener.ssl_options?.keyfile) fail(`${path}.keyfile`, 'pem_file_path_or_string_is_required');
          return { name, enable: true, max_connections: Infinity, bind: bind('0.0.0.0:8883'), ...listener };
        }).filter((l) => l.enable && l.bind),
    },
    dashboard: { bind: checked.dashboard?.listeners?.http?.bind === undefined ? bind('18083') : checked.dashboard.listeners.http.bind },
    authentication: (checked.authentication ?? []).map(withHttpDefaults).filter((a) => a.enable),
    authorization: {
      no_match: authorization.no_match ?? 'allow',
      deny_action: authorization.deny_action ?? 'ignore',
      cache: { enable: true, max_size: 32, ttl: 60_000, ...authorization.cache },
      sources: (authorization.sources ?? []).map(withHttpDefaults).filter((s) => s.enable),
    },
    flapping_detect: { enable: false, max_count: 15, window_time: 60_000, ban_time: 300_000, ...checked.flapping_detect },
    log: { level: checked.log?.console?.level ?? 'warning' },
  };
}
