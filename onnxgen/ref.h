/* Reference semantics of the quantized ONNX operators the generated models
 * use, written from the ONNX operator definitions, independently of the
 * compiler and the C model:
 *  - QuantizeLinear: q = saturate(round_half_even(x / scale) + zp), x / scale
 *    an FP32 division; DequantizeLinear: (q - zp) * scale in FP32.
 *  - A QDQ MatMul/Gemm/Conv [+ bias] [+ Relu/Clip] + QuantizeLinear has the
 *    integer semantics of the equivalent QLinearMatMul/QLinearConv (as ONNX
 *    Runtime executes QDQ graphs): acc = sum (a - za)(w - zw) + bias_q, with
 *    bias_q the bias quantized with scale fp32(a_scale * w_scale), zero point
 *    0; y = saturate(rint(acc * M) + zy) with M = fp32(fp32(a_s * w_s) / y_s)
 *    and acc * M evaluated in double (as the ONNX reference implementation
 *    does for QLinearMatMul); Relu clamps at Q(0) = zy, Clip at Q(min),
 *    Q(max).
 *  - MatMulNBits: A (float) times B dequantized per block,
 *    (code - zp) * scale, summed in double and rounded to float. */
#ifndef ONNXGEN_REF_H
#define ONNXGEN_REF_H

#include <stdint.h>

int32_t ref_sat(int64_t v, int dtype);
int32_t ref_quantize(float x, float scale, int32_t zp, int dtype);
float ref_dequantize(int32_t q, float scale, int32_t zp);
/* fp32(fp32(a * b) / c) */
float ref_multiplier(float a, float b, float c);
/* saturate(rint(acc * m) + zp) with the product in double */
int32_t ref_requant(int64_t acc, float m, int32_t zp, int dtype);

/* Integer GEMM acc[m][n] = sum_k (a[m][k] - za)(w[n][k] - zw[n]). */
void ref_int_gemm(int M, int N, int K, const int32_t *a, int32_t za, const int32_t *w,
                  const int32_t *zw, int64_t *acc);
/* Integer convolution, NCHW input [1][C][H][W], weights [OC][C][kh][kw],
 * zero padding in the real domain (padded taps contribute 0). acc is
 * [OC][OH][OW]. */
typedef struct {
    int C, H, W, OC, kh, kw, sh, sw, pad, OH, OW;
} ref_conv_geom;
void ref_int_conv(const ref_conv_geom *g, const int32_t *x, int32_t zx, const int32_t *w,
                  const int32_t *zw, int64_t *acc);

#endif
