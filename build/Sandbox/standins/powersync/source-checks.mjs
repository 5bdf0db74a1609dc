// What the PowerSync service checks of its source database before replicating
// (modules/module-postgres/src/replication/replication-utils.ts, sql/check-source-configuration.plpgsql) and what
// replication then needs (WalStream.ts: CREATE_REPLICATION_SLOT on a replication connection, which takes a role
// with REPLICATION). Each failure is one line naming the setting, as the service's errors do.
import pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';

export class SourceError extends Error {}

/**
 * pg connection options from a connection's uri, sslmode and cacert. PowerSync takes TLS from sslmode and cacert,
 * never from the URI (libs/lib-postgres/src/types/types.ts): verify-full (the default), verify-ca, disable.
 */
export function connectionOptions({ uri, sslmode = 'verify-full', cacert }, label) {
  const { sslmode: _ignored, ssl: _ssl, ...parsed } = parseConnectionString(uri);
  const options = { ...parsed, port: parsed.port ? Number(parsed.port) : 5432, connectionTimeoutMillis: 5000, application_name: 'powersync-standin' };
  if (sslmode === 'disable') return { ...options, ssl: false };
  if (sslmode === 'verify-ca' && !cacert) throw new SourceError(`${label}: sslmode verify-ca needs cacert`);
  if (!['verify-full', 'verify-ca'].includes(sslmode)) throw new SourceError(`${label}: sslmode ${sslmode} is not one of verify-full, verify-ca, disable`);
  const ssl = { rejectUnauthorized: true, ...(cacert ? { ca: cacert } : {}) };
  if (sslmode === 'verify-ca') ssl.checkServerIdentity = () => undefined;
  return { ...options, ssl };
}

async function withClient(options, work) {
  const client = new pg.Client(options);
  try {
    await client.connect();
  } catch (error) {
    throw new SourceError(`cannot connect to ${options.host}:${options.port}/${options.database} as ${options.user}: ${error.message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Source tables the sync rules read, as schema + name (wildcard patterns are not read by the stand-in). */
export function sourceTables(rules) {
  return rules.getSourceTables().map((pattern) => {
    if (pattern.isWildcard) throw new SourceError(`sync config: the table pattern ${pattern.tablePattern} is a wildcard, which the stand-in does not read`);
    return { schema: pattern.schema, name: pattern.tablePattern };
  });
}

/** Checks the source as the service does; throws a SourceError naming the first problem. */
export async function checkSource(options, { publication = 'powersync', slot, tables }) {
  await withClient(options, async (client) => {
    const setting = async (name) => (await client.query(`SELECT current_setting($1) AS value`, [name])).rows[0].value;
    if ((await setting('wal_level')) !== 'logical')
      throw new SourceError(`wal_level must be logical, is ${await setting('wal_level')}: set it on the database (OVH: it is logical on managed PostgreSQL)`);
    if (Number(await setting('max_replication_slots')) < 1) throw new SourceError('max_replication_slots must be at least 1');
    if (Number(await setting('max_wal_senders')) < 1) throw new SourceError('max_wal_senders must be at least 1');

    const found = (await client.query('SELECT pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot FROM pg_publication WHERE pubname = $1', [publication])).rows[0];
    if (!found) throw new SourceError(`[PSYNC_S1141] publication '${publication}' does not exist: CREATE PUBLICATION ${publication} FOR TABLE …`);
    if (!(found.pubinsert && found.pubupdate && found.pubdelete && found.pubtruncate))
      throw new SourceError(`[PSYNC_S1142] publication '${publication}' does not publish all changes (insert, update, delete, truncate)`);
    if (found.pubviaroot) throw new SourceError(`[PSYNC_S1143] publication '${publication}' uses publish_via_partition_root, which is not supported`);

    const role = (await client.query('SELECT rolreplication, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user')).rows[0];
    if (!role.rolreplication && !role.rolsuper)
      throw new SourceError(`the role ${options.user} has no REPLICATION attribute: the replication slot cannot be created (ALTER ROLE ${options.user} REPLICATION, or a user the provider gives it to)`);

    for (const table of tables) {
      const listed = await client.query('SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3', [publication, table.schema, table.name]);
      if (listed.rowCount === 0) throw new SourceError(`table ${table.schema}.${table.name} (in the sync rules) is not in the publication '${publication}'`);
      const rls = await client.query(`SELECT c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [table.schema, table.name]);
      if (rls.rows[0]?.relrowsecurity && !role.rolbypassrls && !role.rolsuper)
        throw new SourceError(`[PSYNC_S1145] table ${table.schema}.${table.name} has row level security and ${options.user} cannot bypass it: ALTER ROLE ${options.user} BYPASSRLS`);
    }
  });
  await createSlot(options, slot);
}

/** CREATE_REPLICATION_SLOT on a replication connection, as WalStream does; an existing slot is kept. */
async function createSlot(options, slot) {
  const exists = await withClient(options, async (client) => (await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount > 0);
  if (exists) return;
  const replication = new pg.Client({ ...options, replication: 'database' });
  try {
    await replication.connect();
    await replication.query(`CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput`);
  } catch (error) {
    throw new SourceError(`cannot create the replication slot ${slot} as ${options.user}: ${error.message}`);
  } finally {
    await replication.end().catch(() => undefined);
  }
}

/**
 * The stand-in reads the tables directly, so it consumes its slot by moving it to the current position: an
 * unread slot would keep every WAL segment on the database's disk.
 */
export async function advanceSlot(options, slot) {
  // a slot just made can be ahead of the flushed WAL: advancing it backwards is an error, so only ever forwards
  await withClient(options, (client) => client.query(
    'SELECT pg_replication_slot_advance(slot_name, pg_current_wal_lsn()) FROM pg_replication_slots WHERE slot_name = $1 AND confirmed_flush_lsn < pg_current_wal_lsn()', [slot]));
}

/** Storage: the service keeps its buckets in this database, in tables it creates. */
export async function checkStorage(options) {
  await withClient(options, async (client) => {
    try {
      await client.query('CREATE SCHEMA IF NOT EXISTS powersync');
      await client.query('CREATE TABLE IF NOT EXISTS powersync.standin_instance (id text PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now())');
    } catch (error) {
      throw new SourceError(`storage: ${options.user} cannot create the service's tables in ${options.database}: ${error.message}`);
    }
  });
}

/** The rows of a source table, with values as the service hands them to the sync rules (SQLite types). */
export async function readTable(options, table) {
  return withClient(options, async (client) => {
    const result = await client.query(`SELECT * FROM ${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)}`);
    return result.rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, sqliteValue(value)])));
  });
}

function sqliteValue(value) {
  if (value instanceof Date) return value.toISOString().replace('T', ' ');
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}
