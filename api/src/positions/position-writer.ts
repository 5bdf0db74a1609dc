import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { POOL } from '../database/database.js';
import type { Position } from './position-payload.js';

/**
 * Writes a position to the history (the positions hypertable) and to the latest position of its device (the
 * table PowerSync replicates), in one transaction. A repeated message is ignored; an older one does not move
 * the latest position back.
 */
@Injectable()
export class PositionWriter {
  constructor(@Inject(POOL) private readonly pool: pg.Pool) {}

  /** False when the device is unknown or revoked: the position is dropped. */
  async write(position: Position): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const device = await client.query<{ owner_id: string | null }>('SELECT owner_id FROM devices WHERE id = $1 AND revoked_at IS NULL', [position.deviceId]);
      if (device.rowCount === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      const values = [position.deviceId, position.recordedAt, position.lat, position.lon, position.speed, position.heading, position.accuracy];
      await client.query(
        `INSERT INTO positions (device_id, recorded_at, lat, lon, speed, heading, accuracy)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (device_id, recorded_at) DO NOTHING`, values);
      await client.query(
        `INSERT INTO device_latest_position (device_id, recorded_at, lat, lon, speed, heading, accuracy, owner_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (device_id) DO UPDATE SET recorded_at = EXCLUDED.recorded_at, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
           speed = EXCLUDED.speed, heading = EXCLUDED.heading, accuracy = EXCLUDED.accuracy, owner_id = EXCLUDED.owner_id, updated_at = now()
         WHERE device_latest_position.recorded_at < EXCLUDED.recorded_at`, [...values, device.rows[0].owner_id]);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
