import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { migrate } from '../src/database/migrations.js';
import { freshDatabase } from './support/harness.js';
import { startPostgres17Timescale, type RunningPostgres } from './support/services.js';

async function publicationTables(pool: pg.Pool): Promise<string[]> {
  return (await pool.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'powersync' ORDER BY 1")).rows.map((r) => r.tablename);
}

describe('migrations on PostgreSQL 15 without TimescaleDB', () => {
  let pool: pg.Pool;
  beforeAll(async () => { pool = new pg.Pool({ connectionString: await freshDatabase(inject('postgresUrl')) }); });
  afterAll(async () => { await pool.end(); });

  it('are idempotent, warn about the plain table, and publish only the synced table', async () => {
    const first = await migrate(pool);
    const second = await migrate(pool);
    expect(first.hypertable).toBe(false);
    expect(second.warnings.join()).toContain('positions is a plain table');
    expect(await publicationTables(pool)).toEqual(['device_latest_position']);
  });
});

describe('migrations on PostgreSQL 17 + TimescaleDB', () => {
  let server: RunningPostgres;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres17Timescale();
    pool = new pg.Pool({ connectionString: await freshDatabase(server.url) });
  }, 120_000);
  afterAll(async () => { await pool?.end(); server?.stop(); });

  it('make positions a hypertable, twice without error, and keep it out of the publication', async () => {
    expect((await migrate(pool)).hypertable).toBe(true);
    expect((await migrate(pool)).hypertable).toBe(true);
    const hypertables = (await pool.query("SELECT hypertable_name FROM timescaledb_information.hypertables")).rows.map((r) => r.hypertable_name);
    expect(hypertables).toEqual(['positions']);
    expect(await publicationTables(pool)).toEqual(['device_latest_position']);
    expect((await pool.query("SHOW wal_level")).rows[0].wal_level).toBe('logical');
  });
});
