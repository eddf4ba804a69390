#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for tests on 127.0.0.1:$PG_PORT (default 55432), trust auth.
# Data, log and unix socket live in <repo>/var/test-infra/postgres. initdb refuses to run as root, so
# as root the cluster is owned by and run as the `postgres` OS user (created if missing); if that user
# cannot reach the repo folder (no x bit on a parent dir), /tmp/vroegsignaal-pg-$PG_PORT is used instead.
# Installs PostgreSQL with apt-get when no initdb/pg_ctl is found.
# Ensures role vroegsignaal (password vroegsignaal, superuser) and databases vroegsignaal and
# vroegsignaal_test exist, then prints VS_DATABASE_URL. A no-op apart from that if a server answers already.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PORT="${PG_PORT:-55432}"
URL="postgresql+asyncpg://vroegsignaal:vroegsignaal@127.0.0.1:$PORT/vroegsignaal_test"

die() { echo "postgres/start.sh: $*" >&2; exit 1; }

find_bin() {
  local d
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(readlink -f "$(command -v initdb)")"; return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return; }
  done
  return 1
}
if ! BIN="$(find_bin)"; then
  [[ $EUID -eq 0 ]] || die "PostgreSQL not installed (need initdb/pg_ctl); run as root or apt-get install postgresql"
  mkdir -p "$REPO/var/test-infra"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
    >"$REPO/var/test-infra/apt-postgresql.log" 2>&1 \
    || die "apt-get install postgresql failed, see $REPO/var/test-infra/apt-postgresql.log"
  BIN="$(find_bin)" || die "initdb/pg_ctl still not found after installing postgresql"
fi

# Run a command as the cluster owner: `postgres` when we are root, else ourselves.
if [[ $EUID -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

sql() { "$BIN/psql" -X -q -w -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
ensure_dbs() {
  sql >/dev/null <<'SQL' || die "could not create role/databases on 127.0.0.1:$PORT (need trust auth for user postgres)"
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vroegsignaal') THEN
    CREATE ROLE vroegsignaal LOGIN SUPERUSER PASSWORD 'vroegsignaal';
  END IF;
END $$;
SELECT format('CREATE DATABASE %I OWNER vroegsignaal', d) FROM unnest(ARRAY['vroegsignaal', 'vroegsignaal_test']) d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SQL
  echo "VS_DATABASE_URL=$URL"
}

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then ensure_dbs; exit 0; fi

BASE="${PG_BASE_DIR:-$REPO/var/test-infra/postgres}"   # PG_BASE_DIR: a second cluster (fault tests)
mkdir -p "$BASE"
if [[ $EUID -eq 0 ]]; then chown postgres: "$BASE"; fi
# Fallback when the owner cannot reach the repo folder, or the socket path would exceed the 107-byte limit.
if ! as_owner test -w "$BASE" -a -x "$BASE" || (( ${#BASE} > 80 )); then
  BASE="/tmp/vroegsignaal-pg-$PORT"   # stop.sh looks here too
  mkdir -p "$BASE" && chmod 700 "$BASE"
  if [[ $EUID -eq 0 ]]; then chown postgres: "$BASE"; fi
fi
PGDATA="$BASE/data"

if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
  as_owner "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >"$BASE/initdb.log" 2>&1 \
    || die "initdb failed, see $BASE/initdb.log"
  cat >> "$PGDATA/postgresql.conf" <<CONF
# vroegsignaal test settings
listen_addresses = '127.0.0.1'
max_connections = 200
unix_socket_directories = '$BASE'
CONF
fi

as_owner "$BIN/pg_ctl" -D "$PGDATA" -l "$BASE/postgres.log" -o "-p $PORT" -w -t 60 start >/dev/null \
  || die "server did not start, see $BASE/postgres.log"
ensure_dbs
