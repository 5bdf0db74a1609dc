import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { POOL } from '../database/database.js';

interface DeviceRecord {
  secretHash: Buffer;
  revoked: boolean;
  ownerId: string | null;
  loadedAt: number;
}

/**
 * Device records for authentication, cached in memory: a reconnect storm asks for the same devices thousands of
 * times a second. A revoke through this API drops the entry at once; the cache also expires after a minute
 * (a revoke by another instance waits at most that long).
 */
@Injectable()
export class DeviceDirectory {
  private readonly cache = new Map<string, DeviceRecord | null>();
  private static readonly TTL_MS = 60_000;
  private static readonly MAX_ENTRIES = 100_000;

  constructor(@Inject(POOL) private readonly pool: pg.Pool) {}

  async find(id: string): Promise<DeviceRecord | null> {
    const cached = this.cache.get(id);
    if (cached !== undefined && (cached === null || Date.now() - cached.loadedAt < DeviceDirectory.TTL_MS)) return cached;
    const result = await this.pool.query<{ secret_hash: Buffer; revoked_at: Date | null; owner_id: string | null }>(
      'SELECT secret_hash, revoked_at, owner_id FROM devices WHERE id = $1', [id]);
    const row = result.rows[0];
    const record = row ? { secretHash: row.secret_hash, revoked: row.revoked_at !== null, ownerId: row.owner_id, loadedAt: Date.now() } : null;
    if (this.cache.size >= DeviceDirectory.MAX_ENTRIES) this.cache.clear();
    // unknown ids are not cached: a device created a moment later must be able to connect
    if (record) this.cache.set(id, record);
    return record;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}
