/* The compiler's ONNX test models (tests/onnx/NAME/): QDQ graphs (per-tensor
 * and per-channel, int8 and uint8, bias, Relu, Clip, convolutions, 3x3
 * convolutions fed by other convolutions (qdq_conv3x3_*: stride 1 and 2,
 * channel counts that are not a multiple of 16, input zero points != 0 so
 * that padded taps matter, followed by more layers), weights behind
 * Transpose / Reshape / Flatten), int8 activations with zero points and
 * power-of-two scales (qdq_bfp_*: --mode bfp is provably exact on them) and
 * MatMulNBits (2, 4 and 8 bits, with and without zero points); qdq_mlp_lowbit
 * has only LUT-mode weights (int4, ternary). */
#include <stdio.h>

#include "gen.h"
#include "onnxb.h"

/* ..G: with the weights stored in another layout behind glue (WG_*). */
#define MMG(N_, wv, pc, bi, ac, yt, wg) {LK_MATMUL, N_, 0, 0, 0, wv, pc, bi, ac, yt, 0, 0, 0, wg}
#define GEMMG(N_, wv, pc, bi, ac, yt, wg) {LK_GEMM, N_, 0, 0, 0, wv, pc, bi, ac, yt, 0, 0, 0, wg}
#define CONVG(N_, k, s, p, wv, pc, bi, ac, yt, wg) \
    {LK_CONV, N_, k, s, p, wv, pc, bi, ac, yt, 0, 0, 0, wg}
#define MM(N_, wv, pc, bi, ac, yt) MMG(N_, wv, pc, bi, ac, yt, WG_NONE)
#define GEMM(N_, wv, pc, bi, ac, yt) GEMMG(N_, wv, pc, bi, ac, yt, WG_NONE)
#define CONV(N_, k, s, p, wv, pc, bi, ac, yt) CONVG(N_, k, s, p, wv, pc, bi, ac, yt, WG_NONE)
#define NBITS(N_, bits, blk, zp, bi) {LK_NBITS, N_, 0, 0, 0, 0, 0, bi, 0, 0, bits, blk, zp, WG_NONE}

static const gm_spec tests[] = {
    {"qdq_matmul_i8_tensor", 2, {4, 48}, T_INT8, 0, 1,
     {MM(24, WV_INT8, 0, BI_DQ, AC_RELU, T_INT8)}, 101, 2, NULL, 0, 0},
    {"qdq_matmul_u8_channel", 2, {3, 40}, T_UINT8, 1, 1,
     {MM(20, WV_INT8, 1, BI_FLOAT, AC_NONE, T_UINT8)}, 102, 2, NULL, 0, 0},
    {"qdq_gemm_u8w_zp_relu6", 2, {5, 33}, T_INT8, 1, 1,
     {GEMM(18, WV_U8ZP, 1, BI_DQ, AC_RELU6, T_UINT8)}, 103, 2, NULL, 0, 0},
    {"qdq_matmul_rank3_u8", 3, {2, 3, 32}, T_UINT8, 0, 1,
     {MM(16, WV_INT4, 1, BI_NONE, AC_RELU, T_UINT8)}, 104, 2, NULL, 0, 0},
    {"qdq_conv_i8_channel", 4, {1, 3, 8, 8}, T_INT8, 1, 2,
     {CONV(8, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_RELU, T_INT8),
      CONV(6, 1, 1, 0, WV_INT4, 0, BI_FLOAT, AC_NONE, T_INT8)}, 105, 2, NULL, 0, 0},
    {"qdq_conv_u8_stride2", 4, {1, 4, 9, 9}, T_UINT8, 0, 1,
     {CONV(12, 3, 2, 1, WV_INT8, 1, BI_DQ, AC_RELU6, T_UINT8)}, 106, 2, NULL, 0, 0},
    {"qdq_mlp_mixed", 2, {2, 64}, T_INT8, 1, 4,
     {MM(48, WV_INT8, 1, BI_DQ, AC_RELU, T_UINT8), MM(32, WV_TERNARY, 0, BI_DQ, AC_RELU, T_INT8),
      MM(32, WV_POW2, 1, BI_FLOAT, AC_NONE, T_INT8), MM(16, WV_BINARY, 0, BI_NONE, AC_NONE, T_INT8)},
     107, 2, NULL, 0, 0},
    /* constant weights behind Transpose / Reshape / Flatten (the fold pass) */
    {"qdq_fold_transpose", 2, {3, 40}, T_INT8, 1, 2,
     {MMG(24, WV_INT8, 1, BI_DQ, AC_RELU, T_UINT8, WG_TRANSPOSE),
      GEMMG(10, WV_INT4, 1, BI_FLOAT, AC_NONE, T_INT8, WG_TRANSPOSE)}, 108, 2, NULL, 0, 0},
    {"qdq_fold_transpose_conv", 4, {1, 3, 7, 7}, T_UINT8, 0, 2,
     {CONVG(8, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_RELU, T_INT8, WG_TRANSPOSE),
      CONVG(6, 1, 1, 0, WV_INT4, 1, BI_NONE, AC_NONE, T_INT8, WG_TRANSPOSE)}, 109, 2, NULL, 0, 0},
    {"qdq_fold_reshape", 4, {1, 4, 6, 6}, T_INT8, 1, 2,
     {CONVG(8, 3, 2, 1, WV_INT8, 1, BI_DQ, AC_RELU, T_UINT8, WG_RESHAPE),
      CONVG(5, 1, 1, 0, WV_TERNARY, 0, BI_FLOAT, AC_NONE, T_INT8, WG_RESHAPE)}, 110, 2, NULL, 0, 0},
    {"qdq_fold_flatten", 2, {4, 36}, T_UINT8, 0, 2,
     {MMG(20, WV_INT8, 0, BI_DQ, AC_RELU, T_UINT8, WG_FLATTEN),
      GEMMG(12, WV_U8ZP, 1, BI_NONE, AC_NONE, T_UINT8, WG_FLATTEN)}, 111, 2, NULL, 0, 0},
    /* 3x3 convolutions fed by another convolution (the im2col gather) */
    {"qdq_conv3x3_chain", 4, {1, 3, 8, 8}, T_INT8, 0, 2,
     {CONV(16, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_RELU, T_INT8),
      CONV(8, 3, 1, 1, WV_INT8, 1, BI_FLOAT, AC_NONE, T_INT8)}, 112, 2, NULL, 0, 0},
    {"qdq_conv3x3_stride2_chain", 4, {1, 4, 9, 9}, T_UINT8, 0, 2,
     {CONV(16, 3, 1, 1, WV_INT8, 0, BI_DQ, AC_NONE, T_UINT8),
      CONV(12, 3, 2, 1, WV_INT8, 1, BI_DQ, AC_RELU6, T_UINT8)}, 113, 2, NULL, 0, 0},
    {"qdq_conv3x3_c24", 4, {1, 5, 7, 7}, T_INT8, 0, 2,
     {CONV(24, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_NONE, T_UINT8),
      CONV(10, 3, 1, 1, WV_INT4, 1, BI_FLOAT, AC_NONE, T_INT8)}, 114, 2, NULL, 0, 0},
    {"qdq_conv3x3_deep", 4, {1, 3, 6, 6}, T_UINT8, 1, 4,
     {CONV(12, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_NONE, T_UINT8),
      CONV(20, 3, 1, 1, WV_INT8, 0, BI_DQ, AC_RELU, T_UINT8),
      CONV(8, 1, 1, 0, WV_INT8, 1, BI_FLOAT, AC_NONE, T_UINT8),
      CONV(6, 3, 2, 0, WV_TERNARY, 1, BI_DQ, AC_NONE, T_INT8)}, 115, 2, NULL, 0, 0},
    /* the first layer's output is also a graph output: stored in both layouts */
    {"qdq_conv3x3_fork", 4, {1, 4, 6, 6}, T_INT8, 0, 2,
     {CONV(16, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_NONE, T_UINT8),
      CONV(8, 3, 2, 1, WV_INT4, 0, BI_FLOAT, AC_RELU, T_INT8)}, 116, 2, NULL, 1, 0},
    /* int8 activations with zero points != 0 and power-of-two scales, on
     * which --mode bfp (int8 as MXINT8) is provably exact (docs/compiler.md) */
    {"qdq_bfp_mlp_pow2", 2, {4, 96}, T_INT8, 1, 2,
     {MM(40, WV_INT8, 1, BI_DQ, AC_RELU, T_INT8), MM(24, WV_INT8, 0, BI_FLOAT, AC_NONE, T_INT8)},
     117, 2, NULL, 0, GQ_POW2 | GQ_ASYM_I8},
    {"qdq_bfp_conv3x3_pow2", 4, {1, 5, 7, 7}, T_INT8, 0, 2,
     {CONV(16, 3, 1, 1, WV_INT8, 1, BI_DQ, AC_RELU, T_INT8),
      CONV(8, 3, 2, 1, WV_INT8, 1, BI_FLOAT, AC_RELU6, T_UINT8)}, 118, 2, NULL, 0,
     GQ_POW2 | GQ_ASYM_I8},
    /* low-bit weights only (int4, ternary, binary): every layer fits the LUT
     * mode, whose cycles depend on the architecture's lut_ppc */
    {"qdq_mlp_lowbit", 2, {4, 64}, T_UINT8, 1, 3,
     {MM(32, WV_INT4, 1, BI_DQ, AC_RELU, T_UINT8), MM(32, WV_TERNARY, 0, BI_DQ, AC_RELU, T_INT8),
      MM(16, WV_INT4, 0, BI_FLOAT, AC_NONE, T_INT8)}, 119, 2, NULL, 0, 0},
    {"nbits_b4_zp", 2, {2, 64}, T_INT8, 0, 1, {NBITS(24, 4, 32, 1, 0)}, 201, 2, NULL, 0, 0},
    {"nbits_b4_nozp", 2, {3, 80}, T_UINT8, 0, 1, {NBITS(20, 4, 32, 0, 1)}, 202, 2, NULL, 0, 0},
    {"nbits_b2_zp", 2, {2, 64}, T_INT8, 0, 1, {NBITS(16, 2, 16, 1, 0)}, 203, 2, NULL, 0, 0},
    {"nbits_b2_nozp", 2, {2, 96}, T_INT8, 0, 1, {NBITS(16, 2, 32, 0, 0)}, 204, 2, NULL, 0, 0},
    {"nbits_b8_zp", 2, {2, 64}, T_UINT8, 0, 1, {NBITS(12, 8, 16, 1, 0)}, 205, 2, NULL, 0, 0},
    {"nbits_b8_nozp", 3, {1, 2, 128}, T_INT8, 0, 1, {NBITS(24, 8, 64, 0, 1)}, 206, 2, NULL, 0, 0},
    /* codes and zero points that cross byte boundaries (3, 5, 6, 7 bits), block
     * sizes 16..256, K not a multiple of the block size */
    {"nbits_b3_zp", 2, {2, 72}, T_INT8, 0, 1, {NBITS(16, 3, 32, 1, 0)}, 207, 2, NULL, 0, 0},
    {"nbits_b3_nozp", 2, {2, 40}, T_UINT8, 0, 1, {NBITS(12, 3, 16, 0, 1)}, 208, 2, NULL, 0, 0},
    {"nbits_b5_zp", 2, {2, 100}, T_INT8, 0, 1, {NBITS(16, 5, 64, 1, 1)}, 209, 2, NULL, 0, 0},
    {"nbits_b5_nozp", 2, {2, 160}, T_UINT8, 0, 1, {NBITS(8, 5, 128, 0, 0)}, 210, 2, NULL, 0, 0},
    {"nbits_b6_zp", 2, {2, 300}, T_INT8, 0, 1, {NBITS(8, 6, 256, 1, 0)}, 211, 2, NULL, 0, 0},
    {"nbits_b6_nozp", 2, {2, 48}, T_INT8, 0, 1, {NBITS(12, 6, 16, 0, 1)}, 212, 2, NULL, 0, 0},
    {"nbits_b7_zp", 2, {2, 70}, T_UINT8, 0, 1, {NBITS(16, 7, 32, 1, 1)}, 213, 2, NULL, 0, 0},
    {"nbits_b7_nozp", 2, {2, 200}, T_INT8, 0, 1, {NBITS(8, 7, 128, 0, 0)}, 214, 2, NULL, 0, 0},
    {"nbits_b2_zp_k256", 2, {2, 272}, T_INT8, 0, 1, {NBITS(8, 2, 256, 1, 0)}, 215, 2, NULL, 0, 0},
    {"nbits_b4_zp_b128", 2, {2, 136}, T_UINT8, 0, 1, {NBITS(8, 4, 128, 1, 1)}, 216, 2, NULL, 0, 0},
    {"nbits_b8_zp_b256", 2, {2, 264}, T_INT8, 0, 1, {NBITS(8, 8, 256, 1, 0)}, 217, 2, NULL, 0, 0},
};

int gen_tests(const char *dir)
{
    char p[1024];
    if (gen_mkdir(dir))
        return -1;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, tests[i].name);
        if (gen_model(&tests[i], p))
            return -1;
    }
    return 0;
}

/* The demo: an MLP whose layers have 8-bit, 4-bit, 2-bit (ternary) and
 * 1-bit (binary) weights, float in, float out. */
int gen_demo(const char *dir)
{
    static const gm_spec demo = {
        "mlp_mixed", 2, {4, 256}, T_INT8, 1, 5,
        {MM(256, WV_INT8, 1, BI_DQ, AC_RELU, T_UINT8), MM(256, WV_INT4, 1, BI_DQ, AC_RELU, T_UINT8),
         MM(128, WV_TERNARY, 0, BI_DQ, AC_RELU, T_UINT8), MM(128, WV_BINARY, 0, BI_DQ, AC_RELU, T_INT8),
         MM(16, WV_U8ZP, 1, BI_DQ, AC_NONE, T_INT8)},
        301, 3, NULL, 0, 0};
    return gen_model(&demo, dir);
}
