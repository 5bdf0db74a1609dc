import type pg from 'pg';

// one lock for everyone migrating this database (two API containers starting together)
const MIGRATION_LOCK = 4_211_977;

const TABLES = `
CREATE TABLE IF NOT EXISTS app_users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS devices (
  id text PRIMARY KEY,
  name text NOT NULL DEFAULT '',
  owner_id uuid REFERENCES app_users (id) ON DELETE SET NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE IF NOT EXISTS positions (
  device_id text NOT NULL,
  recorded_at timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed double precision,
  heading double precision,
  accuracy double precision,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, recorded_at)
);
CREATE TABLE IF NOT EXISTS device_latest_position (
  device_id text PRIMARY KEY,
  owner_id uuid,
  recorded_at timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed double precision,
  heading double precision,
  accuracy double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

export interface MigrationReport {
  hypertable: boolean;
  warnings: string[];
}

/**
 * Brings the schema up to date; safe to run at every start. positions is a TimescaleDB hypertable where the
 * extension exists (a plain table otherwise, with a warning). PowerSync replicates device_latest_position only:
 * it cannot replicate a hypertable, and the publication lists its tables rather than FOR ALL TABLES.
 */
export async function migrate(pool: pg.Pool): Promise<MigrationReport> {
  const client = await pool.connect();
  const warnings: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(TABLES);
    const hypertable = await makeHypertable(client, warnings);
    await client.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'powersync') THEN
          CREATE PUBLICATION powersync FOR TABLE device_latest_position;
        ELSE
          ALTER PUBLICATION powersync SET TABLE device_latest_position;
        END IF;
      END $$;`);
    return { hypertable, warnings };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

async function makeHypertable(client: pg.PoolClient, warnings: string[]): Promise<boolean> {
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (available.rowCount === 0) {
    warnings.push('TimescaleDB is not available: positions is a plain table (no time partitioning).');
    return false;
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    await client.query("SELECT create_hypertable('positions', by_range('recorded_at', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE)");
    return true;
  } catch (error) {
    warnings.push(`TimescaleDB could not be used (${(error as Error).message}): positions is a plain table.`);
    return false;
  }
}
