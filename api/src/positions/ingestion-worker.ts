import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { CONFIG, type Config } from '../config/config.js';
import { type IngestionCounts, IngestionMetrics } from './ingestion-metrics.js';

/**
 * Runs the position consumer on a thread of its own. EMQX asks this API to authenticate and authorize every device
 * (request_timeout 5 s, then `ignore`, then `no_match = deny` and `deny_action = disconnect`): those answers must
 * never wait behind thousands of positions in one event loop. When every device's authorization cache entry expires
 * together (ttl 1 min), a shared loop at 6,000 positions/s made them wait over 5 s and EMQX cut the devices off
 * (bench/ingest with BENCH_TRACE=1). The thread has its own MQTT client and database pool; it reports its counts here.
 * If it dies, the process exits, so that the container's restart policy brings ingestion back.
 */
@Injectable()
export class IngestionWorker implements OnApplicationShutdown {
  private readonly logger = new Logger('Ingestion');
  private worker?: Worker;
  private stopping = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(IngestionMetrics) private readonly metrics: IngestionMetrics,
  ) {}

  async start(): Promise<void> {
    if (!this.config.mqtt.url) {
      this.logger.warn('MQTT_URL is not set: positions are not consumed.');
      return;
    }
    const worker = new Worker(new URL('./ingestion-thread.js', import.meta.url), { workerData: { config: this.config } });
    this.worker = worker;
    worker.on('message', (message: { kind: string; metrics?: IngestionCounts }) => {
      if (message.kind === 'metrics') this.metrics.replace(message.metrics!);
    });
    worker.on('error', (error) => this.logger.error(`the ingestion thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.stopping) return;
      this.logger.error(`the ingestion thread stopped (exit code ${code}): exiting, for the restart policy to start the API again`);
      process.exit(1);
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { kind: string }) => {
        if (message.kind !== 'started') return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
