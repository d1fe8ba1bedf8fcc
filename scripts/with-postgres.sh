#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing to a throw-away PostgreSQL server on a loopback port.
# Installs Debian's PostgreSQL if needed; the server runs as the `postgres` user (it refuses root).
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
PGBIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
PGPORT=${PGPORT:-54329}
DATADIR=$(mktemp -d /tmp/citemploi-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  chown postgres:postgres "$DATADIR"
  RUN_AS=(runuser -u postgres --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATADIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATADIR"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DATADIR/data" -U citemploi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATADIR/data" -l "$DATADIR/log" -w \
  -o "-p $PGPORT -k $DATADIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U citemploi citemploi
export DATABASE_URL="postgres://citemploi@127.0.0.1:$PGPORT/citemploi"
echo "PostgreSQL ready on 127.0.0.1:$PGPORT"
"$@"
