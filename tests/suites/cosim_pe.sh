#!/usr/bin/env bash
# Quick co-simulation of the RTL PE against the C model (make cosim): the
# FP32 unit against fp32.c, then >= 100,000 ops over every mode with all
# expected coverage bins hit. One count per mode, plus the FP unit, the
# coverage check and a self-test of the failure path (--inject-fail: the run
# must fail, print a reproduction line that fails again, and write an FST
# waveform). Skipped under sanitizers (MPE_SAN=1 or a build/san tree):
# the Verilated models are not rebuilt there.
SUITE_NO_MPE=1
. "$(dirname "$0")/../suite_lib.sh"
if [ "${MPE_SAN:-0}" = 1 ] || [[ "$BUILD" == *san* ]]; then
    skip_suite "cosim_pe: skipped in sanitizer builds"
fi
# the PE of the C model (cmodel/pe*.c) is written in parallel: until it is
# in libmpe there is nothing to co-simulate against
if ! nm "$BUILD/lib/libmpe.a" 2>/dev/null | grep -q ' T mpe_pe_step$'; then
    skip_suite "$(basename "$0" .sh): libmpe has no mpe_pe_step yet; skipped"
fi
log=$tmp/log
tmpd=$tmp
if ! make -s --no-print-directory BUILD="$BUILD" cosim-build >"$log" 2>&1; then
    tail -30 "$log"
    echo "0 passed, 1 failed"
    exit 1
fi
add() {  # add LOGFILE: sums its last "P passed, F failed" line
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then fail=$((fail + 1)); return; fi
    pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
    fail=$((fail + $(echo "$line" | cut -d' ' -f3)))
}
run_counted() {  # run_counted CMD...: runs it, adds its counts; a non-zero exit is a failure
    "$@" | tee "$log"
    local rc=${PIPESTATUS[0]}
    add "$log"
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
}
run_counted "$BUILD/sim/tb_fpacc" --seed "${SEED:-1}"
run_counted "$BUILD/sim/cosim_pe" --seed "${SEED:-1}" --n 100000 --strict

# Self-test of the failure path: --inject-fail N corrupts the model's result
# in case N. The run must exit non-zero, print a "reproduce:" line that keeps
# --inject-fail (so rerunning it fails too) and write the case's waveform to
# the --waves file.
inject_selftest() {
    local wave="$tmpd/inject.fst" ilog="$tmpd/inject.log" rlog="$tmpd/rerun.log" rc cmd
    "$BUILD/sim/cosim_pe" --seed 1 --n 100 --inject-fail 5 --waves "$wave" >"$ilog" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then echo "FAIL: --inject-fail 5 run exited 0"; return 1; fi
    grep -E '^MISMATCH seed 1 case 5 ' "$ilog" >/dev/null ||
        { echo "FAIL: no MISMATCH line for the injected case 5"; return 1; }
    cmd=$(sed -n 's/^reproduce: //p' "$ilog" | head -n 1)
    if [ -z "$cmd" ]; then echo "FAIL: no 'reproduce:' line"; return 1; fi
    case " $cmd " in
    *" --inject-fail 5 "*) ;;
    *) echo "FAIL: reproduce line drops --inject-fail: $cmd"; return 1 ;;
    esac
    if grep -q 'built without --trace-fst' "$ilog"; then
        echo "note: binary built without --trace-fst, waveform not checked"
    elif [ ! -s "$wave" ]; then
        echo "FAIL: no non-empty waveform at $wave"; return 1
    fi
    # the printed command reproduces the failure
    local -a argv
    read -r -a argv <<<"$cmd"
    "${argv[@]}" >"$rlog" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] || ! grep -qE '^MISMATCH seed 1 case 5 ' "$rlog"; then
        echo "FAIL: the reproduce command did not fail again (exit $rc): $cmd"; return 1
    fi
    echo "pass: --inject-fail self-test (exit $rc, reproduce line, $(wc -c <"$wave") byte FST)"
}
if inject_selftest; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

# The PE built with LUT_PPC=2 (two LUT weight planes per cycle, the area
# point of synth/designs.txt lut_w2a8_p2*) against the C model's
# mpe_pe_set_lut_ppc(2): same results, ceil(planes / 2) cycles per LUT op.
PPC2="$BUILD/sim_ppc2"
if make -s --no-print-directory BUILD="$BUILD" SIM_BUILD="$PPC2" COSIM_LUT_PPC=2 \
        "$PPC2/cosim_pe" >"$log" 2>&1; then
    run_counted "$PPC2/cosim_pe" --seed "${SEED:-1}" --n 100000 --strict
else
    tail -30 "$log"
    fail=$((fail + 1))
fi
suite_end
