/** The API's settings, from its environment (the instance's .env, rendered by the build). */
export interface Config {
  port: number;
  database: {
    connectionString: string;
    /** CA of the managed PostgreSQL: when set, TLS with full verification (verify-full); when not, plain (local tests). */
    caFile?: string;
  };
  jwtKeysDir: string;
  powersyncAudience: string;
  /** Lifetime of a PowerSync token in seconds (PowerSync refuses more than a day). */
  tokenTtlSeconds: number;
  adminToken: string;
  mqtt: {
    url?: string;
    username: string;
    /** The API's own MQTT client's password (MQTT_PASSWORD): its own credential, never the admin token. */
    password: string;
    shareGroup: string;
  };
}

export const CONFIG = Symbol('CONFIG');

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: it comes from the instance's .env (rendered by the build).`);
  return value;
}

export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): Config {
  const ttl = Number(env.TOKEN_TTL_SECONDS ?? 3600);
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 86400) throw new Error('TOKEN_TTL_SECONDS must be between 1 and 86400 (PowerSync refuses tokens living longer than a day).');
  return {
    port: Number(env.PORT ?? 3000),
    database: {
      connectionString: required(env, 'DATABASE_URL'),
      caFile: env.DATABASE_CA_FILE || undefined,
    },
    jwtKeysDir: required(env, 'JWT_KEYS_DIR'),
    powersyncAudience: env.POWERSYNC_AUDIENCE ?? 'powersync',
    tokenTtlSeconds: ttl,
    adminToken: required(env, 'ADMIN_TOKEN'),
    mqtt: {
      url: env.MQTT_URL || undefined,
      username: env.MQTT_USERNAME ?? 'accoreboot-api',
      // required with a broker: without it the API's client could not sign in, and no empty password may
      password: env.MQTT_URL ? required(env, 'MQTT_PASSWORD') : (env.MQTT_PASSWORD ?? ''),
      shareGroup: env.MQTT_SHARE_GROUP ?? 'accoreboot-api',
    },
  };
}
