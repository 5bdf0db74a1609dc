import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApplication } from '../../src/application.js';
import type { Config } from '../../src/config/config.js';

export const ADMIN_TOKEN = 'admin-token-for-the-api-tests-0123456789';
export const MQTT_PASSWORD = 'mqtt-password-of-the-api-client-0123456789';

/** A directory of RSA keys as the deploy creates it on the host. */
export function keyDirectory(count = 1): { dir: string; add(): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'accoreboot-keys-'));
  let n = 0;
  const add = () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dir, `jwt-${++n}.key.pem`);
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    return file;
  };
  for (let i = 0; i < count; i++) add();
  return { dir, add, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh database on the server, so that test files do not see each other's rows. */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `accoreboot_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface RunningApi {
  app: NestFastifyApplication;
  base: string;
  config: Config;
  close(): Promise<void>;
}

export async function startApi(databaseUrl: string, keysDir: string, mqttUrl?: string, overrides: Partial<Config> = {}): Promise<RunningApi> {
  const config: Config = {
    port: 0,
    database: { connectionString: databaseUrl },
    jwtKeysDir: keysDir,
    powersyncAudience: 'powersync',
    tokenTtlSeconds: 3600,
    adminToken: ADMIN_TOKEN,
    mqtt: { url: mqttUrl, username: 'accoreboot-api', password: MQTT_PASSWORD, shareGroup: 'accoreboot-api' },
    ...overrides,
  };
  const app = await createApplication(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}`, config, close: () => app.close() };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
