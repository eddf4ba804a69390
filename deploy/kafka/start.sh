#!/usr/bin/env bash
# Start a single-node Kafka (KRaft, combined broker+controller) on 127.0.0.1 for tests.
# Jars come from Maven Central via ./pom.xml; all runtime data lives in <repo>/var/test-infra/kafka.
# Env: KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT (default 9093), KAFKA_DATA_DIR.
# Prints KAFKA_BOOTSTRAP=127.0.0.1:<port> once the broker answers metadata requests.
# Idempotent: a no-op (apart from that line) when a broker already answers on the port.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DATA="${KAFKA_DATA_DIR:-$REPO/var/test-infra/kafka}"   # KAFKA_DATA_DIR: a second broker (fault tests)
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
BOOTSTRAP="127.0.0.1:$PORT"
PIDFILE="$DATA/kafka.pid"
CPFILE="$DATA/classpath.txt"
TIMEOUT=120

die() { echo "kafka/start.sh: $*" >&2; exit 1; }

command -v java >/dev/null || die "java not found (Kafka 4.x needs Java 17+; apt-get install default-jdk-headless)"
mkdir -p "$DATA/logs"

# Classpath: resolved once, re-resolved when missing, older than the pom, or a jar vanished from ~/.m2.
cp_ok() {
  [[ -s "$CPFILE" && "$CPFILE" -nt "$HERE/pom.xml" ]] || return 1
  local jar; while IFS= read -r jar; do [[ -f "$jar" ]] || return 1; done < <(tr ':' '\n' < "$CPFILE")
}
if ! cp_ok; then
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  mvn -q -B -f "$HERE/pom.xml" dependency:build-classpath -Dmdep.outputFile="$CPFILE.tmp" >"$DATA/mvn.log" 2>&1 \
    || die "maven could not resolve the Kafka classpath, see $DATA/mvn.log"
  mv "$CPFILE.tmp" "$CPFILE"
fi
CP="$(cat "$CPFILE")"

JAVA=(java -cp "$CP" -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$DATA/logs")
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
# A real metadata round trip through the AdminClient, not just an open socket.
answers() { port_open && timeout 15 "${JAVA[@]}" -XX:TieredStopAtLevel=1 org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; }
# A SIGKILLed JVM loses its cmdline before its last threads (and sockets) are gone: "exiting".
exiting() { [[ -d /proc/$1 && -z "$(tr -d '\0' < "/proc/$1/cmdline" 2>/dev/null)" ]] \
  && { [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]] || (( $(ls "/proc/$1/task" 2>/dev/null | wc -l) > 1 )); }; }
# Pid of the broker we started while it runs (after waiting up to 10 s for a killed one to finish exiting).
our_pid() {
  local p i; p="$(cat "$PIDFILE" 2>/dev/null)" && [[ -n "$p" ]] || return 1
  for i in $(seq 100); do
    grep -qa 'kafka\.Kafka' "/proc/$p/cmdline" 2>/dev/null && { echo "$p"; return 0; }
    exiting "$p" || return 1
    sleep 0.1
  done
  return 1
}
# The controller endpoint is baked into the formatted metadata log, so one data dir = one pair of ports.
if [[ -f "$DATA/ports" && "$(cat "$DATA/ports")" != "$PORT $CPORT" ]]; then
  die "$DATA is for ports '$(cat "$DATA/ports")', not '$PORT $CPORT'; run stop.sh and rm -rf $DATA to change ports"
fi

if ! our_pid >/dev/null; then
  rm -f "$PIDFILE"
  if port_open; then
    answers || die "port $PORT is in use by something that does not answer as Kafka"
    echo "KAFKA_BOOTSTRAP=$BOOTSTRAP"; exit 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$CPORT") 2>/dev/null && die "controller port $CPORT is already in use"

  cat > "$DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA/data
num.partitions=6
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
# A restart after a crash waits for the old broker session to expire (default 9 s) before re-registering.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
PROPS

  if [[ ! -f "$DATA/data/meta.properties" ]]; then
    [[ -s "$DATA/cluster.id" ]] || head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$DATA/cluster.id"
    # `--cluster-id=ID`, not `-t ID`: a base64url id may begin with "-", which would read as an option.
    "${JAVA[@]}" kafka.tools.StorageTool format --standalone --ignore-formatted --cluster-id="$(cat "$DATA/cluster.id")" \
      -c "$DATA/server.properties" >"$DATA/format.log" 2>&1 || die "storage format failed, see $DATA/format.log"
    echo "$PORT $CPORT" > "$DATA/ports"
  fi

  nohup "${JAVA[@]}" -Xms256m -Xmx512m -Djava.awt.headless=true kafka.Kafka "$DATA/server.properties" >"$DATA/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
fi

deadline=$((SECONDS + TIMEOUT))
until answers; do
  pid="$(our_pid)" || die "broker exited during startup; see $DATA/logs/kafka.log and $DATA/logs/stdout.log"
  (( SECONDS < deadline )) || die "broker (pid $pid) did not answer on $BOOTSTRAP within ${TIMEOUT}s; see $DATA/logs/"
  sleep 1
done
echo "KAFKA_BOOTSTRAP=$BOOTSTRAP"
