#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for wirewatch tests / CI and print its URL as the last line.
#
#   URL=$(scripts/start_postgres.sh | tail -n1)
#   WIREWATCH_TEST_PG_URL=$URL pytest tests/test_postgres.py
#
# Idempotent: a second run finds the running cluster and prints the same URL. Listens on 127.0.0.1
# only. Env: WIREWATCH_PG_DIR (default /tmp/wirewatch-pg), WIREWATCH_PG_PORT (first port tried,
# default 55432), WIREWATCH_PG_DB (default wirewatch). Stop it with:  scripts/start_postgres.sh stop
set -euo pipefail

PGDIR="${WIREWATCH_PG_DIR:-/tmp/wirewatch-pg}"
PORT="${WIREWATCH_PG_PORT:-55432}"
DB="${WIREWATCH_PG_DB:-wirewatch}"
PGUSER_NAME="wirewatch"
PGPASS="wirewatch"
DATA="$PGDIR/data"

log() { echo "start_postgres: $*" >&2; }

find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    done
    return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
    log "PostgreSQL not found; installing (apt-get)"
    if [ "$(id -u)" -ne 0 ]; then log "need root to apt-get install postgresql"; exit 1; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 && apt-get install -y postgresql >&2
    BINDIR="$(find_bindir)"
fi

# The server refuses to run as root: run it as the 'postgres' OS user when we are root.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PGDIR" --shell /bin/sh postgres
    OSUSER=postgres
    as_pg() { runuser -u postgres -- "$@"; }
else
    OSUSER="$(id -un)"
    as_pg() { "$@"; }
fi

if [ "${1:-}" = "stop" ]; then
    if [ -f "$DATA/PG_VERSION" ]; then as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast stop >&2 || true; fi
    exit 0
fi

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

mkdir -p "$PGDIR"
chown "$OSUSER" "$PGDIR" 2>/dev/null || true
chmod 700 "$PGDIR"

if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initdb in $DATA"
    PWFILE="$PGDIR/pwfile"
    echo "$PGPASS" > "$PWFILE"
    chown "$OSUSER" "$PWFILE" 2>/dev/null || true
    as_pg "$BINDIR/initdb" -D "$DATA" -U "$PGUSER_NAME" --pwfile="$PWFILE" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >&2
    rm -f "$PWFILE"
fi

if as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    PORT="$(cat "$PGDIR/port")"
    log "already running on port $PORT"
else
    while port_busy "$PORT"; do PORT=$((PORT + 1)); done
    echo "$PORT" > "$PGDIR/port"
    log "starting on 127.0.0.1:$PORT"
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c full_page_writes=off" \
        start >&2
fi

if ! as_pg "$BINDIR/psql" -h "$PGDIR" -p "$PORT" -U "$PGUSER_NAME" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    log "creating database $DB"
    as_pg "$BINDIR/createdb" -h "$PGDIR" -p "$PORT" -U "$PGUSER_NAME" "$DB" >&2
fi

echo "postgresql://$PGUSER_NAME:$PGPASS@127.0.0.1:$PORT/$DB"
