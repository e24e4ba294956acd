#!/usr/bin/env bash
# Starts a throwaway local PostgreSQL server for development and prints its DATABASE_URL.
# Usage: scripts/dev-postgres.sh [port]   (stop: pg_ctl -D /tmp/eenbieb-dev-pg/data stop)
set -euo pipefail
PORT=${1:-54330}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=/tmp/eenbieb-dev-pg
if [ ! -d "$DIR/data" ]; then
  mkdir -p "$DIR"; chown postgres "$DIR" 2>/dev/null || true
  su postgres -c "$PG_BIN/initdb -D $DIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
fi
su postgres -c "$PG_BIN/pg_ctl -D $DIR/data -l $DIR/log -o '-k $DIR -p $PORT -c listen_addresses=127.0.0.1 -c max_connections=300' -w start" >/dev/null || true
echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
