#!/usr/bin/env bash
# Stop the test PostgreSQL cluster started by start.sh (pg_ctl stop -m fast). Data is kept.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${PG_PORT:-55432}"

# PG_BASE_DIR (a second cluster, for fault tests) names the one cluster to stop.
if [[ -n "${PG_BASE_DIR:-}" ]]; then
  dirs=("$PG_BASE_DIR/data")
else
  dirs=("$HERE/../../var/test-infra/postgres/data" "/tmp/vroegsignaal-pg-$PORT/data")
fi
for PGDATA in "${dirs[@]}"; do
  [[ -f "$PGDATA/postmaster.pid" ]] || continue
  PG_CTL="$(ls -d /usr/lib/postgresql/"$(cat "$PGDATA/PG_VERSION")"/bin/pg_ctl 2>/dev/null || command -v pg_ctl)" \
    || { echo "postgres/stop.sh: pg_ctl not found" >&2; exit 1; }
  as_owner=(); [[ $EUID -ne 0 ]] || as_owner=(runuser -u "$(stat -c %U "$PGDATA")" --)
  "${as_owner[@]}" "$PG_CTL" -D "$PGDATA" status >/dev/null 2>&1 || continue   # stale pid file after a crash
  "${as_owner[@]}" "$PG_CTL" -D "$PGDATA" -m fast -w stop >/dev/null
done
