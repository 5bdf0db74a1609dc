import type pg from 'pg';
import type { Position } from './position-payload.js';

interface Pending {
  position: Position;
  resolve(written: boolean): void;
  reject(error: Error): void;
}

// Positions of the active devices in the batch: the history takes every new one, the latest table the newest of
// each device (DISTINCT ON: one ON CONFLICT DO UPDATE may not touch a row twice); one statement, one round trip.
const WRITE_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])
    AS t(device_id, recorded_at, lat, lon, speed, heading, accuracy)
), known AS (
  SELECT input.*, devices.owner_id FROM input JOIN devices ON devices.id = input.device_id AND devices.revoked_at IS NULL
), history AS (
  INSERT INTO positions (device_id, recorded_at, lat, lon, speed, heading, accuracy)
  SELECT device_id, recorded_at, lat, lon, speed, heading, accuracy FROM known
  ON CONFLICT (device_id, recorded_at) DO NOTHING
), latest AS (
  INSERT INTO device_latest_position (device_id, recorded_at, lat, lon, speed, heading, accuracy, owner_id, updated_at)
  SELECT DISTINCT ON (device_id) device_id, recorded_at, lat, lon, speed, heading, accuracy, owner_id, now()
  FROM known ORDER BY device_id, recorded_at DESC
  ON CONFLICT (device_id) DO UPDATE SET recorded_at = EXCLUDED.recorded_at, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
    speed = EXCLUDED.speed, heading = EXCLUDED.heading, accuracy = EXCLUDED.accuracy, owner_id = EXCLUDED.owner_id, updated_at = now()
  WHERE device_latest_position.recorded_at < EXCLUDED.recorded_at
)
SELECT DISTINCT device_id FROM known`;

/**
 * Writes positions to the history (the positions hypertable) and to the latest position of each device (the table
 * PowerSync replicates). Positions arriving together are written together: one statement for up to MAX_BATCH,
 * at most MAX_IN_FLIGHT statements at once, so a burst costs a few round trips instead of five per message. A
 * repeated message is ignored; an older one does not move the latest position back.
 */
export class PositionWriter {
  static readonly MAX_BATCH = 2000;
  static readonly MAX_IN_FLIGHT = 2;
  private pending: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly pool: pg.Pool) {}

  /** False when the device is unknown or revoked: the position is dropped. */
  write(position: Position): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ position, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= PositionWriter.MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.scheduled = true;
    // what arrives in the same turn of the event loop joins the batch
    setImmediate(() => {
      this.scheduled = false;
      void this.flush(this.pending.splice(0, PositionWriter.MAX_BATCH));
    });
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      const column = <T>(pick: (p: Position) => T) => batch.map((item) => pick(item.position));
      const result = await this.pool.query<{ device_id: string }>(WRITE_BATCH, [
        column((p) => p.deviceId), column((p) => p.recordedAt), column((p) => p.lat), column((p) => p.lon),
        column((p) => p.speed), column((p) => p.heading), column((p) => p.accuracy),
      ]);
      const known = new Set(result.rows.map((row) => row.device_id));
      for (const item of batch) item.resolve(known.has(item.position.deviceId));
    } catch (error) {
      for (const item of batch) item.reject(error as Error);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
