#!/usr/bin/env bash
# Publish/subscribe throughput and latency: `mcp server` (in memory, and on SQLite with durable
# sessions) under `mcp bench --mode pubsub`, against Mosquitto under the same load from
# org.mcpjava.bench.mqtt.MqttPubSubBench (Eclipse Paho), interleaved in the same sitting, with the
# same JVM flags for every JVM, and a summary table of medians and ratios.
#
#   bench/pubsub-vs-mosquitto.sh                         every load, 2 rounds (about 10 minutes)
#   SQLITE_QOS="1 2" ROUNDS=3 bench/pubsub-vs-mosquitto.sh    also QoS 2 on SQLite (about 17 minutes)
#   ROUNDS=1 WARMUP=3 DURATION=5 LOADS=fanin QOS="1" bench/pubsub-vs-mosquitto.sh
#   SYSTEMS="mcp-sqlite" PROFILE=1 LOADS=fanout QOS=1 bench/pubsub-vs-mosquitto.sh   (JFR of the server;
#       JFR_SETTINGS=path/to/settings.jfc for another sampling rate)
#
# Loads (one topic, payload SIZE bytes whose first 8 carry the publisher's nanoTime):
#   fanin   16 publishers x FANIN_N (16) in flight each  -> 1 subscriber
#   fanout   1 publisher  x FANOUT_N (64) in flight      -> 16 subscribers
# at QoS 0, 1 and 2 (publishes and subscriptions alike). Systems, run one after the other per load:
#   mcp-memory   mcp server --store memory; mcp bench --mode pubsub
#   mosquitto    mosquitto (config below, persistence off); MqttPubSubBench
#   mcp-sqlite   mcp server --store sqlite (fresh data dir); mcp bench --mode pubsub
#                --session-expiry SESSION_EXPIRY (durable sessions: QoS 1/2 deliveries are stored);
#                only for the QoS levels in SQLITE_QOS (default "1", the goal's figure; QoS 0 is
#                never stored)
# Each run starts its own server and client processes. Throughput is deliveries/s at the
# subscribers; latency is publish -> delivery. The system order alternates between rounds. Both
# load generators also report the CPU (cores) that they and the server used in the measured window:
# on a shared 2-core machine that tells a server-bound run from a client-bound one.
#
# Never builds with `install`: if a jar is missing it runs `./mvnw -q package -pl mcp-cli,mcp-benchmarks
# -am -DskipTests` (BUILD=0 skips that). Needs `mosquitto` on PATH (apt-get install mosquitto) for the
# Mosquitto side; without it that side is skipped.
# Results: bench/results/pubsub-<timestamp>.txt and server logs next to it (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
LOADS=${LOADS:-"fanin fanout"}
QOS=${QOS:-"0 1 2"}
SQLITE_QOS=${SQLITE_QOS:-"1"}
SYSTEMS=${SYSTEMS:-"mcp-memory mosquitto mcp-sqlite"}
SIZE=${SIZE:-64}
FANIN_N=${FANIN_N:-16}
FANOUT_N=${FANOUT_N:-64}
SESSION_EXPIRY=${SESSION_EXPIRY:-300}
PORT=${PORT:-19890}
PROFILE=${PROFILE:-0}
BUILD=${BUILD:-1}
# The same flags ../shared/peers gives every JVM: servers and both load generators.
JVM_FLAGS="-Xms1g -Xmx1g -XX:+UseG1GC -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled ${EXTRA_OPTS:-}"
export MCP_NO_BUILD=1   # bin/mcp would otherwise build with `mvnw install`

MCP_JAR=mcp-cli/target/mcp.jar
BENCH_JAR=mcp-benchmarks/target/benchmarks.jar
if [[ ! -f $MCP_JAR || ! -f $BENCH_JAR ]]; then
  if [[ $BUILD == 1 ]]; then
    ./mvnw -q package -pl mcp-cli,mcp-benchmarks -am -DskipTests
  else
    echo "missing $MCP_JAR or $BENCH_JAR; build: ./mvnw -q package -pl mcp-cli,mcp-benchmarks -am -DskipTests" >&2
    exit 1
  fi
fi

declare -A PUBS=( [fanin]=16 [fanout]=1 )
declare -A SUBS=( [fanin]=1 [fanout]=16 )
declare -A INFLIGHT=( [fanin]=$FANIN_N [fanout]=$FANOUT_N )

mkdir -p bench/results
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results/pubsub-$TS.txt
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# Mosquitto: loopback only, anonymous, nothing on disk, windows like MCP's defaults (RECEIVE_WINDOW
# 1024 in flight per client, 10000 queued per session), Nagle off as in MCP's server.
MOSQ_CONF=$TMP/mosquitto.conf
cat >"$MOSQ_CONF" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 1024
max_queued_messages 10000
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
EOF
chmod 755 "$TMP"; chmod 644 "$MOSQ_CONF"   # run as root, mosquitto switches to its own user
MOSQ_VERSION=$( { mosquitto -h 2>/dev/null || true; } | awk '/^mosquitto version/{print $3; exit}')
MOSQ_VERSION=${MOSQ_VERSION:-none}

{
  echo "# pubsub-vs-mosquitto $TS rounds=$ROUNDS warmup=${WARMUP}s duration=${DURATION}s size=$SIZE fanin=16x${FANIN_N}->1" \
       "fanout=1x${FANOUT_N}->16 session_expiry=$SESSION_EXPIRY"
  echo "# cpus=$(nproc) cpu=\"$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)\"" \
       "java=\"$(java -version 2>&1 | head -1)\" mosquitto=$MOSQ_VERSION load=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
       "cpu-pressure=\"$(head -1 /proc/pressure/cpu 2>/dev/null)\""
  echo "# jvm flags: $JVM_FLAGS"
  sed 's/^/# mosquitto.conf: /' "$MOSQ_CONF"
} | tee "$OUT"

wait_for() { # log-file pattern
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "# server did not start: $(tail -3 "$1" | tr '\n' ' ')" | tee -a "$OUT"; return 1
}

wait_port() {
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0; sleep 0.05; done
  echo "# nothing listens on $PORT" | tee -a "$OUT"; return 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

run() { # system load qos round
  local system=$1 load=$2 qos=$3 round=$4 json=""
  local tag=$system-$load-q$qos-r$round t0=$SECONDS
  local log=bench/results/server-$TS-$tag.log
  local args=(-H 127.0.0.1 -p "$PORT" --publishers "${PUBS[$load]}" --subscribers "${SUBS[$load]}"
              -n "${INFLIGHT[$load]}" --qos "$qos" -s "$SIZE" -w "${WARMUP}s" -d "${DURATION}s" --json)
  case $system in
    mcp-memory|mcp-sqlite)
      local store=memory extra=() sopts="$JVM_FLAGS"
      if [[ $system == mcp-sqlite ]]; then
        store=sqlite
        extra=(--session-expiry "$SESSION_EXPIRY")
      fi
      [[ $PROFILE == 1 ]] && sopts="$sopts -XX:StartFlightRecording=filename=bench/results/server-$TS-$tag.jfr,settings=${JFR_SETTINGS:-profile}"
      rm -rf "$TMP/data"
      MCP_JAVA_OPTS="$sopts" bin/mcp server --host 127.0.0.1 --port "$PORT" --store "$store" --data-dir "$TMP/data" >"$log" 2>&1 &
      SERVER_PID=$!
      if wait_for "$log" "listening"; then
        json=$(MCP_JAVA_OPTS="$JVM_FLAGS" bin/mcp bench --mode pubsub --no-progress "${extra[@]}" "${args[@]}" \
               --server-pid "$SERVER_PID" 2>>"$log" || true)
      fi
      stop_server
      ;;
    mosquitto)
      command -v mosquitto >/dev/null || return 0
      mosquitto -c "$MOSQ_CONF" >"$log" 2>&1 &
      SERVER_PID=$!
      if wait_port; then
        # shellcheck disable=SC2086
        json=$(java $JVM_FLAGS -cp "$BENCH_JAR" org.mcpjava.bench.mqtt.MqttPubSubBench "${args[@]}" \
               --server-pid "$SERVER_PID" 2>>"$log" || true)
      fi
      stop_server
      ;;
  esac
  [[ -n $json ]] || json="{}"
  echo "RESULT system=$system load=$load qos=$qos round=$round wallS=$((SECONDS - t0)) $json" | tee -a "$OUT"
}

# Interleaved per load and QoS, so slow drifts of a noisy machine hit every system alike; the order
# of the systems is reversed every other round.
read -r -a systems <<<"$SYSTEMS"
for r in $(seq 1 "$ROUNDS"); do
  order=("${systems[@]}")
  if (( r % 2 == 0 )); then
    order=(); for (( i=${#systems[@]}-1; i>=0; i-- )); do order+=("${systems[$i]}"); done
  fi
  for load in $LOADS; do
    for q in $QOS; do
      for s in "${order[@]}"; do
        if [[ $s == mcp-sqlite && " $SQLITE_QOS " != *" $q "* ]]; then continue; fi
        run "$s" "$load" "$q" "$r"
      done
    done
  done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg) cpu-pressure=\"$(head -1 /proc/pressure/cpu 2>/dev/null)\"" | tee -a "$OUT"

python3 - "$OUT" <<'PY'
import json, re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"RESULT system=(\S+) load=(\S+) qos=(\d) round=(\d+) (.*?)(\{.*)", line.strip())
    if not m:
        continue
    try:
        d = json.loads(m.group(6))
    except ValueError:
        continue
    for kv in m.group(5).split():
        k, _, v = kv.partition("=")
        try:
            d[k] = float(v)
        except ValueError:
            pass
    if "deliveredPerS" in d:
        runs.setdefault((m.group(1), m.group(2), int(m.group(3))), []).append(d)

def med(key, field):
    xs = [d[field] for d in runs.get(key, [])]
    return statistics.median(xs) if xs else None

def cell(key):
    r = med(key, "deliveredPerS")
    if r is None:
        return "-"
    d = runs[key]
    # Share of the publishes acknowledged in the window that reached every subscriber.
    subs = d[0]["subscribers"]
    got = statistics.median(x["delivered"] / max(1, x["published"] * subs) for x in d)
    errs = sum(x["errors"] for x in d)
    lost = f" [{got:.0%} delivered]" if got < 0.98 and d[0]["qos"] > 0 else ""
    return (f"{r:,.0f} ({med(key, 'p50Us') / 1000:.1f}/{med(key, 'p99Us') / 1000:.1f} ms){lost}"
            + (f" errors={errs}" if errs else ""))

print("\nmedians over rounds: deliveries/s (p50/p99 publish->delivery latency); [n% delivered]: deliveries in the")
print("window over the QoS 1/2 publishes acknowledged in it x subscribers, when below 98%: the broker dropped the rest,")
print("or (latency near a second or more) they were still queued when the window closed")
print("load | QoS | mcp memory | mosquitto | mcp memory / mosquitto | mcp sqlite (durable sessions)")
print("---|---|---|---|---|---")
for load in ("fanin", "fanout"):
    for q in (0, 1, 2):
        keys = [(s, load, q) for s in ("mcp-memory", "mosquitto", "mcp-sqlite")]
        if not any(k in runs for k in keys):
            continue
        a, b = med(keys[0], "deliveredPerS"), med(keys[1], "deliveredPerS")
        ratio = f"{a / b:.2f}x" if a and b else "-"
        print(f"{load} | {q} | {cell(keys[0])} | {cell(keys[1])} | {ratio} | {cell(keys[2])}")
print("\nCPU in the measured window, cores busy (median), server / load generator; and server CPU per delivery:")
print("load | QoS | mcp memory server/client | mosquitto server/client | mcp sqlite server/client")
print("---|---|---|---|---")
for load in ("fanin", "fanout"):
    for q in (0, 1, 2):
        keys = [(s, load, q) for s in ("mcp-memory", "mosquitto", "mcp-sqlite")]
        if not any(k in runs for k in keys):
            continue
        def cores(k):
            a, b, r = med(k, "serverCores"), med(k, "clientCores"), med(k, "deliveredPerS")
            if a is None or b is None:
                return "-"
            return f"{a:.2f} / {b:.2f}" + (f" ({a * 1e6 / r:.1f} us)" if r else "")
        print(f"{load} | {q} | " + " | ".join(cores(k) for k in keys))
print()
for load in ("fanin", "fanout"):
    r = med(("mcp-sqlite", load, 1), "deliveredPerS")
    if r is not None:
        print(f"goal: QoS 1 on SQLite, {load}: {r:,.0f} deliveries/s vs 50,000: {'met' if r >= 50000 else 'MISSED'}")
for load in ("fanin", "fanout"):
    for q in (0, 1, 2):
        a, b = med(("mcp-memory", load, q), "deliveredPerS"), med(("mosquitto", load, q), "deliveredPerS")
        if a and b:
            print(f"goal: in memory ahead of Mosquitto, {load} QoS {q}: {a / b:.2f}x {'met' if a > b else 'MISSED'}")
PY
