#!/usr/bin/env bash
# Restore drill (docs/runbooks/database.md): prove that a backup of DeltaCrown's database
# restores. Dumps the database with pg_dump (custom format, the format of the nightly backup),
# restores the dump with pg_restore into a scratch database on the same server, compares
# every table's row count and the Alembic revision, then drops the scratch database.
#
#   scripts/restore-drill.sh DATABASE_URL      (postgresql://USER[:PASSWORD]@HOST:PORT/DB;
#                                               the app's postgresql+psycopg:// form works too)
#   scripts/restore-drill.sh DATABASE_URL DUMP (restore an existing dump file instead)
#
# Exit 0 and one "restore drill OK" line when the restored copy matches; 1 otherwise. The
# database itself is only read. pg_dump and pg_restore must be the server's major version.
set -euo pipefail

url="${1:?usage: scripts/restore-drill.sh DATABASE_URL [DUMP]}"
url="${url/postgresql+psycopg:/postgresql:}"
url="${url%%\?*}"
server="${url%/*}"
scratch_name="restore_drill_$(date +%s)_$$"
scratch="$server/$scratch_name"
dump="${2:-}"
own_dump=""

cleanup() {
    psql "$server/postgres" -qAt -c "DROP DATABASE IF EXISTS \"$scratch_name\" WITH (FORCE)" \
        >/dev/null 2>&1 || echo "warning: could not drop $scratch_name" >&2
    [[ -n "$own_dump" ]] && rm -f "$own_dump"
    return 0
}
trap cleanup EXIT

COUNTS_SQL="SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(
  format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"

if [[ -z "$dump" ]]; then
    own_dump="$(mktemp -t deltacrown-dump.XXXXXX)"
    dump="$own_dump"
    pg_dump --format=custom --no-owner --no-privileges --file="$dump" "$url"
fi
psql "$server/postgres" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$scratch_name\"" >/dev/null
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch" "$dump"

expected="$(psql "$url" -qAt -v ON_ERROR_STOP=1 -c "$COUNTS_SQL")"
restored="$(psql "$scratch" -qAt -v ON_ERROR_STOP=1 -c "$COUNTS_SQL")"
if [[ "$expected" != "$restored" ]]; then
    echo "restore drill FAILED: row counts differ (database < > restored copy)" >&2
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$restored") >&2 || true
    exit 1
fi
revision="$(psql "$scratch" -qAt -c "SELECT string_agg(version_num, ',') FROM alembic_version" 2>/dev/null || true)"
tables="$(printf '%s\n' "$expected" | grep -c . || true)"
rows="$(printf '%s\n' "$expected" | awk '{s += $2} END {print s + 0}')"
echo "restore drill OK: $tables tables, $rows rows, revision ${revision:-none}, dump $(du -h "$dump" | cut -f1)"
