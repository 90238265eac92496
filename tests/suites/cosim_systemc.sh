#!/usr/bin/env bash
# SystemC testbench (verilator --sc, Debian libsystemc): the Verilated PE and
# an SC_MODULE wrapping the C model on one sc_clock, compared by a
# scoreboard. Skipped under sanitizers (MPE_SAN=1 or a build/san tree).
SUITE_NO_MPE=1
. "$(dirname "$0")/../suite_lib.sh"
if [ "${MPE_SAN:-0}" = 1 ] || [[ "$BUILD" == *san* ]]; then
    skip_suite "cosim_systemc: skipped in sanitizer builds"
fi
# the PE of the C model (cmodel/pe*.c) is written in parallel: until it is
# in libmpe there is nothing to co-simulate against
if ! nm "$BUILD/lib/libmpe.a" 2>/dev/null | grep -q ' T mpe_pe_step$'; then
    skip_suite "$(basename "$0" .sh): libmpe has no mpe_pe_step yet; skipped"
fi
log=$tmp/log
if ! make -s --no-print-directory BUILD="$BUILD" "$BUILD/sim/sc_pe" >"$log" 2>&1; then
    tail -30 "$log"
    echo "0 passed, 1 failed"
    exit 1
fi
# SC_REPORT noise goes to stdout; the last line is the count (the testbench
# prints the closing line; not exec, so that the temp dir is removed)
"$BUILD/sim/sc_pe" --seed "${SEED:-1}" --n 4000
exit
