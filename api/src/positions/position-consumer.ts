import { Logger } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import type { Config } from '../config/config.js';
import { IngestionMetrics } from './ingestion-metrics.js';
import { parsePosition } from './position-payload.js';
import { PositionWriter } from './position-writer.js';

/**
 * Reads every device's positions through an MQTT shared subscription ($share/<group>/devices/+/position), so that
 * several API instances split the load. It runs on the ingestion thread (IngestionWorker). A bad message is counted
 * and dropped; nothing a device sends stops it.
 */
export class PositionConsumer {
  private readonly logger = new Logger(PositionConsumer.name);
  private client?: MqttClient;

  constructor(
    private readonly config: Config,
    private readonly writer: PositionWriter,
    private readonly metrics: IngestionMetrics,
  ) {}

  get topic(): string {
    return `$share/${this.config.mqtt.shareGroup}/devices/+/position`;
  }

  async start(): Promise<void> {
    this.client = mqtt.connect(this.config.mqtt.url!, {
      username: this.config.mqtt.username,
      password: this.config.mqtt.password,
      clientId: `${this.config.mqtt.username}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 2000,
      clean: true,
    });
    this.client.on('connect', () => {
      this.client!.subscribe(this.topic, { qos: 1 }, (error) => {
        if (error) this.logger.error(`cannot subscribe to ${this.topic}: ${error.message}`);
      });
    });
    this.client.on('error', (error) => this.logger.warn(`MQTT: ${error.message}`));
    this.client.on('message', (topic, payload) => void this.handle(topic, payload));
  }

  async handle(topic: string, payload: Buffer): Promise<void> {
    const parsed = parsePosition(topic, payload);
    if (!parsed.ok) {
      this.metrics.reject(parsed.reason);
      return;
    }
    try {
      if (await this.writer.write(parsed.position)) this.metrics.accept();
      else this.metrics.reject('unknown_device');
    } catch (error) {
      this.metrics.reject('database');
      this.logger.error(`position of ${parsed.position.deviceId} not written: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}
