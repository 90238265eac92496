#!/usr/bin/env bash
# make bench: every benchmark in one run, the machine noted first.
#   1. C-model PE throughput per mode, structural and fast path (bench/bench_pe.c)
#   2. PE co-simulation speed per mode: vectors/s and simulated cycles/s (make bench-cosim)
#   3. accelerator: RTL and C-model speed and PE-array utilization of the
#      512x512x512 GEMM of every mode with double buffering (make bench-rtl)
#   4. compiler: compile time and peak memory, 100 M 4-bit weights (scripts/bench-compile.sh)
# usage: scripts/bench.sh [BUILD_DIR] [mpe-bench options...]
# BENCH_PARTS=1,3 runs a subset. Exit status non-zero if a part fails.
set -u
BUILD=${1:-build}
shift || true
cd "$(dirname "$0")/.." || exit 2
PARTS=",${BENCH_PARTS:-1,2,3,4},"
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores (each benchmark uses one), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "compiler: $(${CC:-cc} --version | head -n 1); fast path -O3, rest -O2, baseline x86-64 ISA"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
rc=0
part() { [[ $PARTS == *",$1,"* ]]; }
if part 1; then
    echo; echo "== 1. C-model PE throughput"
    "$BUILD/bin/mpe-bench" "$@" || rc=1
fi
if part 2; then
    echo; echo "== 2. PE co-simulation speed (Verilator RTL in lockstep with the C model)"
    make --no-print-directory BUILD="$BUILD" bench-cosim || rc=1
fi
if part 3; then
    echo; echo "== 3. accelerator: 512x512x512 GEMM per mode, RTL and C model"
    make --no-print-directory BUILD="$BUILD" bench-rtl || rc=1
fi
if part 4; then
    echo; echo "== 4. compiler"
    scripts/bench-compile.sh "$BUILD" || rc=1
fi
exit $rc
