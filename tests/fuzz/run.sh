#!/usr/bin/env bash
# Runs the libFuzzer harnesses built by `make fuzz-build` (tests/fuzz/fuzz.mk).
#   run.sh --build DIR [--tools DIR] [--seconds N | --runs N] [--smoke]
#          [--only NAME,...] [--replay-only]
# --build  the fuzz build directory (DIR/lf/bin/fuzz_*; seeds, corpora,
#          crash artifacts and logs go to DIR/seeds, DIR/corpus, DIR/crashes,
#          DIR/logs)
# --tools  a build directory with bin/mpe and bin/mpe-gen-onnx for the seeds
# --seconds / --runs   how long each harness fuzzes (one after the other)
# --smoke  fuzz into a throw-away corpus (the seeds are still read)
# --replay-only  only run every input of tests/fuzz/regress/<harness>/ once
# Prints one line per harness (executions, libFuzzer's final cov and ft,
# seconds) and one check per harness run and per regression input, then
# "P passed, F failed". Exits non-zero on any crash, leak, timeout or OOM.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=build/fuzz TOOLS="" SECONDS_EACH=60 RUNS="" SMOKE=0 ONLY="" REPLAY_ONLY=0
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift ;;
    --tools) TOOLS=$2; shift ;;
    --seconds) SECONDS_EACH=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --smoke) SMOKE=1 ;;
    --only) ONLY=$2; shift ;;
    --replay-only) REPLAY_ONLY=1 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
BIN=$BUILD/lf/bin
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
REGRESS=tests/fuzz/regress
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

harnesses=()
for b in "$BIN"/fuzz_*; do
    [ -x "$b" ] || continue
    h=${b##*/fuzz_}
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$h,"* ]]; then continue; fi
    harnesses+=("$h")
done
if [ ${#harnesses[@]} -eq 0 ]; then
    echo "run.sh: no harnesses in $BIN (make fuzz-build)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Per-harness libFuzzer limits: the longest input and the time one may take.
max_len() {
    case $1 in
    compile) echo 16384 ;;
    mpeb) echo 65536 ;;
    *) echo 8192 ;;
    esac
}
FLAGS=(-timeout=25 -rss_limit_mb=2048 -print_final_stats=1)

# replay H: every regression input of H, one check each.
replay() {
    local h=$1 f
    [ -d "$REGRESS/$h" ] || return 0
    for f in "$REGRESS/$h"/*; do
        [ -f "$f" ] || continue
        if "$BIN/fuzz_$h" "${FLAGS[@]}" "$f" >"$BUILD/logs/replay-$h.log" 2>&1; then
            ok "$h: regression input $(basename "$f")"
        else
            bad "$h: regression input $(basename "$f") (log: $BUILD/logs/replay-$h.log)"
            tail -n 30 "$BUILD/logs/replay-$h.log"
        fi
    done
}

# fuzz H: one libFuzzer run; prints its figures.
fuzz() {
    local h=$1 log=$BUILD/logs/$h.log corpus=$BUILD/corpus/$1
    local limit=(-max_total_time="$SECONDS_EACH")
    [ -n "$RUNS" ] && limit=(-runs="$RUNS")
    [ "$SMOKE" = 1 ] && corpus=$(mktemp -d)
    mkdir -p "$corpus" "$BUILD/crashes/$h"
    local dirs=("$corpus")
    [ -d "$BUILD/seeds/$h" ] && dirs+=("$BUILD/seeds/$h")
    [ -d "$REGRESS/$h" ] && dirs+=("$REGRESS/$h")
    "$BIN/fuzz_$h" "${FLAGS[@]}" "${limit[@]}" -max_len="$(max_len "$h")" \
        -artifact_prefix="$BUILD/crashes/$h/" "${dirs[@]}" >"$log" 2>&1
    local rc=$?
    local execs cov ft secs units
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    cov=$(grep -o ' cov: [0-9]*' "$log" | tail -n 1 | tr -dc 0-9)
    ft=$(grep -o ' ft: [0-9]*' "$log" | tail -n 1 | tr -dc 0-9)
    units=$(grep -o ' corp: [0-9]*' "$log" | tail -n 1 | tr -dc 0-9)
    printf '%-8s %10s execs  cov %6s  ft %6s  corpus %5s  %4s s\n' "$h" "${execs:-?}" \
        "${cov:-?}" "${ft:-?}" "${units:-?}" "${secs:-?}"
    [ "$SMOKE" = 1 ] && rm -rf "$corpus"
    if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
        ok "$h: fuzzed ${execs} inputs, no crash"
    else
        bad "$h: libFuzzer exit $rc (log: $log)"
        grep -E 'ERROR|SUMMARY|invariant|Test unit written|artifact' "$log" | head -n 10
    fi
}

mkdir -p "$BUILD/logs"
if [ "$REPLAY_ONLY" = 0 ] && [ -n "$TOOLS" ]; then
    tests/fuzz/seeds.sh "$TOOLS" "$BUILD/seeds"
fi
for h in "${harnesses[@]}"; do
    replay "$h"
    [ "$REPLAY_ONLY" = 1 ] || fuzz "$h"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
