#!/bin/sh
# The restore drill: proves that a backup restores. Restores BACKUP (default: the newest
# in ZONES_BACKUP_DIR) into a scratch database beside the real one (PostgreSQL: database
# <name>_drill; SQLite: a temporary file), exactly as restore.sh would, then reads it
# back with the app: the schema at the newest revision, the units, figures, declarations,
# accounts and audit trail counted, and the levels of the last assessed day computed.
# The scratch database is removed at the end (kept with ZONES_DRILL_KEEP=1, to compare
# it with the original: its address is printed, without its password); the real one is
# never touched.
#
#   deploy/restore-drill.sh [BACKUP]        exit 0: the backup restores
set -eu
here=$(dirname "$0")
. "$here/lib.sh"
backup=${1:-$(ls -1t "$ZONES_BACKUP_DIR"/zones-*.dump "$ZONES_BACKUP_DIR"/zones-*.sqlite \
  2>/dev/null | head -n 1)}
[ -n "$backup" ] || die "no backup in $ZONES_BACKUP_DIR (run deploy/backup.sh)"
work=$(mktemp -d)
case "$backup" in
  *.dump)
    pg_env "$ZONES_DB"
    scratch=$(with_database "$ZONES_DB" "${PGDATABASE}_drill")
    cleanup() { super_psql postgres -c "DROP DATABASE IF EXISTS \"${PGDATABASE}_drill\" WITH (FORCE)" || true; rm -rf "$work"; }
    ;;
  *)
    scratch="sqlite:///$work/drill.db"
    cleanup() { rm -rf "$work"; }
    ;;
esac
if [ "${ZONES_DRILL_KEEP:-0}" = 1 ]; then
  trap 'echo "kept: $(echo "$scratch" | sed -E "s#(://[^:/@]*):[^@]*@#\\1:***@#")"' EXIT
else
  trap cleanup EXIT
fi
"$here/restore.sh" "$backup" "$scratch" >"$work/restore.log" 2>&1 \
  || { cat "$work/restore.log" >&2; die "the backup $backup did not restore"; }
"$ZONES_PYTHON" - "$scratch" "$backup" <<'PY' || die "the restored copy of $backup cannot be read"
import sys
from zones import api
ws = api.open_workspace(sys.argv[1])
admin = api.LOCAL_ADMIN
day = api.default_day(ws) if api.has_units(ws) else None
levels = api.assess(ws, day, "commune") if day else []
print(f"restore drill: {sys.argv[2]} restores: {len(api.units(ws))} units, "
      f"{len(api.export_observations(ws))} figure rows, {len(api.declarations(ws))} "
      f"declarations, {len(api.list_users(ws, admin))} accounts, "
      f"{len(api.audit_entries(ws, admin))} audit entries, {len(levels)} levels on "
      f"{day.isoformat() if day else '(no data)'}")
PY
