#!/bin/sh
# Create the dashboard's database and its owner on the distribution's PostgreSQL.
#   sh deploy/setup-postgres.sh USER PASSWORD [DATABASE]
# PostGIS is enabled when its package is installed (postgresql-15-postgis-3).
set -eu
user=${1:?database user}; password=${2:?password}; db=${3:-$user}
runuser -u postgres -- psql -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE "$user" LOGIN PASSWORD '$password';
CREATE DATABASE "$db" OWNER "$user" ENCODING 'UTF8' TEMPLATE template0;
SQL
if runuser -u postgres -- psql -d "$db" -tAc "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'" | grep -q 1; then
  runuser -u postgres -- psql -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis"
fi
echo "ZONES_DB=postgresql+psycopg://$user:<password>@127.0.0.1:5432/$db"
