#!/usr/bin/env bash
# make bench: the machine, then the C-model PE throughput table (bench/bench_pe.c).
# usage: scripts/bench.sh [BUILD_DIR] [mpe-bench options...]
set -u
BUILD=${1:-build}
shift || true
cd "$(dirname "$0")/.." || exit 2
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores (the benchmark uses one)"
echo "compiler: $(${CC:-cc} --version | head -n 1); fast path -O3, rest -O2, baseline x86-64 ISA"
exec "$BUILD/bin/mpe-bench" "$@"
