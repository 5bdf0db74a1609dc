// The position consumer's own thread (see IngestionWorker): its own event loop, MQTT client and database pool.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { createPool } from '../database/database.js';
import { IngestionMetrics } from './ingestion-metrics.js';
import { PositionConsumer } from './position-consumer.js';
import { PositionWriter } from './position-writer.js';

const config = (workerData as { config: Config }).config;
const pool = createPool(config.database);
let timer: NodeJS.Timeout | undefined;
// the counts reach the main thread (for /metrics) at most every 50 ms, only when they changed
const metrics = new IngestionMetrics(() => {
  timer ??= setTimeout(() => {
    timer = undefined;
    parentPort!.postMessage({ kind: 'metrics', metrics: metrics.snapshot() });
  }, 50);
});
const consumer = new PositionConsumer(config, new PositionWriter(pool), metrics);

parentPort!.on('message', (message: { kind: string }) => {
  if (message.kind !== 'stop') return;
  void (async () => {
    await consumer.stop();
    await pool.end();
    if (timer) clearTimeout(timer);
    parentPort!.postMessage({ kind: 'metrics', metrics: metrics.snapshot() });
    parentPort!.close();
  })();
});

await consumer.start();
parentPort!.postMessage({ kind: 'started' });
