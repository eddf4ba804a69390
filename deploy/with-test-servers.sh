#!/usr/bin/env bash
# Runs a command with real PostgreSQL and Kafka on 127.0.0.1 (what `make test` uses).
# Starts each server only if it is not already reachable, exports VS_TEST_DATABASE_URL and
# VS_TEST_KAFKA_BOOTSTRAP for the tests, and stops afterwards only what it started itself.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_PORT="${PG_PORT:-55432}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
started=()

is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cleanup() {
  for service in "${started[@]}"; do
    bash "$HERE/$service/stop.sh" >/dev/null 2>&1 || echo "could not stop $service" >&2
  done
}
trap cleanup EXIT

is_open "$PG_PORT" || started+=(postgres)
is_open "$KAFKA_PORT" || started+=(kafka)

echo "== PostgreSQL and Kafka for the tests (starting: ${started[*]:-none}) =="
pg_line="$(bash "$HERE/postgres/start.sh" | grep '^VS_DATABASE_URL=')"
kafka_line="$(bash "$HERE/kafka/start.sh" | grep '^KAFKA_BOOTSTRAP=')"
export VS_TEST_DATABASE_URL="${pg_line#VS_DATABASE_URL=}"
export VS_TEST_KAFKA_BOOTSTRAP="${kafka_line#KAFKA_BOOTSTRAP=}"
echo "PostgreSQL: ${VS_TEST_DATABASE_URL%%@*}@…  Kafka: $VS_TEST_KAFKA_BOOTSTRAP"

"$@"
