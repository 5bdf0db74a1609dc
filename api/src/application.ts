import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { Config } from './config/config.js';
import { createPool } from './database/database.js';
import { migrate } from './database/migrations.js';
import { KeyStore } from './keys/key-store.js';
import { IngestionWorker } from './positions/ingestion-worker.js';

/** Builds the application: migrations first, then the HTTP routes and the MQTT consumer. */
export async function createApplication(config: Config, options: { logger?: boolean } = {}): Promise<NestFastifyApplication> {
  const pool = createPool(config.database);
  const report = await migrate(pool);
  const keys = await KeyStore.load(config.jwtKeysDir);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.with(config, pool, keys), new FastifyAdapter({ bodyLimit: 64 * 1024 }), {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
  });
  for (const warning of report.warnings) Logger.warn(warning, 'Migrations');
  if (!keys.signing) Logger.warn(`no private key in ${config.jwtKeysDir}: /auth/token cannot sign`, 'Keys');
  // Rotate adds (and later retires) a key file, then sends SIGHUP: the keys are read again, nothing restarts
  const reload = () => {
    keys.reload(config.jwtKeysDir).then(
      () => Logger.log(`keys reloaded: ${keys.published.length} published, signing with ${keys.signing?.kid ?? 'none'}`, 'Keys'),
      (error: Error) => Logger.error(`keys not reloaded, the previous ones stay: ${error.message}`, 'Keys'));
  };
  process.on('SIGHUP', reload);
  app.getHttpAdapter().getInstance().addHook('onClose', async () => { process.off('SIGHUP', reload); });
  // SIGTERM and SIGINT only: Nest's default list holds SIGHUP, which reloads the keys here (below)
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.get(IngestionWorker).start();
  app.getHttpAdapter().getInstance().addHook('onClose', async () => { await pool.end(); });
  return app;
}
