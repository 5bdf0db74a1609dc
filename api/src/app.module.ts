import { type DynamicModule, Module } from '@nestjs/common';
import type pg from 'pg';
import { AdminController } from './admin/admin.controller.js';
import { AdminGuard } from './admin/admin.guard.js';
import { CONFIG, type Config } from './config/config.js';
import { POOL } from './database/database.js';
import { HealthController } from './health/health.controller.js';
import { JwksController } from './keys/jwks.controller.js';
import { KeyStore } from './keys/key-store.js';
import { DeviceDirectory } from './mqtt-auth/device-directory.js';
import { MqttAuthController } from './mqtt-auth/mqtt-auth.controller.js';
import { IngestionMetrics } from './positions/ingestion-metrics.js';
import { MetricsController } from './positions/metrics.controller.js';
import { IngestionWorker } from './positions/ingestion-worker.js';
import { SignInThrottle } from './tokens/sign-in-throttle.js';
import { TokenController } from './tokens/token.controller.js';

@Module({})
export class AppModule {
  static with(config: Config, pool: pg.Pool, keys: KeyStore): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, JwksController, MqttAuthController, TokenController, AdminController, MetricsController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: POOL, useValue: pool },
        { provide: KeyStore, useValue: keys },
        DeviceDirectory,
        AdminGuard,
        { provide: IngestionMetrics, useValue: new IngestionMetrics() },
        IngestionWorker,
        { provide: SignInThrottle, useValue: new SignInThrottle() },
      ],
    };
  }
}
