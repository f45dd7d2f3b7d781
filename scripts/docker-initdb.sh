#!/usr/bin/env bash
# Runs once inside the postgres image when its data volume is first initialised
# (mounted into /docker-entrypoint-initdb.d by docker-compose.yml): seeds the demo table with the
# same SQL scripts/pg.sh seed uses.
set -euo pipefail
psql -qX -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v tbl=events -v nrows="${STREAMGRPC_SEED_ROWS:-1000000}" -f /streamgrpc-scripts/seed-events.sql
