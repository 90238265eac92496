/* The ONNX model generator: model specifications, the generic QDQ / MatMulNBits
 * model builder (qdq.c) and the model families (tests, demo, bench, bad
 * inputs). */
#ifndef ONNXGEN_GEN_H
#define ONNXGEN_GEN_H

#include <stdint.h>

enum { LK_MATMUL, LK_GEMM, LK_CONV, LK_NBITS };
/* Weight value sets: int8, int4 range, ternary, binary, powers of two,
 * uint8 with a zero point (9-bit effective). */
enum { WV_INT8, WV_INT4, WV_TERNARY, WV_BINARY, WV_POW2, WV_U8ZP };
enum { BI_NONE, BI_DQ, BI_FLOAT };
enum { AC_NONE, AC_RELU, AC_RELU6 };
/* How constant weights reach the layer's DequantizeLinear (the compiler's
 * fold pass evaluates the glue): stored in the operator's layout, or stored
 * transposed (MatMul [N,K] + Transpose perm [1,0]; Gemm [K,N] + Transpose
 * with the default perm; Conv [kh,kw,C,N] + Transpose perm [3,2,0,1]), flat
 * + Reshape to the layout with -1 for dimension 1, or (2-D weights only)
 * [d0, 2, d1/2] + Flatten (MatMul axis=1, Gemm the default axis). */
enum { WG_NONE, WG_TRANSPOSE, WG_RESHAPE, WG_FLATTEN };

typedef struct {
    int kind;
    int N;                 /* output features / channels */
    int kh, stride, pad;   /* convolution (square kernel) */
    int wv, per_channel, bias, act, ytype;
    int bits, block, zp;   /* MatMulNBits */
    int wglue;             /* WG_*: the weights' stored layout */
} gl_spec;

typedef struct {
    const char *name;
    int rank;
    int64_t in_dims[4];    /* float model input; [1,C,H,W] for a convolution */
    int in_type;           /* T_INT8 / T_UINT8: the input QuantizeLinear type */
    int out_float;         /* DequantizeLinear after the last layer */
    int nl;
    gl_spec L[8];
    uint64_t seed;
    int nsets;
    const char *ext_data;  /* external data file name (bench), or NULL */
    int side_out;          /* i + 1: layer i's quantized output is also graph output 1
                            * (output_1.pb, its codes); 0: none */
    int qflags;            /* GQ_*: how scales and zero points are calibrated */
} gm_spec;
/* Calibration variants: every scale (activations, weights) rounded up to a
 * power of two; int8 activations asymmetric (min-max, zero point != 0) like
 * uint8 ones instead of max-abs. */
enum { GQ_POW2 = 1, GQ_ASYM_I8 = 2 };

/* Writes DIR/model.onnx and DIR/test_data_set_N/input_0.pb, output_0.pb
 * (expected outputs from ref.c). 0 or -1. */
int gen_model(const gm_spec *s, const char *dir);

uint64_t gen_rand(uint64_t *state);
/* Uniform in [lo, hi]. */
int32_t gen_rand_int(uint64_t *state, int32_t lo, int32_t hi);
float gen_rand_float(uint64_t *state, float lo, float hi);
int gen_mkdir(const char *path);

int gen_tests(const char *dir);
int gen_demo(const char *dir);
int gen_bench(const char *dir, int layers, int dim, int external);
int gen_bad(const char *dir, const char *good_model);
int gen_mutate(const char *src, const char *dst, uint64_t seed);

#endif
