#!/bin/sh
# Back up the dashboard's database, then delete backups older than ZONES_BACKUP_KEEP_DAYS
# (default 14). PostgreSQL: pg_dump (custom format, one consistent snapshot); the
# embedded SQLite store: SQLite's online backup (a consistent copy while the app writes).
# Each backup gets a .sha256 beside it, checked by restore.sh and restore-drill.sh.
#
#   deploy/backup.sh            (run daily by zones-backup.timer; settings: lib.sh)
set -eu
. "$(dirname "$0")/lib.sh"
umask 077
mkdir -p "$ZONES_BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
case $(kind_of "$ZONES_DB") in
  postgresql)
    pg_env "$ZONES_DB"
    out="$ZONES_BACKUP_DIR/zones-$stamp.dump"
    pg_dump --format=custom --file="$out.part" "$PGDATABASE"
    ;;
  sqlite)
    out="$ZONES_BACKUP_DIR/zones-$stamp.sqlite"
    sqlite_backup "$(sqlite_path "$ZONES_DB")" "$out.part"
    ;;
esac
mv "$out.part" "$out"
(cd "$ZONES_BACKUP_DIR" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
find "$ZONES_BACKUP_DIR" -name 'zones-*' -mtime +"${ZONES_BACKUP_KEEP_DAYS:-14}" -delete
echo "backup: $out ($(du -h "$out" | cut -f1))"
