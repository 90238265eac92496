#!/usr/bin/env bash
# The compiler end to end on the C model (mpe test-onnx): every data set of
#  - the ONNX backend node tests for quantized operators (Debian
#    libonnx-testdata): QLinearMatMul 2D/3D, QLinearConv, MatMulInteger,
#    ConvInteger (basic, with and without padding) -- bit for bit;
#  - tests/onnx/* (QDQ per-tensor/per-channel, int8/uint8, bias, Relu/Clip,
#    convolutions, 3x3 convolutions fed by other convolutions (qdq_conv3x3_*,
#    the im2col gather), constant weights behind Transpose/Reshape/Flatten
#    (qdq_fold_*); MatMulNBits 2/4/8 bits with/without zero points), written
#    by build/bin/mpe-gen-onnx with expected outputs from its own reference
#    (integer outputs bit for bit, float outputs within tolerance);
#  - examples/mlp_mixed (the demo model);
#  - the QDQ models again with every layer forced to bitserial mode (it holds
#    any integer weight) and the demo with every mode that can run it,
#    so that different PE datapaths must agree;
#  - the int8-activation models that --mode bfp (MXINT8, proven exact) can
#    run, bit for bit, on five architectures.
# Also checks that the generator reproduces tests/onnx and the demo model
# byte for byte, and that a wrong or missing expected output is reported. One count per model/data set; last line "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
GEN=$BUILD/bin/mpe-gen-onnx
NODE=${MPE_ONNX_NODE_DIR:-/usr/share/libonnx-testdata/data/node}

# run DIR [options]: counts the pass/FAIL lines of mpe test-onnx
run() {
    local dir=$1 out p f
    shift
    out=$("$MPE" test-onnx "$dir" "$@" 2>&1)
    local rc=$?
    last_out=$out
    echo "$out"
    p=$(grep -c ': pass ' <<<"$out")
    f=$(grep -c ': FAIL ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL: mpe test-onnx $dir $* exited $rc"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
}

for t in test_qlinearmatmul_2D test_qlinearmatmul_3D test_qlinearconv test_matmulinteger \
         test_basic_convinteger test_convinteger_with_padding test_convinteger_without_padding; do
    if [ -d "$NODE/$t" ]; then
        run "$NODE/$t"
    else
        echo "FAIL: $NODE/$t missing (install libonnx-testdata: make deps)"
        fail=$((fail + 1))
    fi
done

for d in tests/onnx/*/; do
    run "${d%/}"
done
run examples/mlp_mixed

for d in tests/onnx/qdq_*/; do
    run "${d%/}" --mode bitserial
done
for m in mac shiftadd lut; do
    for d in tests/onnx/qdq_matmul_rank3_u8 tests/onnx/qdq_matmul_i8_tensor; do
        if "$MPE" compile "$d/model.onnx" --mode $m --dump-after choose_mode >/dev/null 2>&1; then
            run "$d" --mode $m
        fi
    done
done

# LUT ops with 1, 2 (default) and 4 weight planes per cycle: the same outputs,
# fewer cycles with more planes per cycle (int4 and ternary weights)
for p in 1 2 4; do
    printf 'lut_ppc %s\n' "$p" >"$tmp/ppc$p.cfg"
    run tests/onnx/qdq_mlp_lowbit --mode lut --arch "$tmp/ppc$p.cfg"
    cyc[$p]=$(sed -nE '1s/.*\[cmodel ([0-9]+) cycles.*/\1/p' <<<"$last_out")
done
if [ -n "${cyc[1]}" ] && [ "${cyc[1]}" -gt "${cyc[2]}" ] && [ "${cyc[2]}" -gt "${cyc[4]}" ]; then
    pass=$((pass + 1)); echo "pass: lut_ppc 1/2/4 cycles ${cyc[1]} > ${cyc[2]} > ${cyc[4]}"
else
    fail=$((fail + 1)); echo "FAIL: lut_ppc 1/2/4 cycles not decreasing: ${cyc[1]:-?} ${cyc[2]:-?} ${cyc[4]:-?}"
fi

# other architectures: more rows/columns/lanes, narrow beats, tiny scratchpads
printf 'rows 8\ncols 8\nlanes 32\n' >"$tmp/a1.cfg"
printf 'rows 2\ncols 4\nlanes 8\nbeat_bytes 8\n' >"$tmp/a2.cfg"
printf 'rows 1\ncols 16\nlanes 64\nbeat_bytes 64\nasp_bytes 16384\nwsp_bytes 16384\n' >"$tmp/a3.cfg"
printf 'rows 16\ncols 8\nlanes 16\nbeat_bytes 32\nosp_bytes 4096\npsp_bytes 1024\n' >"$tmp/a4.cfg"
for a in a1 a2 a3 a4; do
    for d in "$NODE/test_qlinearconv" "$NODE/test_convinteger_with_padding" \
             tests/onnx/qdq_mlp_mixed tests/onnx/qdq_conv_i8_channel tests/onnx/nbits_b4_nozp \
             tests/onnx/qdq_gemm_u8w_zp_relu6 examples/mlp_mixed; do
        [ -d "$d" ] && run "$d" --arch "$tmp/$a.cfg"
    done
done

# --mode bfp: int8 layers as MXINT8 (every block scale 2^6) where the compiler
# proves them bit exact (docs/compiler.md): the int8-activation models on
# which the proof holds (qdq_bfp_*: zero points != 0, power-of-two scales,
# a gathered 3x3 convolution with K padded to whole 32-element blocks), on
# the default architecture and on 32, 8 and 64 lanes (64: two blocks per op)
for d in tests/onnx/qdq_bfp_mlp_pow2 tests/onnx/qdq_bfp_conv3x3_pow2 tests/onnx/qdq_matmul_i8_tensor; do
    run "$d" --mode bfp
    for a in a1 a2; do
        run "$d" --mode bfp --arch "$tmp/$a.cfg"
    done
done
for a in a3 a4; do # 3x3 gather: K too large for a3, 32-byte beats on a4 (as without bfp)
    for d in tests/onnx/qdq_bfp_mlp_pow2 tests/onnx/qdq_matmul_i8_tensor; do
        run "$d" --mode bfp --arch "$tmp/$a.cfg"
    done
done

# the im2col gather with 8-row and 2-row tiles, 32 and 8 lanes (a3 and a4
# cannot run it: K too large for a3's weight scratchpad with 64-lane channel
# segments; a4's 32-byte beats are wider than a 16-lane output vector row)
for a in a1 a2; do
    for d in tests/onnx/qdq_conv3x3_c24 tests/onnx/qdq_conv3x3_stride2_chain \
             tests/onnx/qdq_conv3x3_deep tests/onnx/qdq_conv3x3_fork; do
        run "$d" --arch "$tmp/$a.cfg"
    done
done

# the generator is the source of the committed models
if "$GEN" tests "$tmp/onnx" >/dev/null && diff -r tests/onnx "$tmp/onnx" >/dev/null; then
    echo "pass: mpe-gen-onnx tests reproduces tests/onnx"
    pass=$((pass + 1))
else
    echo "FAIL: mpe-gen-onnx tests does not reproduce tests/onnx"
    fail=$((fail + 1))
fi
if "$GEN" demo "$tmp/demo" >/dev/null &&
   diff -r examples/mlp_mixed "$tmp/demo" --exclude=README.md >/dev/null; then
    echo "pass: mpe-gen-onnx demo reproduces examples/mlp_mixed"
    pass=$((pass + 1))
else
    echo "FAIL: mpe-gen-onnx demo does not reproduce examples/mlp_mixed"
    fail=$((fail + 1))
fi

# the --emit-asm listing assembles back to the same binary, byte for byte
if "$MPE" compile examples/mlp_mixed/model.onnx -o "$tmp/demo.mpeb" --emit-asm "$tmp/demo.s" &&
   "$MPE" asm "$tmp/demo.s" -o "$tmp/asm.mpeb" && cmp -s "$tmp/demo.mpeb" "$tmp/asm.mpeb"; then
    echo "pass: the --emit-asm listing reassembles to the same binary"
    pass=$((pass + 1))
else
    echo "FAIL: the --emit-asm listing does not reassemble to the same binary"
    fail=$((fail + 1))
fi

# a wrong expected output must be caught (the comparison can fail)
cp -r tests/onnx/qdq_matmul_i8_tensor "$tmp/wrong"
cp tests/onnx/qdq_matmul_u8_channel/test_data_set_0/output_0.pb "$tmp/wrong/test_data_set_0/"
if "$MPE" test-onnx "$tmp/wrong" >/dev/null 2>&1; then
    echo "FAIL: a wrong expected output was not detected"
    fail=$((fail + 1))
else
    echo "pass: a wrong expected output is detected"
    pass=$((pass + 1))
fi

# a missing expected output: one FAIL line naming the missing file, non-zero exit
cp -r tests/onnx/qdq_matmul_i8_tensor "$tmp/missing"
rm "$tmp/missing/test_data_set_1/output_0.pb"
out=$("$MPE" test-onnx "$tmp/missing" 2>&1)
rc=$?
want="$tmp/missing/test_data_set_1: FAIL  $tmp/missing/test_data_set_1/output_0.pb: file is missing"
if [ "$rc" -ne 0 ] && [ "$(grep -c ': FAIL ' <<<"$out")" -eq 1 ] && grep -qxF -- "$want" <<<"$out"; then
    echo "pass: a missing output_0.pb is reported as missing"
    pass=$((pass + 1))
else
    echo "FAIL: a missing output_0.pb (exit $rc):"
    echo "$out"
    fail=$((fail + 1))
fi

suite_end
