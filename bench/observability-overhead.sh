#!/usr/bin/env bash
# Cost of metrics and tracing: `mcp bench` against `mcp server` with them off and on, in the same
# sitting, alternating (off, metrics, full, off, ...) so that the machine's background load falls
# on every variant alike; a table of median throughput and of the server's CPU time per request
# (from /proc), each against `off`. docs/benchmarks.md ("Observability overhead") has the figures.
#
#   bench/observability-overhead.sh                          3 rounds, scenario C (16 x 16, 64 B)
#   ROUNDS=2 WARMUP=3 DURATION=5 SCENARIOS="B C" VARIANTS="off full full-all" bench/observability-overhead.sh
#
# Needs the packaged tool: ./mvnw -q package -pl mcp-cli -am -DskipTests
# Variants (VARIANTS="off metrics full" by default):
#   off      --no-metrics --no-tracing --no-admin (the server before observability)
#   metrics  metrics on, served on the admin port and scraped every SCRAPE_EVERY (5) seconds
#   full     metrics as above + --tracing with the server's tracing.sample-ratio (RATIO=... to change
#            it): that share of the benchmark's requests (which carry no trace context) start a
#            trace, the rest pass untouched
#   full-all as full, with tracing.sample-ratio=1: every request gets a span
# Tracing runs the OpenTelemetry SDK with its sampler SAMPLER (default parentbased_always_on;
# SAMPLER_ARG for ratio samplers) and OTEL_TRACES_EXPORTER=EXPORTER (default none: spans are
# created and ended, not exported). EXTRA_JAVA_OPTS adds server and client JVM options.
# Results: bench/results/observability-<timestamp>.txt (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
SCENARIOS=${SCENARIOS:-"C"}
VARIANTS=${VARIANTS:-"off metrics full"}
PORT=${PORT:-19880}
ADMIN_PORT=${ADMIN_PORT:-19881}
export MCP_JAVA_OPTS="-Xms1g -Xmx1g -XX:+UseG1GC -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled ${EXTRA_JAVA_OPTS:-}"
export MCP_NO_BUILD=1
[[ -f mcp-cli/target/mcp.jar ]] || { echo "build first: ./mvnw -q package -pl mcp-cli -am -DskipTests" >&2; exit 1; }

declare -A DEF=( [A]="1 1 64" [B]="1 64 64" [C]="16 16 64" [D]="4 16 4096" )
mkdir -p bench/results
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results/observability-$TS.txt
echo "# observability-overhead $TS rounds=$ROUNDS warmup=${WARMUP}s duration=${DURATION}s cpus=$(nproc)" \
     "load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" java=\"$(java -version 2>&1 | head -1)\"" | tee "$OUT"

run() { # variant scenario round
  read -r c n s <<<"${DEF[$2]}"
  local log=bench/results/server-$TS-$1-$2-$3.log flags=() scraper=""
  case $1 in
    off) flags=(--no-metrics --no-tracing --no-admin) ;;
    metrics) flags=(--metrics --no-tracing --admin-port "$ADMIN_PORT") ;;
    full) flags=(--metrics --tracing --admin-port "$ADMIN_PORT" ${RATIO:+--set tracing.sample-ratio=$RATIO}) ;;
    full-all) flags=(--metrics --tracing --admin-port "$ADMIN_PORT" --set tracing.sample-ratio=1) ;;
  esac
  OTEL_TRACES_EXPORTER=${EXPORTER:-none} OTEL_TRACES_SAMPLER=${SAMPLER:-parentbased_always_on} \
      OTEL_TRACES_SAMPLER_ARG=${SAMPLER_ARG:-1.0} bin/mcp server --host 127.0.0.1 --port "$PORT" --store memory \
      --log-level warn "${flags[@]}" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do grep -q listening "$log" 2>/dev/null && break; sleep 0.1; done
  if [[ $1 != off ]]; then
    (while kill -0 "$pid" 2>/dev/null; do curl -s -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics" || true; sleep "${SCRAPE_EVERY:-5}"; done) &
    scraper=$!
  fi
  # Warm the server up with a run of its own, then measure; the server's CPU time over the measured
  # run (from /proc) divided by its requests is its cost per request, which the load of other
  # processes on the machine moves far less than throughput.
  bin/mcp bench -H 127.0.0.1 -p "$PORT" -c "$c" -n "$n" -s "$s" -w 0s -d "${WARMUP}s" --json --no-progress >/dev/null || true
  local jpid cpu0 cpu1 json
  jpid=$(pgrep -f -n "mcp.jar server --host 127.0.0.1 --port $PORT" || echo "$pid")
  cpu0=$(awk '{print $14 + $15}' "/proc/$jpid/stat")
  json=$(bin/mcp bench -H 127.0.0.1 -p "$PORT" -c "$c" -n "$n" -s "$s" -w 0s -d "${DURATION}s" --json --no-progress || true)
  cpu1=$(awk '{print $14 + $15}' "/proc/$jpid/stat")
  json=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); t=int(sys.argv[2]); d["serverCpuUsPerReq"]=round((int(sys.argv[3])-int(sys.argv[2]))*1e6/int(sys.argv[4])/max(1,d["requests"]),3); print(json.dumps(d))' \
      "$json" "$cpu0" "$cpu1" "$(getconf CLK_TCK)" 2>/dev/null || echo "$json")
  [[ -n $scraper ]] && kill "$scraper" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "RUN variant=$1 round=$3 scenario=$2 $json" | tee -a "$OUT"
}

for r in $(seq 1 "$ROUNDS"); do
  for sc in $SCENARIOS; do
    for v in $VARIANTS; do
      run "$v" "$sc" "$r"
    done
  done
done

python3 - "$OUT" <<'PY'
import json, re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"RUN variant=([\w-]+) round=(\d+) scenario=(\w) (.*)", line.strip())
    if m and m.group(4).startswith("{"):
        d = json.loads(m.group(4))
        runs.setdefault((m.group(3), m.group(1)), []).append(d)
print("\nscenario | variant | runs req/s | median req/s | median p50/p99 us | vs off | server CPU us/req (median) | vs off")
for (sc, v) in sorted(runs, key=lambda k: (k[0], ["off", "metrics", "full", "full-all"].index(k[1]) if k[1] in ("off", "metrics", "full", "full-all") else 9)):
    rs = runs[(sc, v)]
    med = statistics.median(r["rps"] for r in rs)
    base = runs.get((sc, "off"))
    ratio = med / statistics.median(r["rps"] for r in base) if base else float("nan")
    each = ", ".join("{:,.0f}".format(r["rps"]) for r in rs)
    p50 = statistics.median(r["p50Us"] for r in rs)
    p99 = statistics.median(r["p99Us"] for r in rs)
    cpu = statistics.median(r.get("serverCpuUsPerReq", float("nan")) for r in rs)
    cpu_base = statistics.median(r.get("serverCpuUsPerReq", float("nan")) for r in base) if base else float("nan")
    print(f"{sc} | {v} | {each} | {med:,.0f} | {p50:.0f}/{p99:.0f} | {ratio:.1%} | {cpu:.2f} | {cpu / cpu_base:.1%}")
PY
