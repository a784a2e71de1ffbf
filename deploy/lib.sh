# Shared by backup.sh, restore.sh and restore-drill.sh (sourced, POSIX sh).
#
# Settings (from /etc/zones/zones.env, read with `set -a; . /etc/zones/zones.env; set +a`):
#   ZONES_DB                the database (SQLAlchemy URL: postgresql+psycopg://… or sqlite:///…)
#   ZONES_PYTHON            the app's Python (default /opt/zones/.venv/bin/python)
#   ZONES_BACKUP_DIR        where backups go (default /var/backups/zones)
#   ZONES_PG_SUPER          how superuser steps reach PostgreSQL: libpq key=value settings
#                           of a superuser, without dbname (e.g. "host=db1 user=postgres");
#                           empty: `runuser -u postgres -- psql` over the local socket
# The database password never appears on a command line: it goes to libpq by PGPASSWORD.

# the checkout the scripts belong to: its Python packages, whatever the current folder
ZONES_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONPATH="$ZONES_ROOT${PYTHONPATH:+:$PYTHONPATH}"
ZONES_PYTHON=${ZONES_PYTHON:-/opt/zones/.venv/bin/python}
ZONES_BACKUP_DIR=${ZONES_BACKUP_DIR:-/var/backups/zones}
ZONES_DB=${ZONES_DB:-sqlite:///$ZONES_ROOT/data/zones.db}
ZONES_PG_SUPER=${ZONES_PG_SUPER:-}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

zones() { "$ZONES_PYTHON" -m zones "$@"; }

kind_of() {  # postgresql | sqlite
  case "$1" in
    postgresql*) echo postgresql ;;
    sqlite*) echo sqlite ;;
    *) die "ZONES_DB is neither PostgreSQL nor SQLite: ${1%%:*}://…" ;;
  esac
}

# PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE of a SQLAlchemy PostgreSQL URL
pg_env() {
  eval "$("$ZONES_PYTHON" - "$1" <<'PY'
import shlex, sys
from sqlalchemy.engine import make_url
u = make_url(sys.argv[1])
for key, value in (("PGHOST", u.host or u.query.get("host")), ("PGPORT", u.port),
                   ("PGUSER", u.username), ("PGPASSWORD", u.password),
                   ("PGDATABASE", u.database)):
    if value:
        print(f"export {key}={shlex.quote(str(value))}")
PY
)"
}

# the path of a SQLite URL's file
sqlite_path() {
  "$ZONES_PYTHON" -c 'import sys; from sqlalchemy.engine import make_url; print(make_url(sys.argv[1]).database)' "$1"
}

# the same URL with another database name (PostgreSQL) or file (SQLite)
with_database() {
  "$ZONES_PYTHON" -c 'import sys; from sqlalchemy.engine import make_url; print(make_url(sys.argv[1]).set(database=sys.argv[2]).render_as_string(hide_password=False))' "$1" "$2"
}

# psql as the superuser, on database $1, the other arguments passed on
super_psql() {
  _super_db=$1; shift
  if [ -n "$ZONES_PG_SUPER" ]; then
    env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
      psql -X -q -v ON_ERROR_STOP=1 -d "$ZONES_PG_SUPER dbname='$_super_db'" "$@"
  else
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d "$_super_db" "$@"
  fi
}

# SQLite's online backup (the API of the sqlite3 shell's `.backup`): a consistent copy
# while the app keeps writing; then its integrity checked
sqlite_backup() {
  "$ZONES_PYTHON" - "$1" "$2" <<'PY'
import sqlite3, sys
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=60)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
dst.close(); src.close()
sys.exit(0 if ok == "ok" else f"integrity check of the copy: {ok}")
PY
}

# (Re)create PostgreSQL database $2 owned by the app's user $1 and enable PostGIS in it,
# as the superuser (the app's user may not create PostGIS), then restore dump $3 into it
# as the app's user: everything but the extension and its own table (made here), owned
# by that user.
pg_restore_into() {
  _owner=$1 _db=$2 _dump=$3
  super_psql postgres -c "DROP DATABASE IF EXISTS \"$_db\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$_db\" OWNER \"$_owner\" ENCODING 'UTF8' TEMPLATE template0"
  if super_psql "$_db" -tA -c "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'" \
      | grep -q 1; then
    super_psql "$_db" -c "CREATE EXTENSION IF NOT EXISTS postgis"
  fi
  list=$(mktemp)
  pg_restore --list "$_dump" | grep -v -E ' (EXTENSION|COMMENT - EXTENSION) | TABLE DATA public spatial_ref_sys ' >"$list"
  pg_restore --exit-on-error --no-owner --use-list="$list" --dbname="$_db" "$_dump"
  rm -f "$list"
}
