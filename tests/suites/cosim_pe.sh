#!/usr/bin/env bash
# Quick co-simulation of the RTL PE against the C model (make cosim): the
# FP32 unit against fp32.c, then >= 100,000 ops over every mode with all
# expected coverage bins hit. One count per mode, plus the FP unit and the
# coverage check. Skipped under sanitizers (MPE_SAN=1 or a build/san tree):
# the Verilated models are not rebuilt there.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
if [ "${MPE_SAN:-0}" = 1 ] || [[ "$BUILD" == *san* ]]; then
    echo "cosim_pe: skipped in sanitizer builds"
    echo "0 passed, 0 failed"
    exit 0
fi
# the PE of the C model (cmodel/pe*.c) is written in parallel: until it is
# in libmpe there is nothing to co-simulate against
if ! nm "$BUILD/lib/libmpe.a" 2>/dev/null | grep -q ' T mpe_pe_step$'; then
    echo "$(basename "$0" .sh): libmpe has no mpe_pe_step yet; skipped"
    echo "0 passed, 0 failed"
    exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! make -s --no-print-directory BUILD="$BUILD" cosim-build >"$log" 2>&1; then
    tail -30 "$log"
    echo "0 passed, 1 failed"
    exit 1
fi
pass=0
fail=0
add() {  # add LOGFILE: sums its last "P passed, F failed" line
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then fail=$((fail + 1)); return; fi
    pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
    fail=$((fail + $(echo "$line" | cut -d' ' -f3)))
}
"$BUILD/sim/tb_fpacc" --seed "${SEED:-1}" | tee "$log"
rc1=${PIPESTATUS[0]}
add "$log"
"$BUILD/sim/cosim_pe" --seed "${SEED:-1}" --n 100000 --strict | tee "$log"
rc2=${PIPESTATUS[0]}
add "$log"
if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then [ "$fail" -eq 0 ] && fail=1; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
