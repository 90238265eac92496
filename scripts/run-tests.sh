#!/usr/bin/env bash
# Runs every test suite against the build in $1 (default build/) and prints,
# last, one line "N passed, N failed" summing all suites.
# Each suite reports "P passed, F failed" on its last line; a suite that dies
# without that line counts as one failure.
set -u
BUILD=${1:-build}
export MPE_BUILD=$BUILD
export MPE_SAN=${MPE_SAN:-0}
# ONNX node-data tests (tests/onnx_node_data.h) fail instead of skipping when
# libonnx-testdata is missing: make test never passes without them
export MPE_REQUIRE_ONNX_DATA=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$(dirname "$0")/.." || exit 2

total_pass=0
total_fail=0
summary=()

# run_suite NAME CMD...: runs CMD, parses its last "P passed, F failed" line.
run_suite() {
    local name=$1; shift
    local log="$BUILD/test-logs/$name.log"
    mkdir -p "$BUILD/test-logs"
    local t0=$SECONDS
    echo "=== suite $name: $*"
    "$@" >"$log" 2>&1
    local rc=$?
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/')
        f=$(echo "$line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/')
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    else
        p=0; f=1
    fi
    if [ "$f" -ne 0 ]; then
        echo "--- $name failed (exit $rc); last lines of $log:"
        tail -n 40 "$log"
    fi
    echo "    $name: $p passed, $f failed ($((SECONDS - t0)) s)"
    summary+=("$name: $p passed, $f failed")
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

# GoogleTest: convert its summary into the common line.
gtest_wrap() {
    local log="$BUILD/test-logs/gtest.raw"
    mkdir -p "$BUILD/test-logs"
    "$BUILD/bin/mpe-tests" --gtest_brief=1 >"$log" 2>&1
    local rc=$?
    cat "$log"
    local passed failed
    passed=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | sed -E 's/.* ([0-9]+) tests?.*/\1/' | tail -n 1)
    failed=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | sed -E 's/.* ([0-9]+) tests?.*/\1/' | tail -n 1)
    passed=${passed:-0}; failed=${failed:-0}
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    echo "$passed passed, $failed failed"
    return $rc
}

run_suite gtest gtest_wrap
for s in tests/suites/*.sh; do
    [ -e "$s" ] || continue
    run_suite "$(basename "$s" .sh)" bash "$s" "$BUILD"
done

echo
echo "Suites:"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
