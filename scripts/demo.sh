#!/usr/bin/env bash
# make demo: the example model (examples/mlp_mixed, written by the project's
# generator build/bin/mpe-gen-onnx) is regenerated, compiled, run on the C
# model and on the RTL, and checked against its expected outputs; prints the
# PE mode chosen per layer, cycles and PE-array utilization. Fails (exit 1,
# one line) when the C model or the RTL differs or the RTL backend is missing.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 2
MPE=$BUILD/bin/mpe
GEN=$BUILD/bin/mpe-gen-onnx
OUT=$BUILD/demo
MODEL=$OUT/mlp_mixed

rm -rf "$OUT" && mkdir -p "$OUT" || exit 2
echo "== 1. the example model: a 5-layer QDQ MLP (float in/out) with int8, int4,"
echo "      ternary, binary and asymmetric uint8 weights (mpe-gen-onnx demo)"
"$GEN" demo "$MODEL" || exit 1
if diff -rq "$MODEL" examples/mlp_mixed --exclude=README.md >/dev/null; then
    echo "   regenerated: identical to examples/mlp_mixed"
else
    echo "   regenerated: DIFFERS from examples/mlp_mixed (generator changed?)"
fi

echo "== 2. mpe compile"
"$MPE" compile "$MODEL/model.onnx" -o "$OUT/mlp_mixed.mpeb" --emit-asm "$OUT/mlp_mixed.s" \
    --report "$OUT/mlp_mixed.json" || exit 1
echo "   $OUT/mlp_mixed.mpeb: $(stat -c %s "$OUT/mlp_mixed.mpeb") bytes," \
     "$(grep -c '^    ' "$OUT/mlp_mixed.s") instructions (listing $OUT/mlp_mixed.s," \
     "report $OUT/mlp_mixed.json)"

echo "== 3. C model (cycle exact), every data set against the expected outputs"
"$MPE" test-onnx "$MODEL" --backend cmodel --summary
rc_c=$?

echo "== 4. RTL (the Verilated accelerator top, through mpe/backend_rtl.h)"
if [ ! -x "$BUILD/sim/accel/mpe-rtl" ] && [ -z "${MPE_RTL_SIM:-}" ]; then
    echo "   building the RTL simulator: make rtl-sim (log $OUT/rtl-sim.log)"
    make --no-print-directory BUILD="$BUILD" rtl-sim >"$OUT/rtl-sim.log" 2>&1 ||
        echo "   make rtl-sim failed (see the log)"
fi
"$MPE" test-onnx "$MODEL" --backend rtl --summary
rc_r=$?

echo
if [ $rc_r -eq 3 ]; then
    echo "demo: FAILED: the RTL backend is not available (C model exit $rc_c; make rtl-sim" \
         "builds the simulator$([ -f "$OUT/rtl-sim.log" ] && echo ", log $OUT/rtl-sim.log"))"
    exit 1
fi
if [ $rc_c -eq 0 ] && [ $rc_r -eq 0 ]; then
    echo "demo: C model matches the expected outputs bit for bit, RTL too"
    exit 0
fi
echo "demo: FAILED (C model exit $rc_c, RTL exit $rc_r)"
exit 1
