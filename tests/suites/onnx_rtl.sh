#!/usr/bin/env bash
# The compiler end to end on the RTL (mpe test-onnx --backend rtl, the
# Verilated accelerator top run through the process backend of
# mpe/backend_rtl.h): the seven ONNX backend node tests for quantized
# operators, every generated model of tests/onnx (QDQ, MatMulNBits, folded
# weight glue, 3x3 convolutions fed by other convolutions) and the demo model, every data set. Outputs must match
# bit for bit (within tolerance for the float MatMulNBits output) and the
# cycle count must equal the C model's; then the models that --mode bfp
# (int8 layers as MXINT8, proven exact) can run, in that mode. Builds the simulator (make rtl-sim)
# when it is missing; skipped (0 passed, 0 failed) under sanitizers
# (MPE_SAN=1) and when it cannot be built. Last line: "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
NODE=${MPE_ONNX_NODE_DIR:-/usr/share/libonnx-testdata/data/node}
if [ "${MPE_SAN:-0}" = 1 ] || [[ "$BUILD" == *san* ]]; then
    skip_suite "skipped under sanitizers"
fi
if [ ! -x "$BUILD/sim/accel/mpe-rtl" ] && [ -z "${MPE_RTL_SIM:-}" ]; then
    make --no-print-directory BUILD="$BUILD" rtl-sim >/dev/null 2>&1 ||
        echo "make rtl-sim failed"
fi
"$MPE" test-onnx examples/mlp_mixed --backend rtl >/dev/null 2>&1
if [ $? -eq 3 ]; then
    "$MPE" test-onnx examples/mlp_mixed --backend rtl 2>&1 | head -n 1
    skip_suite "skipped: RTL backend not available"
fi
dirs=()
for t in test_qlinearmatmul_2D test_qlinearmatmul_3D test_qlinearconv test_matmulinteger \
         test_basic_convinteger test_convinteger_with_padding test_convinteger_without_padding; do
    dirs+=("$NODE/$t")
done
for d in tests/onnx/*/; do
    dirs+=("${d%/}")
done
dirs+=(examples/mlp_mixed)
# --mode bfp (int8 layers as MXINT8 where proven exact, docs/compiler.md)
for d in tests/onnx/qdq_bfp_mlp_pow2 tests/onnx/qdq_bfp_conv3x3_pow2 tests/onnx/qdq_matmul_i8_tensor; do
    dirs+=("$d --mode bfp")
done
# --mode lut on the models whose weights all fit it (int4, ternary): multi-plane
# LUT ops on the default architecture's lut_ppc 2 PEs
for d in tests/onnx/qdq_mlp_lowbit tests/onnx/qdq_matmul_rank3_u8; do
    dirs+=("$d --mode lut")
done
for e in "${dirs[@]}"; do
    read -r d opts <<<"$e"
    # shellcheck disable=SC2086 # opts: words
    rtl=$("$MPE" test-onnx "$d" --backend rtl $opts 2>&1)
    rc=$?
    # shellcheck disable=SC2086
    cm=$("$MPE" test-onnx "$d" --backend cmodel $opts 2>&1)
    echo "$rtl"
    p=$(grep -c ': pass ' <<<"$rtl")
    f=$(grep -c ': FAIL ' <<<"$rtl")
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    # the same cycle counts as the C model, data set by data set
    if [ "$(sed -nE 's/.*\[rtl ([0-9]+) cycles.*/\1/p' <<<"$rtl")" != \
         "$(sed -nE 's/.*\[cmodel ([0-9]+) cycles.*/\1/p' <<<"$cm")" ]; then
        echo "FAIL: $e: RTL and C-model cycle counts differ"
        f=$((f + 1))
    fi
    pass=$((pass + p))
    fail=$((fail + f))
done
suite_end
