// EMQX 5.8.9's HTTP authenticator and HTTP authorization source, as in apps/emqx_auth_http/src/emqx_authn_http.erl
// and emqx_authz_http.erl (see shared/reference/emqx-http-auth-contract.md): the same placeholders, the same
// request (a pool of `pool_size` keep-alive connections with `enable_pipelining` requests in flight, as ehttpc
// does), and the same reading of the answer.
import { Pool } from 'undici';

// apps/emqx_auth/include/emqx_authn.hrl AUTHN_DEFAULT_ALLOWED_VARS, and the authz ones (topic, action, qos, retain)
const AUTHN_VARIABLES = ['username', 'clientid', 'password', 'peerhost', 'cert_subject', 'cert_common_name', 'cert_pem', 'zone'];
const AUTHZ_VARIABLES = [...AUTHN_VARIABLES.filter((name) => name !== 'password'), 'topic', 'action', 'qos', 'retain'];

const PLACEHOLDER = /\$\{([a-z_.]+)\}/g;

function checkPlaceholders(connector, allowed, where) {
  const texts = [connector.url, ...Object.values(connector.body), ...Object.values(connector.headers)];
  for (const text of texts)
    for (const [, name] of text.matchAll(PLACEHOLDER))
      if (!allowed.includes(name) && !name.startsWith('client_attrs.'))
        throw new Error(`emqx.conf: ${where}: the placeholder \${${name}} is not one EMQX knows there (allowed: ${allowed.join(', ')})`);
}

const render = (text, variables, encode = (value) => value) => text.replace(PLACEHOLDER, (_, name) => encode(String(variables[name] ?? '')));

/** One HTTP endpoint EMQX calls: renders the request from a client's variables and sends it through the pool. */
// STANDIN_TRACE=1: slow and failed requests on stderr (bench/ingest with BENCH_LOGS)
const TRACE = Boolean(process.env.STANDIN_TRACE);

export class HttpConnector {
  constructor(connector, allowed, where) {
    checkPlaceholders(connector, allowed, where);
    this.connector = connector;
    const url = new URL(connector.url.replace(PLACEHOLDER, 'x'));
    this.origin = url.origin;
    this.pool = new Pool(this.origin, {
      connections: Math.max(1, connector.pool_size),
      pipelining: Math.max(1, connector.enable_pipelining),
      connectTimeout: connector.connect_timeout,
      headersTimeout: connector.request_timeout,
      bodyTimeout: connector.request_timeout,
      keepAliveTimeout: 60_000,
    });
  }

  /** The answer, or null when the request failed (connection, timeout): EMQX then counts it as "ignore". */
  async send(variables) {
    const { method, url, body, headers, request_timeout: timeout, max_retries: retries } = this.connector;
    const target = new URL(render(url, variables, encodeURIComponent));
    const requestHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), render(value, variables)]));
    const fields = Object.fromEntries(Object.entries(body).map(([name, value]) => [name, render(value, variables)]));
    let payload;
    if (method === 'get') {
      for (const [name, value] of Object.entries(fields)) target.searchParams.append(name, value);
      delete requestHeaders['content-type']; // EMQX: a GET takes no content-type header
    } else {
      requestHeaders['content-type'] ??= 'application/json';
      payload = requestHeaders['content-type'].startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(fields).toString() : JSON.stringify(fields);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const started = TRACE ? performance.now() : 0;
        const answer = await this.pool.request({
          method: method.toUpperCase(), path: target.pathname + target.search, headers: requestHeaders, body: payload,
          signal: AbortSignal.timeout(timeout),
          // ehttpc sends up to enable_pipelining requests on a connection before the first answer, whatever the
          // method (EMQX's config reference: "when set to 1 ... wait for the server to return and then continue
          // to send the next request"); undici pipelines only requests it may replay (a POST is marked so: it
          // retries nothing itself, max_retries above does) and, by default, holds the pipeline until each
          // answer's headers (blocking)
          idempotent: true,
          blocking: false,
        });
        const text = await answer.body.text();
        if (TRACE && performance.now() - started > 250) process.stderr.write(`${new Date().toISOString()} slow ${target.pathname} ${(performance.now() - started).toFixed(0)} ms\n`);
        return { status: answer.statusCode, contentType: String(answer.headers['content-type'] ?? ''), text };
      } catch (error) {
        // a refused or broken connection is retried (ehttpc's max_retries); a timeout is not
        if (TRACE) process.stderr.write(`${new Date().toISOString()} failed ${target.pathname} ${error.name}: ${error.message}\n`);
        if (error.name === 'TimeoutError' || error.name === 'AbortError' || attempt >= retries) return null;
      }
    }
  }

  close() {
    return this.pool.close();
  }
}

function parseBody(contentType, text) {
  try {
    if (contentType.startsWith('application/json')) return JSON.parse(text);
    if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * emqx_authn_http:handle_response: 204 allows; 200 with a JSON body says allow, deny or ignore (missing: ignore),
 * with is_superuser; anything else (another status, an unparsable body, no answer) is ignore.
 */
export function authenticationDecision(answer, now = Date.now()) {
  if (!answer) return { result: 'ignore', reason: 'no answer' };
  if (answer.status === 204) return { result: 'allow', superuser: false };
  if (answer.status !== 200) return { result: 'ignore', reason: `HTTP ${answer.status}` };
  const body = parseBody(answer.contentType || 'application/json', answer.text);
  if (!body || typeof body !== 'object') return { result: 'ignore', reason: 'unparsable body' };
  const result = body.result ?? 'ignore';
  if (!['allow', 'deny', 'ignore'].includes(result)) return { result: 'ignore', reason: `result ${JSON.stringify(result)}` };
  if (result !== 'allow') return { result };
  if (body.expire_at !== undefined && (!Number.isInteger(body.expire_at) || body.expire_at * 1000 <= now))
    return { result: 'error', reason: `expire_at ${JSON.stringify(body.expire_at)} is not a future Unix time in seconds` };
  return { result: 'allow', superuser: body.is_superuser === true || body.is_superuser === 'true' };
}

/**
 * emqx_authz_http: 204 allows; 200 with a JSON or form body says allow, deny or ignore; another content type, a
 * missing or unknown result, another status: no match; a failed request: ignore.
 */
export function authorizationDecision(answer) {
  if (!answer) return 'ignore';
  if (answer.status === 204) return 'allow';
  if (answer.status !== 200) return 'nomatch';
  const body = parseBody(answer.contentType, answer.text);
  const result = body?.result;
  return result === 'allow' || result === 'deny' ? result : 'nomatch';
}

export class AuthenticationChain {
  constructor(authenticators) {
    this.connectors = authenticators.map((authenticator, index) => new HttpConnector(authenticator, AUTHN_VARIABLES, `authentication[${index + 1}]`));
  }

  /** allow (with superuser), deny, or not_authorized when every authenticator ignored (emqx_authn_chains). */
  async authenticate(variables) {
    // no authenticator configured: EMQX lets everyone in
    if (this.connectors.length === 0) return { result: 'allow', superuser: false };
    for (const connector of this.connectors) {
      const decision = authenticationDecision(await connector.send(variables));
      if (decision.result === 'ignore') continue;
      return decision;
    }
    return { result: 'not_authorized', reason: 'no authenticator decided' };
  }

  close() {
    return Promise.all(this.connectors.map((connector) => connector.close()));
  }
}

export class AuthorizationSources {
  constructor(sources, noMatch) {
    this.noMatch = noMatch;
    this.connectors = sources.map((source, index) => new HttpConnector(source, AUTHZ_VARIABLES, `authorization.sources[${index + 1}]`));
  }

  /** allow or deny: the first source that decides, else authorization.no_match. */
  async authorize(variables) {
    for (const connector of this.connectors) {
      const decision = authorizationDecision(await connector.send(variables));
      if (decision === 'allow' || decision === 'deny') return decision;
    }
    return this.noMatch;
  }

  close() {
    return Promise.all(this.connectors.map((connector) => connector.close()));
  }
}

/** emqx_authz_cache: decisions per client, keyed by action and topic, at most max_size, each for ttl. */
export class AuthorizationCache {
  constructor({ enable, max_size: maxSize, ttl }, clock = Date.now) {
    Object.assign(this, { enable, maxSize, ttl, clock });
    this.entries = new Map();
  }

  get(key) {
    if (!this.enable) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.clock() - entry.at >= this.ttl) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.decision;
  }

  put(key, decision) {
    if (!this.enable || this.maxSize === 0) return;
    if (this.entries.size >= this.maxSize && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value);
    this.entries.set(key, { decision, at: this.clock() });
  }
}
