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
    return this.load(id);
  }

  // Look-ups asked for in the same turn of the event loop go to the database together, as one query: in a
  // reconnect storm EMQX's pool keeps pool_size requests in flight, and a round trip each was the limit.
  private pending = new Map<string, Array<(record: DeviceRecord | null) => void>>();
  private failures = new Map<string, Array<(error: Error) => void>>();

  private load(id: string): Promise<DeviceRecord | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(id);
      if (waiting) {
        waiting.push(resolve);
        this.failures.get(id)!.push(reject);
        return;
      }
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      this.pending.set(id, [resolve]);
      this.failures.set(id, [reject]);
    });
  }

  private async flush(): Promise<void> {
    const pending = this.pending;
    const failures = this.failures;
    this.pending = new Map();
    this.failures = new Map();
    try {
      const result = await this.pool.query<{ id: string; secret_hash: Buffer; revoked_at: Date | null; owner_id: string | null }>(
        'SELECT id, secret_hash, revoked_at, owner_id FROM devices WHERE id = ANY($1)', [[...pending.keys()]]);
      const found = new Map(result.rows.map((row) => [row.id, row]));
      if (this.cache.size >= DeviceDirectory.MAX_ENTRIES) this.cache.clear();
      for (const [id, resolvers] of pending) {
        const row = found.get(id);
        const record = row ? { secretHash: row.secret_hash, revoked: row.revoked_at !== null, ownerId: row.owner_id, loadedAt: Date.now() } : null;
        // unknown ids are not cached: a device created a moment later must be able to connect
        if (record) this.cache.set(id, record);
        for (const resolve of resolvers) resolve(record);
      }
    } catch (error) {
      for (const rejects of failures.values()) for (const reject of rejects) reject(error as Error);
    }
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}
