#!/usr/bin/env bash
# mpe compile on bad input: every case must exit with status 1 (2 for usage
# errors), print exactly one line on stderr containing the expected words,
# and write no output file. The bad models come from `mpe-gen-onnx bad`
# (each wrong in one way, plus truncated / garbled copies of a good model,
# random bytes, an empty file, a ModelProto without a graph). Last line:
# "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
GEN=$BUILD/bin/mpe-gen-onnx
B=$tmp/bad
if ! "$GEN" bad "$B" >/dev/null; then
    echo "FAIL: mpe-gen-onnx bad"
    echo "0 passed, 1 failed"
    exit 1
fi
printf 'mem_bytes 65536\n' >"$tmp/tiny_mem.cfg"
printf 'imem_insns 16\n' >"$tmp/tiny_imem.cfg"
printf 'rows 4\nbogus_key 3\n' >"$tmp/bad.cfg"
printf 'lanes 16\nbeat_bytes 32\n' >"$tmp/wide_beat.cfg"

# expect STATUS "WORDS" ARGS...: one stderr line containing WORDS
expect() {
    local want=$1 words=$2
    shift 2
    rm -f "$tmp/out.mpeb"
    "$MPE" compile "$@" 2>"$tmp/err" >/dev/null
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qF -- "$words" "$tmp/err" &&
       [ ! -e "$tmp/out.mpeb" ]; then
        pass=$((pass + 1))
        echo "pass: $* -> $(cat "$tmp/err")"
    else
        fail=$((fail + 1))
        echo "FAIL: $* (exit $rc, $lines stderr lines, expected '$words'):"
        head -n 5 "$tmp/err"
    fi
}

O="-o $tmp/out.mpeb"
expect 1 "not a valid ONNX model" "$B/truncated.onnx" $O
expect 1 "not a valid ONNX model" "$B/garbled.onnx" $O
expect 1 "not a valid ONNX model" "$B/random_bytes.onnx" $O
expect 1 "empty file" "$B/empty.onnx" $O
expect 1 "no graph" "$B/no_graph.onnx" $O
expect 1 "cannot open" "$B/does_not_exist.onnx" $O
expect 1 "node 'softmax' (Softmax): unsupported operator" "$B/unsupported_op.onnx" $O
expect 1 "dynamic shape (dimension 'batch')" "$B/dynamic_shape.onnx" $O
expect 1 "zero point 300 is out of range for int8" "$B/zp_out_of_range.onnx" $O
expect 1 "scale must be positive and finite, got -0.01" "$B/scale_negative.onnx" $O
expect 1 "scale must be positive and finite, got 0" "$B/scale_zero.onnx" $O
expect 1 "weight scale has 5 values, expected 1 or 8" "$B/scale_count_mismatch.onnx" $O
expect 1 "inner dimensions differ (16 vs 12)" "$B/inner_dim_mismatch.onnx" $O
expect 1 "float weights are not supported" "$B/float_weights.onnx" $O
expect 1 "K=40000 is too large" "$B/k_too_large.onnx" $O
expect 1 "does not fit in accelerator memory" "$B/big_weights.onnx" $O --arch "$tmp/tiny_mem.cfg"
expect 1 "instruction memory holds 16" "$B/big_weights.onnx" $O --arch "$tmp/tiny_imem.cfg"
# two 3x3 convolutions: the second reads an im2col matrix the first one's
# stores write, one 16-byte output vector row per store, which 32-byte beats
# cannot express (the model compiles on the default architecture)
expect 1 "layer 'conv2' (Conv): a 3x3 convolution (stride 1,1, pads 1,1,1,1) fed by another layer needs its im2col matrix written by that layer's stores, but its input 'h_q' has output vector rows that are not whole DMA beats" \
    "$B/conv_chain_3x3.onnx" $O --arch "$tmp/wide_beat.cfg"
if "$MPE" compile "$B/conv_chain_3x3.onnx" -o "$tmp/chain.mpeb" 2>"$tmp/err"; then
    pass=$((pass + 1))
    echo "pass: $B/conv_chain_3x3.onnx compiles on the default architecture"
else
    fail=$((fail + 1))
    echo "FAIL: $B/conv_chain_3x3.onnx does not compile: $(cat "$tmp/err")"
fi
expect 1 "grouped convolution (group=2)" "$B/grouped_conv.onnx" $O
expect 1 "input 'nope' is not defined" "$B/undefined_input.onnx" $O
expect 1 "block_size=8 is not supported" "$B/nbits_bad_block.onnx" $O
# numerics the model asks for are never lowered silently: FP32 block scales that
# FP16 cannot hold are an error, rounding them is an explicit flag, reported
expect 1 "node 'nbits' (MatMulNBits): 16 of 16 block scales are not exact in FP16 (largest relative change 1); the grouped shift-add datapath holds FP16 scales: pass --fp16-scales to round them (lossy)" \
    "$B/nbits_fp32_scales.onnx" $O
want="warning: nbits: --fp16-scales: 16 of 16 block scales rounded to FP16 (largest relative change 1)"
if "$MPE" compile "$B/nbits_fp32_scales.onnx" -o "$tmp/fp16.mpeb" --fp16-scales 2>"$tmp/err" &&
   [ "$(cat "$tmp/err")" = "$want" ] && [ -s "$tmp/fp16.mpeb" ]; then
    pass=$((pass + 1))
    echo "pass: --fp16-scales compiles and reports: $want"
else
    fail=$((fail + 1))
    echo "FAIL: --fp16-scales: $(cat "$tmp/err")"
fi
# attributes: a wrong type, a list of the wrong length, an unknown name
expect 1 "node 'nbits' (MatMulNBits): attribute 'bits' must be an int" "$B/nbits_float_bits.onnx" $O
expect 1 "node 'conv1' (Conv): strides has 3 values; a 2-D convolution takes 2" \
    "$B/conv_strides3.onnx" $O
expect 1 "node 'conv1' (Conv): attribute 'channels_last' is not supported" \
    "$B/conv_unknown_attr.onnx" $O
expect 1 "adding two activations is not supported" "$B/residual_add.onnx" $O
expect 1 "empty GEMM (0 x 8 x 16)" "$B/zero_dim.onnx" $O
expect 1 "graph input 'x': shape too large" "$B/huge_shape.onnx" $O
expect 1 "16777216 x 8 x 16 GEMM does not fit in accelerator memory" "$B/huge_rows.onnx" $O
expect 1 "--mode lut cannot run this layer: weights need int8" "$B/good.onnx" $O --mode lut
# --mode bfp runs int8 layers as MXINT8 only where it is provably bit exact
expect 1 "layer 'L0_matmul' (MatMul): --mode bfp cannot run this layer: activations are uint8 (zero point 102)" \
    tests/onnx/qdq_matmul_u8_channel/model.onnx $O --mode bfp
expect 1 "--mode bfp cannot run this layer: weights need int9 ([-156, 158]); MXINT8 elements hold int8" \
    tests/onnx/qdq_gemm_u8w_zp_relu6/model.onnx $O --mode bfp
expect 1 "layer 'fc' (MatMul): --mode bfp cannot run this layer: not provably exact: output column 0 has 128 * sum|w - zw| + |bias| = 16906240 > 2^24 = 16777216" \
    "$B/bfp_bound.onnx" $O --mode bfp
expect 1 "layer 'fc' (MatMul): --mode bfp cannot run this layer: not provably exact: output column 0: the FP32 output stage rounds acc * M twice (acc + bias = -318750, M = 0.00039999999 gives -128, the integer path -127)" \
    "$B/bfp_rounding.onnx" $O --mode bfp
expect 1 "--mode bfp cannot run this layer: block-quantized weights with FP16 scales need shiftadd" \
    tests/onnx/nbits_b4_zp/model.onnx $O --mode bfp
# the rejections are bfp's: both models compile in the default mode, and
# the good model compiles with --mode bfp
for m in "$B/bfp_bound.onnx" "$B/bfp_rounding.onnx" "$B/good.onnx --mode bfp"; do
    # shellcheck disable=SC2086 # $m: model and options
    if "$MPE" compile $m -o "$tmp/bfp.mpeb" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
        pass=$((pass + 1))
        echo "pass: $m compiles"
    else
        fail=$((fail + 1))
        echo "FAIL: $m does not compile: $(cat "$tmp/err")"
    fi
done
expect 1 "--mode lut cannot run this layer: block-quantized weights with FP16 scales need shiftadd" \
    tests/onnx/nbits_b4_zp/model.onnx $O --mode lut
expect 1 "bogus_key" "$B/good.onnx" $O --arch "$tmp/bad.cfg"
expect 1 "unknown pass 'nope'" "$B/good.onnx" --dump-after nope
expect 2 "unknown mode 'fast'" "$B/good.onnx" $O --mode fast
expect 2 "usage" "$B/good.onnx"

# seeded random damage to good models: compiled or rejected in one line,
# never a crash (status 0 or 1)
FUZZ_N=${MPE_FUZZ_N:-40}
[ "${MPE_SAN:-0}" = 1 ] && FUZZ_N=${MPE_FUZZ_N:-15}
for seed in $(seq 1 "$FUZZ_N"); do
    for m in tests/onnx/qdq_mlp_mixed tests/onnx/nbits_b4_zp tests/onnx/qdq_conv_i8_channel; do
        "$GEN" mutate "$m/model.onnx" "$tmp/fuzz.onnx" "$seed" || continue
        "$MPE" compile "$tmp/fuzz.onnx" -o "$tmp/fuzz.mpeb" 2>"$tmp/err" >/dev/null
        rc=$?
        lines=$(wc -l <"$tmp/err")
        if { [ $rc -eq 0 ] && [ "$lines" -eq 0 ]; } || { [ $rc -eq 1 ] && [ "$lines" -eq 1 ]; }; then
            fuzz_ok=$(( ${fuzz_ok:-0} + 1 ))
        else
            fail=$((fail + 1))
            echo "FAIL: $m damaged with seed $seed: exit $rc, $lines stderr lines:"
            head -n 5 "$tmp/err"
        fi
    done
done
pass=$((pass + 1))
echo "pass: ${fuzz_ok:-0} damaged models compiled or rejected in one line"

# and the good model compiles (the checks above can pass only for errors)
if "$MPE" compile "$B/good.onnx" -o "$tmp/good.mpeb" 2>"$tmp/err" && [ -s "$tmp/good.mpeb" ] &&
   [ ! -s "$tmp/err" ] && "$MPE" disasm "$tmp/good.mpeb" >/dev/null; then
    pass=$((pass + 1))
    echo "pass: the good model compiles to a valid binary"
else
    fail=$((fail + 1))
    echo "FAIL: the good model does not compile"
fi

suite_end
