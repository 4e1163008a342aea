#!/usr/bin/env bash
# Fuzzes the MCP/1 frame decoder (mcp-fuzz, FrameDecoderFuzzTest) with Jazzer for a bounded time.
#
#   FUZZ_SECONDS=60 .ci/fuzz.sh        # default 60 s of fuzzing (plus build and JVM start-up)
#
# Environment:
#   FUZZ_SECONDS        fuzzing time in seconds (default 60)
#   FUZZ_INPUT_TIMEOUT  seconds one input may take before it counts as a hang (default 10)
#   MAVEN_ARGS          extra Maven arguments, read by Maven itself (e.g. -o)
#
# Builds mcp-wire from the working tree (-am) so that the code under test is the checked-out code,
# not a stale jar in ~/.m2. Everything the fuzzer writes (generated corpus, crash/timeout inputs,
# reproducers, the log) goes to mcp-fuzz/target/jazzer/; the seed corpus under src/test/resources
# is only read. Exits non-zero on a crash, a hang (input slower than FUZZ_INPUT_TIMEOUT), a leak,
# or if the fuzzer did not run at all.
set -euo pipefail

cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_INPUT_TIMEOUT="${FUZZ_INPUT_TIMEOUT:-10}"
WORK="$PWD/mcp-fuzz/target/jazzer"
LOG="$WORK/fuzz.log"

case "$FUZZ_SECONDS$FUZZ_INPUT_TIMEOUT" in
  *[!0-9]*) echo "fuzz: FUZZ_SECONDS and FUZZ_INPUT_TIMEOUT must be whole seconds" >&2; exit 2 ;;
esac

mkdir -p "$WORK"
rm -f "$WORK"/crash-* "$WORK"/timeout-* "$WORK"/leak-* "$WORK"/slow-unit-* "$WORK"/oom-* "$WORK"/Crash_*.java
rm -rf mcp-fuzz/target/surefire-reports

# JAZZER_FUZZ=1: fuzz instead of replaying the seeds. The JUnit timeout below is turned into
# libFuzzer's per-input -timeout by Jazzer; JUnit's own timeout is disabled, or it would stop the
# whole fuzzing run after FUZZ_INPUT_TIMEOUT. mcp-fuzz/pom.xml points Jazzer at $WORK for the
# generated corpus and crash inputs (jazzer.internal.basedir) and instruments org.mcpjava.**.
# libFuzzer's -timeout only covers generated inputs; the test's own watchdog (3x longer, so that
# libFuzzer sees a hang first and saves the input) covers the seed replay before fuzzing starts.
# The hard limit only guards against a wedged JVM; libFuzzer enforces both time limits itself.
echo "fuzz: fuzzing FrameDecoder for ${FUZZ_SECONDS} s (per-input timeout ${FUZZ_INPUT_TIMEOUT} s), log: $LOG"
start=$(date +%s)
set +e
JAZZER_FUZZ=1 timeout --foreground --kill-after=30 $((FUZZ_SECONDS + 900)) \
  ./mvnw -B -pl mcp-fuzz -am test \
    -Dtest=FrameDecoderFuzzTest \
    -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.max_duration="${FUZZ_SECONDS}s" \
    -Djunit.jupiter.execution.timeout.testtemplate.method.default="${FUZZ_INPUT_TIMEOUT}s" \
    -Djunit.jupiter.execution.timeout.mode=disabled \
    -Dmcp.fuzz.watchdogSeconds=$((3 * FUZZ_INPUT_TIMEOUT)) \
    -Dio.netty.leakDetection.acquireAndReleaseOnly=true \
    >"$LOG" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))

# libFuzzer's last status line, e.g. "#1234567 DONE cov: 245 ft: 1302 corp: 180/9876b ...".
done_line=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$LOG" | tail -n 1 || true)
runs_line=$(grep -aE '^Done [0-9]+ runs in [0-9]+ second' "$LOG" | tail -n 1 || true)
last_line=$(grep -aE '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE|DONE|INITED)' "$LOG" | tail -n 1 || true)
findings=$(find "$WORK" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' \
  -o -name 'slow-unit-*' -o -name 'oom-*' \) | sort)

if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then
  echo "----- last 80 lines of $LOG -----"
  tail -n 80 "$LOG"
  echo "---------------------------------"
  # The test's own reports: the watchdog's HANG (in the log), Netty's LEAK (in the test output).
  grep -ahE '^(HANG|LEAK):' "$LOG" mcp-fuzz/target/surefire-reports/*-output.txt 2>/dev/null \
    | cut -c1-600 | head -n 5 | sed 's/^/fuzz: /' || true
  [ -n "$last_line" ] && echo "fuzz: last libFuzzer status: $last_line"
  if [ -n "$findings" ]; then
    echo "fuzz: finding(s) saved (fix the bug, then add them to mcp-fuzz/src/test/resources/org/mcpjava/fuzz/FrameDecoderFuzzTestInputs/decode/):"
    printf '  %s\n' $findings
  fi
  [ "$rc" -eq 124 ] && echo "fuzz: the build hit the hard time limit"
  echo "fuzz: ${elapsed} s, FAILED (exit code $rc)"
  exit $(( rc == 0 ? 1 : rc ))
fi

if [ -z "$done_line" ] || [ -z "$runs_line" ]; then
  echo "----- last 40 lines of $LOG -----"
  tail -n 40 "$LOG"
  echo "fuzz: ${elapsed} s, FAILED: the build passed but libFuzzer reported no finished run (did it fuzz at all?)"
  exit 1
fi

execs=$(echo "$runs_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
fuzz_s=$(echo "$runs_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
cov=$(echo "$done_line" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
ft=$(echo "$done_line" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
corp=$(echo "$done_line" | sed -nE 's/.* corp: ([^ ]+).*/\1/p')
echo "fuzz: libFuzzer: $done_line"
echo "fuzz: ${elapsed} s (${fuzz_s} s fuzzing), ${execs} execs ($(( execs / (fuzz_s > 0 ? fuzz_s : 1) ))/s), cov ${cov:-?} ft ${ft:-?} corpus ${corp:-?}, no crash"
