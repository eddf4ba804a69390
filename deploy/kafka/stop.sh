#!/usr/bin/env bash
# Stop the broker started by start.sh: SIGTERM (clean shutdown), SIGKILL after 30 s.
# `stop.sh --kill` sends SIGKILL right away (for tests that crash the broker).
# The data dir is kept, so start.sh brings the same broker, topics and offsets back.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PIDFILE="${KAFKA_DATA_DIR:-$HERE/../../var/test-infra/kafka}/kafka.pid"

case "${1:-}" in
  "") sig=TERM ;;
  --kill) sig=KILL ;;
  *) echo "usage: $0 [--kill]" >&2; exit 2 ;;
esac

pid="$(cat "$PIDFILE" 2>/dev/null || true)"
is_broker() { [[ -n "$pid" ]] && grep -qa 'kafka\.Kafka' "/proc/$pid/cmdline" 2>/dev/null; }
# A SIGKILLed JVM loses its cmdline before its last threads (and sockets) are gone: "exiting".
exiting() { [[ -d /proc/$pid && -z "$(tr -d '\0' < "/proc/$pid/cmdline" 2>/dev/null)" ]] \
  && { [[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]] || (( $(ls "/proc/$pid/task" 2>/dev/null | wc -l) > 1 )); }; }
alive() { is_broker || exiting; }
is_broker || { rm -f "$PIDFILE"; exit 0; }   # not running (or the pid was reused)

kill -s "$sig" "$pid" 2>/dev/null || true
for _ in $(seq 300); do            # 30 s in 0.1 s steps
  alive || { rm -f "$PIDFILE"; exit 0; }
  sleep 0.1
done
echo "kafka/stop.sh: broker $pid ignored SIGTERM for 30s, sending SIGKILL" >&2
kill -KILL "$pid" 2>/dev/null || true
while alive; do sleep 0.1; done
rm -f "$PIDFILE"
