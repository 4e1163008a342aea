#!/usr/bin/env bash
# Side-by-side request/response benchmark: `mcp bench` against `mcp server`, then the raw Netty
# baseline of ../shared/peers (when present), in the same sitting, with the same JVM flags and
# the same closed-loop scenarios, and a table of the ratios.
#
#   bench/rpc-vs-netty.sh                    all scenarios, 2 rounds
#   ROUNDS=1 WARMUP=3 DURATION=5 SCENARIOS="B C" bench/rpc-vs-netty.sh
#   PEERS="netty rsocket" bench/rpc-vs-netty.sh   also the best framework, for its p99
#
# Scenarios (as in ../shared/peers): A 1x1 64 B (latency), B 1x64 64 B, C 16x16 64 B, D 4x16 4 KiB.
# Results: bench/results/rpc-<timestamp>.txt (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
SCENARIOS=${SCENARIOS:-"A B C D"}
PEERS_DIR=${PEERS_DIR:-../shared/peers}
PORT=${PORT:-19880}
PEERS=${PEERS:-netty}
# The same flags ../shared/peers gives every JVM.
export MCP_JAVA_OPTS="-Xms1g -Xmx1g -XX:+UseG1GC -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled ${EXTRA_OPTS:-}"
export MCP_NO_BUILD=0

declare -A DEF=( [A]="1 1 64" [B]="1 64 64" [C]="16 16 64" [D]="4 16 4096" )
mkdir -p bench/results
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results/rpc-$TS.txt
bin/mcp --version >/dev/null   # builds the tool if needed
export MCP_NO_BUILD=1
echo "# rpc-vs-netty $TS rounds=$ROUNDS warmup=${WARMUP}s duration=${DURATION}s cpus=$(nproc)" \
     "cpu=\"$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)\" java=\"$(java -version 2>&1 | head -1)\"" | tee "$OUT"

run_mcp() { # scenario round
  read -r c n s <<<"${DEF[$1]}"
  local log=bench/results/server-$TS-$1-$2.log
  bin/mcp server --host 127.0.0.1 --port "$PORT" --store memory >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do grep -q listening "$log" 2>/dev/null && break; sleep 0.1; done
  local json
  json=$(bin/mcp bench -H 127.0.0.1 -p "$PORT" -c "$c" -n "$n" -s "$s" -w "${WARMUP}s" -d "${DURATION}s" --json --no-progress || true)
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "MCP round=$2 scenario=$1 $json" | tee -a "$OUT"
}

run_netty() { # scenario round
  if [[ -x $PEERS_DIR/run.sh ]]; then
    # shellcheck disable=SC2086
    (cd "$PEERS_DIR" && WARMUP=$WARMUP DURATION=$DURATION ROUNDS=1 SCENARIOS="$1" IPERF=0 BASE_PORT=$((17000 + RANDOM % 2000)) ./run.sh $PEERS) \
      | grep '^RESULT' | sed "s/round=1/round=$2/" | tee -a "$OUT"
  fi
}

[[ -x $PEERS_DIR/run.sh ]] || echo "# $PEERS_DIR not present: no baseline" | tee -a "$OUT"
# Interleaved (mcp, netty) per scenario and round, so slow drifts of a noisy machine hit both sides alike.
for r in $(seq 1 "$ROUNDS"); do
  for sc in $SCENARIOS; do
    run_mcp "$sc" "$r"
    run_netty "$sc" "$r"
  done
done

# Summary: median over rounds of rps and p99 for each side, and the ratio.
python3 - "$OUT" <<'PY'
import json, re, statistics, sys
mcp, netty, others = {}, {}, {}
for line in open(sys.argv[1]):
    if line.startswith("MCP "):
        m = re.match(r"MCP round=(\d+) scenario=(\w) (.*)", line.strip())
        if m and m.group(3).startswith("{"):
            d = json.loads(m.group(3))
            mcp.setdefault(m.group(2), []).append((d["rps"], d["p99Us"], d["p50Us"]))
    elif line.startswith("RESULT"):
        kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
        row = (float(kv["rps"]), float(kv["p99_us"]), float(kv["p50_us"]))
        if kv.get("peer") == "netty":
            netty.setdefault(kv["scenario"], []).append(row)
        else:
            others.setdefault(kv.get("peer"), {}).setdefault(kv["scenario"], []).append(row)
print("\nscenario | mcp req/s | mcp p50/p99 us | netty req/s | netty p50/p99 us | mcp/netty")
for sc in sorted(set(mcp) | set(netty)):
    a, b = mcp.get(sc, []), netty.get(sc, [])
    med = lambda xs, i: statistics.median(x[i] for x in xs) if xs else float("nan")
    ratio = med(a, 0) / med(b, 0) if a and b else float("nan")
    print(f"{sc} | {med(a,0):,.0f} | {med(a,2):.1f}/{med(a,1):.1f} | {med(b,0):,.0f} | {med(b,2):.1f}/{med(b,1):.1f} | {ratio:.0%}")
for peer, rows in sorted(others.items()):
    print(f"\nscenario | {peer} req/s | {peer} p50/p99 us | mcp p99 us | mcp/{peer} req/s")
    for sc in sorted(rows):
        a, c = mcp.get(sc, []), rows[sc]
        med = lambda xs, i: statistics.median(x[i] for x in xs) if xs else float("nan")
        print(f"{sc} | {med(c,0):,.0f} | {med(c,2):.1f}/{med(c,1):.1f} | {med(a,1):.1f} | {med(a,0)/med(c,0):.2f}x")
PY
