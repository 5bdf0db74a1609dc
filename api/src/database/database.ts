import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Config } from '../config/config.js';

export const POOL = Symbol('POOL');

/**
 * The connection pool. With a CA file the connection is TLS with the certificate and host name checked
 * (sslmode=verify-full); the managed PostgreSQL of OVH is reached that way.
 */
export function createPool(config: Config['database']): pg.Pool {
  const url = new URL(config.connectionString);
  // node-postgres reads sslmode from the URL too; the TLS settings below are the ones that count
  url.searchParams.delete('sslmode');
  return new pg.Pool({
    connectionString: url.toString(),
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    ssl: config.caFile ? { ca: readFileSync(config.caFile, 'utf8'), rejectUnauthorized: true } : undefined,
  });
}
