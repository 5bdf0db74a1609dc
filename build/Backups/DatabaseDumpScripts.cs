namespace AccoReboot.Backups;

/// <summary>
/// The two shell scripts Backup and Restore run in the stack's db-tools container (pg_dump and psql of the
/// server's major version, as the application's user: OVH gives no superuser). Pure text, tested without a server.
///
/// A backup is a tar of:
/// - <c>schema.dump</c>: pg_dump's custom format of the public schema's definitions (what a DBA restores first);
/// - <c>tables.tsv</c>: one line per table of the public schema: number, name, columns, foreign-key depth, chunks;
/// - <c>&lt;number&gt;.copy</c>: each table's rows in COPY's text format, all read in one REPEATABLE READ snapshot.
///   The rows are read through the table, <c>COPY (SELECT … FROM table)</c>: for a TimescaleDB hypertable, that
///   is every chunk's rows, where pg_dump's own COPY of the hypertable copies none (its data are in the chunks);
///   this is Timescale's documented way of copying a hypertable's data ("Migrate with downtime": COPY out of the
///   hypertable, COPY into a hypertable made by create_hypertable), and it needs no catalog rights.
///
/// Restore loads the rows back into the tables the API's migrations made (in one transaction: TRUNCATE the
/// backup's tables, then COPY each, parents of a foreign key first); rows copied into a hypertable go to its
/// chunks as any insert does. The catalog procedure (timescaledb_pre_restore, a whole-database pg_restore) needs
/// the database's owner, which on OVH is avnadmin, not the application's user.
/// </summary>
static class DatabaseDumpScripts
{
    /// <summary>The public schema's tables: number, quoted name, quoted columns, foreign-key depth, chunk count.</summary>
    public const string TablesQuery = """
        WITH RECURSIVE app AS (
          SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition),
        fk AS (SELECT DISTINCT conrelid AS child, confrelid AS parent FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid),
        depth AS (SELECT oid, 0 AS d FROM app UNION ALL SELECT fk.child, depth.d + 1 FROM depth JOIN fk ON fk.parent = depth.oid WHERE depth.d < 20)
        SELECT row_number() OVER (ORDER BY app.relname), quote_ident(app.relname),
          (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum) FROM pg_attribute a
            WHERE a.attrelid = app.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''),
          (SELECT max(d) FROM depth WHERE depth.oid = app.oid),
          (SELECT count(*) FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = ch.relnamespace
            WHERE i.inhparent = app.oid AND cn.nspname LIKE '\_timescaledb%')
        FROM app ORDER BY app.relname;
        """;

    /// <summary>Server and TimescaleDB versions, one line each (the second empty without the extension).</summary>
    public const string ServerQuery = "SELECT current_setting('server_version'); SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'), '');";

    // Everything in a private temporary directory of the throwaway container; only the tar goes to stdout.
    private const string Prologue = """
        set -eu
        umask 077
        work=$(mktemp -d)
        trap 'rm -rf "$work"' EXIT
        cd "$work"
        tab=$(printf '\t')
        """;

    /// <summary>Writes the backup's tar to stdout; anything else goes to stderr.</summary>
    public static string Dump() => Prologue + "\n" + $$"""
        psql -X -q -v ON_ERROR_STOP=1 -At -F "$tab" >tables.tsv <<'SQL'
        {{TablesQuery}}
        SQL
        psql -X -q -v ON_ERROR_STOP=1 -At >server.txt <<'SQL'
        {{ServerQuery}}
        SQL
        {
          echo 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;'
          while IFS="$tab" read -r number table columns depth chunks; do
            printf '\\copy (SELECT %s FROM public.%s) TO '"'"'%s.copy'"'"'\n' "$columns" "$table" "$number"
          done <tables.tsv
          echo 'COMMIT;'
        } >dump.sql
        psql -X -q -v ON_ERROR_STOP=1 -f dump.sql >/dev/null
        pg_dump --format=custom --schema-only --schema=public --no-owner --no-privileges --file=schema.dump
        tar -cf - .
        """;

    /// <summary>Reads a backup's tar from stdin and loads its rows in one transaction; prints one line per table.</summary>
    public static string Load() => Prologue + "\n" + """
        tar -xf -
        [ -f tables.tsv ] || { echo "the backup has no tables.tsv: it is not a backup made by Backup" >&2; exit 2; }
        {
          echo 'BEGIN;'
          names=$(cut -f2 tables.tsv | paste -sd, -)
          [ -n "$names" ] && printf 'TRUNCATE %s;\n' "$names"
          sort -t "$tab" -k4,4n -k1,1n tables.tsv | while IFS="$tab" read -r number table columns depth chunks; do
            printf '\\copy public.%s (%s) FROM '"'"'%s.copy'"'"'\n' "$table" "$columns" "$number"
          done
          echo 'COMMIT;'
        } >load.sql
        psql -X -q -v ON_ERROR_STOP=1 -f load.sql >/dev/null
        echo loaded
        """;
}
