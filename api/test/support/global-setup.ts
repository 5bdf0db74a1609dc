import type { TestProject } from 'vitest/node';
import { startMosquitto, startPostgres15, type RunningBroker, type RunningPostgres } from './services.js';

let postgres: RunningPostgres | undefined;
let broker: RunningBroker | undefined;

/** One PostgreSQL 15 and one mosquitto for the whole run (each test file makes its own database). */
export async function setup(project: TestProject): Promise<void> {
  postgres = await startPostgres15();
  broker = await startMosquitto();
  project.provide('postgresUrl', postgres.url);
  project.provide('mqttUrl', broker.url);
}

export async function teardown(): Promise<void> {
  postgres?.stop();
  broker?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    mqttUrl: string;
  }
}
