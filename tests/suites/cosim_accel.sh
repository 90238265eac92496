#!/usr/bin/env bash
# Program-level co-simulation of the RTL accelerator top against the C model
# (sim/accel_cosim.cpp): random legal programs of every style, GEMMs in every
# PE mode, mutated programs (traps, races, deadlocks) and the directed
# examples must give identical traces, cycle counts, traps and memory. Also
# the output stage alone against cmodel/pe/outstage.c, and `mpe run --backend
# rtl` against the C model on one program.
# usage: tests/suites/cosim_accel.sh BUILD_DIR; ends with "P passed, F failed".
# Skips (0 passed, 0 failed) under MPE_SAN=1: the Verilated model is not
# built with the sanitizers. COSIM_ACCEL_N / _GEMM / _MUTANTS / SEED size it.
. "$(dirname "$0")/../suite_lib.sh"
B=$BUILD
T=$tmp
if [ "${MPE_SAN:-0}" = "1" ]; then
    skip_suite "cosim_accel: skipped under the sanitizers"
fi
N=${COSIM_ACCEL_N:-200}
G=${COSIM_ACCEL_GEMM:-25}
M=${COSIM_ACCEL_MUTANTS:-80}
SEED=${SEED:-$(( $(date +%s) % 100000 ))}

if ! make --no-print-directory BUILD="$B" rtl-sim "$B/sim/accel/tb_outstage" >"$T/build.log" 2>&1; then
    tail -30 "$T/build.log"
    echo "FAIL: building the RTL model (make rtl-sim)"
    echo "0 passed, 1 failed"
    exit 1
fi
SIM="$B/sim/accel/mpe-rtl"

# the output stage alone, random and corner vectors
if "$B/sim/accel/tb_outstage" --seed "$SEED" --n 200000 >"$T/os.log" 2>&1; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    head -12 "$T/os.log"
    echo "FAIL: output stage (repro: $B/sim/accel/tb_outstage --seed $SEED)"
fi

# programs
ASM=()
for f in examples/asm/*.s; do ASM+=(--asm "$f"); done
"$SIM" cosim --seed "$SEED" --n "$N" --gemm "$G" --mutants "$M" --fst-dir "$B/sim/accel" \
    "${ASM[@]}" >"$T/cosim.log" 2>&1
rc=$?
grep -E "^(FAIL|  repro|  waveform)" "$T/cosim.log" | head -30
grep -E "^cosim-accel:" "$T/cosim.log"
p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$T/cosim.log")
f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$T/cosim.log")
if [ -z "$p" ]; then
    tail -5 "$T/cosim.log"
    fail=$((fail + 1))
else
    pass=$((pass + p))
    fail=$((fail + f))
    [ $rc -ne 0 ] && [ "$f" = 0 ] && fail=$((fail + 1))
fi

# mpe run --backend rtl: same outputs and statistics lines as the C model
step=""
run_step() { step=$1; shift; "$@"; }
if run_step "mpe progen" "$MPE" progen --seed "$SEED" --mode double -o "$T/p.mpeb" --expect "$T/exp" \
        >"$T/g.out" 2>&1 &&
    run_step "mpe run (cmodel)" "$MPE" run "$T/p.mpeb" --output-dir "$T/c" --trace "$T/c.trace" \
        >"$T/c.out" 2>&1 &&
    run_step "mpe run --backend rtl" env MPE_RTL_SIM="$SIM" "$MPE" run "$T/p.mpeb" --backend rtl \
        --output-dir "$T/r" --trace "$T/r.trace" >"$T/r.out" 2>&1 &&
    run_step "traces equal" cmp -s "$T/c.trace" "$T/r.trace" &&
    run_step "outputs equal" diff -r -q "$T/c" "$T/r" >/dev/null &&
    run_step "outputs equal the reference" diff -r -q "$T/exp" "$T/r" >/dev/null &&
    run_step "statistics lines equal" diff "$T/c.out" "$T/r.out" >/dev/null; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL: mpe run --backend rtl vs the C model, step '$step' (seed $SEED)"
    for f in g c r; do [ -s "$T/$f.out" ] && head -5 "$T/$f.out"; done
fi
# a clear message when the simulator cannot be found
if MPE_RTL_SIM=/nonexistent/mpe-rtl "$MPE" run "$T/p.mpeb" --backend rtl >"$T/o" 2>"$T/e"; then
    fail=$((fail + 1))
    echo "FAIL: mpe run --backend rtl with no simulator succeeded"
elif grep -q "make rtl-sim" "$T/e" && [ "$(wc -l <"$T/e")" -eq 1 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL: unclear message without a simulator: $(cat "$T/e")"
fi

suite_end
