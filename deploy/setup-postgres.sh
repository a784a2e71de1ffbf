#!/bin/sh
# Create the dashboard's database and its owner on the distribution's PostgreSQL, and
# enable PostGIS in it as the superuser (the owner may not create the extension; a
# restore needs it there first: restore.sh does the same).
#   sh deploy/setup-postgres.sh USER PASSWORD [DATABASE]
# PostGIS is enabled when its package is installed (postgresql-15-postgis-3). The
# superuser is reached as in lib.sh (ZONES_PG_SUPER, else runuser -u postgres).
set -eu
. "$(dirname "$0")/lib.sh"
user=${1:?database user}; password=${2:?password}; db=${3:-$user}
# the password goes in as a psql variable (quoted by psql), never spliced into SQL
super_psql postgres -v user="$user" -v password="$password" -v db="$db" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user" ENCODING 'UTF8' TEMPLATE template0;
SQL
if super_psql "$db" -tA -c "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'" | grep -q 1; then
  super_psql "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis"
fi
echo "ZONES_DB=postgresql+psycopg://$user:<password>@127.0.0.1:5432/$db"
