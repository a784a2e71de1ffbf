#!/bin/sh
# Restore a backup (backup.sh) into the database of ZONES_DB, or into TARGET (a URL):
# its checksum checked first; PostgreSQL: the database recreated by the superuser with
# PostGIS enabled before the restore (the app's user may not create it), the dump
# restored as the app's user; SQLite: the copy checked and put in place (the old file
# kept beside it as .before-restore). Then the schema brought to the newest revision.
# Stop the replicas first: systemctl stop 'zones@*'.
#
#   deploy/restore.sh BACKUP [TARGET]
set -eu
. "$(dirname "$0")/lib.sh"
backup=${1:?usage: restore.sh BACKUP [TARGET_URL]}
target=${2:-$ZONES_DB}
[ -f "$backup" ] || die "no such backup: $backup"
if [ -f "$backup.sha256" ]; then
  (cd "$(dirname "$backup")" && sha256sum --quiet -c "$(basename "$backup").sha256") \
    || die "checksum of $backup does not match: the file is damaged"
fi
case $(kind_of "$target") in
  postgresql)
    pg_env "$target"
    pg_restore_into "$PGUSER" "$PGDATABASE" "$backup"
    ;;
  sqlite)
    path=$(sqlite_path "$target")
    sqlite_backup "$backup" "$path.restoring"  # a checked copy of the copy
    [ -f "$path" ] && mv "$path" "$path.before-restore"
    rm -f "$path-wal" "$path-shm"
    mv "$path.restoring" "$path"
    ;;
esac
zones --db "$target" db upgrade
echo "restored $backup"
