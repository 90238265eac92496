/* Bad inputs for the compiler's error paths (tests/suites/compile_errors.sh):
 * small models that are each wrong in one way, plus a truncated and a
 * garbled copy of a good model, a file of random bytes, an empty file and a
 * ModelProto without a graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "onnxb.h"

enum {
    B_GOOD, B_UNSUPPORTED, B_DYNAMIC, B_ZP_RANGE, B_SCALE_NEG, B_SCALE_ZERO, B_SCALE_COUNT,
    B_INNER, B_FLOAT_W, B_K_LARGE, B_BIG_WEIGHTS, B_CONV_CHAIN, B_GROUPED, B_UNDEFINED,
    B_NBITS_BLOCK, B_RESIDUAL, B_ZERO_DIM, B_HUGE, B_HUGE_ROWS, B_BFP_BOUND, B_BFP_ROUND,
    B_NBITS_FP32, B_NBITS_ATTR, B_CONV_STRIDES, B_CONV_ATTR, B_COUNT
};
static const char *const names[B_COUNT] = {
    "good", "unsupported_op", "dynamic_shape", "zp_out_of_range", "scale_negative",
    "scale_zero", "scale_count_mismatch", "inner_dim_mismatch", "float_weights",
    "k_too_large", "big_weights", "conv_chain_3x3", "grouped_conv", "undefined_input",
    "nbits_bad_block", "residual_add", "zero_dim", "huge_shape", "huge_rows",
    "bfp_bound", "bfp_rounding", "nbits_fp32_scales", "nbits_float_bits", "conv_strides3",
    "conv_unknown_attr"};

static void scalar(ob *b, const char *n, int t, const void *v)
{
    ob_init_tensor(b, n, t, 0, NULL, v);
}

/* x -> QuantizeLinear -> DequantizeLinear (activation "x_dq"). */
static void input_q(ob *b, int kind, int rank, const int64_t *dims)
{
    float s = kind == B_SCALE_ZERO ? 0.0f : 0.02f;
    int8_t z = 0;
    if (kind == B_DYNAMIC)
        ob_input_dyn(b, "x", T_FLOAT, rank, dims, "batch");
    else
        ob_input(b, "x", T_FLOAT, rank, dims);
    scalar(b, "x_s", T_FLOAT, &s);
    scalar(b, "x_z", T_INT8, &z);
    ob_node(b, "QuantizeLinear", "", "quant_x", (const char *[]){"x", "x_s", "x_z", NULL},
            (const char *[]){"x_q", NULL});
    ob_node(b, "DequantizeLinear", "", "dequant_x", (const char *[]){"x_q", "x_s", "x_z", NULL},
            (const char *[]){"x_dq", NULL});
}

/* Weights w [K][N] (or float) through DequantizeLinear -> name "w_dq". */
static void weights(ob *b, int kind, int K, int N, const char *pre)
{
    char w[64], s[64], z[64], dq[64];
    snprintf(w, 64, "%s_w", pre);
    snprintf(s, 64, "%s_w_s", pre);
    snprintf(z, 64, "%s_w_z", pre);
    snprintf(dq, 64, "%s_w_dq", pre);
    size_t n = (size_t)K * N;
    int8_t *d = calloc(n, 1);
    float *f = calloc(n, sizeof(float)), sc[8];
    for (size_t i = 0; i < n; i++) {
        d[i] = (int8_t)(i * 37 % 255 - 127);
        if (kind == B_BFP_BOUND) /* 128 * 127 * K > 2^24: bfp cannot prove FP32 sums exact */
            d[i] = i % 3 ? 127 : -127;
        f[i] = d[i] * 0.01f;
    }
    if (kind == B_FLOAT_W) {
        ob_init_tensor(b, dq, T_FLOAT, 2, (int64_t[]){K, N}, f);
    } else {
        ob_init_tensor(b, w, T_INT8, 2, (int64_t[]){K, N}, d);
        int cnt = kind == B_SCALE_COUNT ? 5 : 1;
        for (int i = 0; i < 8; i++)
            sc[i] = kind == B_SCALE_NEG ? -0.01f : 0.01f;
        int32_t z32 = 300;
        int8_t z8 = 0;
        ob_init_tensor(b, s, T_FLOAT, cnt > 1, (int64_t[]){cnt}, sc);
        if (kind == B_ZP_RANGE)
            scalar(b, z, T_INT32, &z32);
        else
            scalar(b, z, T_INT8, &z8);
        Onnx__NodeProto *nd = ob_node(b, "DequantizeLinear", "", dq,
                                      (const char *[]){w, s, z, NULL}, (const char *[]){dq, NULL});
        if (cnt > 1)
            ob_attr_i(b, nd, "axis", 1);
    }
    free(d);
    free(f);
}

/* B_BFP_ROUND: an output scale giving M = fp32(0.02 * 0.01) / 0.5, for which
 * the accumulator range (K = 64) holds values where the FP32 output stage's
 * RNE(f32_mul(acc, M)) differs from the integer path's RNE(acc * M). */
static void output_q(ob *b, int kind, const char *in, int rank, const int64_t *dims)
{
    float s = kind == B_BFP_ROUND ? 0.5f : 0.05f;
    int8_t z = 0;
    scalar(b, "y_s", T_FLOAT, &s);
    scalar(b, "y_z", T_INT8, &z);
    ob_node(b, "QuantizeLinear", "", "quant_y", (const char *[]){in, "y_s", "y_z", NULL},
            (const char *[]){"y", NULL});
    ob_output(b, "y", T_INT8, rank, dims);
}

static void mlp(ob *b, int kind)
{
    int K = kind == B_K_LARGE ? 40000 : kind == B_BIG_WEIGHTS ? 512 : kind == B_BFP_BOUND ? 1040
          : kind == B_BFP_ROUND ? 64 : 16;
    int N = kind == B_BIG_WEIGHTS ? 256 : 8;
    int64_t M = kind == B_ZERO_DIM ? 0 : kind == B_HUGE ? (int64_t)1 << 38
              : kind == B_HUGE_ROWS ? (int64_t)1 << 24 : 2;
    input_q(b, kind, 2, (int64_t[]){M, K});
    weights(b, kind, kind == B_INNER ? 12 : K, N, "fc");
    const char *a = kind == B_UNDEFINED ? "nope" : "x_dq";
    ob_node(b, "MatMul", "", "fc", (const char *[]){a, "fc_w_dq", NULL},
            (const char *[]){"fc_out", NULL});
    const char *last = "fc_out";
    if (kind == B_UNSUPPORTED) {
        ob_node(b, "Softmax", "", "softmax", (const char *[]){"fc_out", NULL},
                (const char *[]){"sm", NULL});
        last = "sm";
    }
    if (kind == B_RESIDUAL) {
        ob_node(b, "MatMul", "", "fc2", (const char *[]){"x_dq", "fc_w_dq", NULL},
                (const char *[]){"fc2_out", NULL});
        ob_node(b, "Add", "", "residual", (const char *[]){"fc_out", "fc2_out", NULL},
                (const char *[]){"sum", NULL});
        last = "sum";
    }
    output_q(b, kind, last, 2, (int64_t[]){M, N});
}

static void conv_w(ob *b, const char *pre, int oc, int c, int k)
{
    char w[64], s[64], z[64], dq[64];
    snprintf(w, 64, "%s_w", pre);
    snprintf(s, 64, "%s_w_s", pre);
    snprintf(z, 64, "%s_w_z", pre);
    snprintf(dq, 64, "%s_w_dq", pre);
    size_t n = (size_t)oc * c * k * k;
    int8_t *d = calloc(n, 1);
    for (size_t i = 0; i < n; i++)
        d[i] = (int8_t)(i * 13 % 31 - 15);
    float sc = 0.01f;
    int8_t zp = 0;
    ob_init_tensor(b, w, T_INT8, 4, (int64_t[]){oc, c, k, k}, d);
    scalar(b, s, T_FLOAT, &sc);
    scalar(b, z, T_INT8, &zp);
    ob_node(b, "DequantizeLinear", "", dq, (const char *[]){w, s, z, NULL},
            (const char *[]){dq, NULL});
    free(d);
}

/* conv_chain_3x3: two padded 3x3 convolutions, the second fed by the first
 * (valid on the default architecture; compile_errors.sh rejects it on an
 * architecture whose beats are wider than an output vector row).
 * grouped_conv: one convolution with group=2; conv_strides3: strides with
 * three values; conv_unknown_attr: an attribute Conv does not have. */
static void convs(ob *b, int kind)
{
    input_q(b, kind, 4, (int64_t[]){1, 4, 6, 6});
    conv_w(b, "c1", 4, kind == B_GROUPED ? 2 : 4, 3);
    int64_t pads[4] = {1, 1, 1, 1};
    Onnx__NodeProto *n = ob_node(b, "Conv", "", "conv1", (const char *[]){"x_dq", "c1_w_dq", NULL},
                                 (const char *[]){"c1_out", NULL});
    ob_attr_ints(b, n, "pads", 4, pads);
    if (kind == B_CONV_STRIDES)
        ob_attr_ints(b, n, "strides", 3, (int64_t[]){2, 2, 2});
    if (kind == B_CONV_ATTR)
        ob_attr_i(b, n, "channels_last", 1);
    if (kind == B_GROUPED) {
        ob_attr_i(b, n, "group", 2);
        output_q(b, kind, "c1_out", 4, (int64_t[]){1, 4, 6, 6});
        return;
    }
    float s = 0.05f;
    int8_t z = 0;
    scalar(b, "h_s", T_FLOAT, &s);
    scalar(b, "h_z", T_INT8, &z);
    ob_node(b, "QuantizeLinear", "", "quant_h", (const char *[]){"c1_out", "h_s", "h_z", NULL},
            (const char *[]){"h_q", NULL});
    ob_node(b, "DequantizeLinear", "", "dequant_h", (const char *[]){"h_q", "h_s", "h_z", NULL},
            (const char *[]){"h_dq", NULL});
    conv_w(b, "c2", 4, 4, 3);
    n = ob_node(b, "Conv", "", "conv2", (const char *[]){"h_dq", "c2_w_dq", NULL},
                (const char *[]){"c2_out", NULL});
    ob_attr_ints(b, n, "pads", 4, pads);
    output_q(b, kind, "c2_out", 4, (int64_t[]){1, 4, 6, 6});
}

/* nbits_bad_block: block_size 8; nbits_fp32_scales: block scales that FP16
 * cannot hold (0.01 and one of 1e-9); nbits_float_bits: `bits` as a float. */
static void nbits_bad(ob *b, int kind)
{
    int bs = kind == B_NBITS_BLOCK ? 8 : 16, kb = 32 / bs;
    input_q(b, kind, 2, (int64_t[]){1, 32});
    uint8_t B[8 * 32 / 2] = {0};
    float S[8 * 4];
    for (int i = 0; i < 8 * kb; i++)
        S[i] = kind == B_NBITS_FP32 ? 0.01f : 0.0078125f;
    S[3] = kind == B_NBITS_FP32 ? 1e-9f : S[3];
    ob_init_tensor(b, "B", T_UINT8, 3, (int64_t[]){8, kb, bs / 2}, B);
    ob_init_tensor(b, "S", T_FLOAT, 2, (int64_t[]){8, kb}, S);
    Onnx__NodeProto *n = ob_node(b, "MatMulNBits", "com.microsoft", "nbits",
                                 (const char *[]){"x_dq", "B", "S", NULL}, (const char *[]){"y", NULL});
    ob_attr_i(b, n, "K", 32);
    ob_attr_i(b, n, "N", 8);
    if (kind == B_NBITS_ATTR)
        ob_attr_f(b, n, "bits", 4.0f);
    else
        ob_attr_i(b, n, "bits", 4);
    ob_attr_i(b, n, "block_size", bs);
    ob_output(b, "y", T_FLOAT, 2, (int64_t[]){1, 8});
}

static int write_kind(const char *dir, int kind)
{
    ob b;
    ob_init(&b);
    if (kind == B_CONV_CHAIN || kind == B_GROUPED || kind == B_CONV_STRIDES ||
        kind == B_CONV_ATTR)
        convs(&b, kind);
    else if (kind == B_NBITS_BLOCK || kind == B_NBITS_FP32 || kind == B_NBITS_ATTR)
        nbits_bad(&b, kind);
    else
        mlp(&b, kind);
    char p[1024];
    snprintf(p, sizeof p, "%s/%s.onnx", dir, names[kind]);
    int rc = ob_write_model(&b, p);
    ob_free(&b);
    return rc;
}

static int write_bytes(const char *dir, const char *name, const uint8_t *d, size_t n)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    size_t w = n ? fwrite(d, 1, n, f) : 0;
    return fclose(f) || w != n ? -1 : 0;
}

/* Truncated / garbled copies of the good model, random bytes, empty file,
 * a ModelProto without a graph. */
static int corrupt(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/good.onnx", dir);
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint8_t garbage[512], nograph[2] = {0x08, 0x0A}; /* ir_version = 10 */
    uint64_t r = 7;
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)gen_rand(&r);
    int rc = write_bytes(dir, "truncated.onnx", buf, n / 2) ||
             write_bytes(dir, "random_bytes.onnx", garbage, sizeof garbage) ||
             write_bytes(dir, "empty.onnx", buf, 0) ||
             write_bytes(dir, "no_graph.onnx", nograph, sizeof nograph);
    for (size_t i = 40; i < n; i += 97)
        buf[i] ^= 0xFF;
    return rc || write_bytes(dir, "garbled.onnx", buf, n);
}

int gen_bad(const char *dir, const char *unused)
{
    (void)unused;
    if (gen_mkdir(dir))
        return -1;
    for (int k = 0; k < B_COUNT; k++)
        if (write_kind(dir, k))
            return -1;
    return corrupt(dir);
}

/* A copy of `src` with a few random byte changes, bit flips and deletions
 * (seeded): the compiler must reject or compile it, never crash. */
int gen_mutate(const char *src, const char *dst, uint64_t seed)
{
    FILE *f = fopen(src, "rb");
    if (!f)
        return -1;
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint64_t r = seed;
    int k = 1 << (gen_rand(&r) % 6);
    for (int i = 0; i < k && n > 16; i++) {
        size_t pos = gen_rand(&r) % n;
        uint64_t op = gen_rand(&r) % 10;
        if (op < 6) {
            buf[pos] = (uint8_t)gen_rand(&r);
        } else if (op < 8) {
            buf[pos] ^= (uint8_t)(1u << (gen_rand(&r) % 8));
        } else {
            size_t cut = 1 + gen_rand(&r) % 16;
            cut = cut > n - pos ? n - pos : cut;
            memmove(buf + pos, buf + pos + cut, n - pos - cut);
            n -= cut;
        }
    }
    f = fopen(dst, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(buf, 1, n, f);
    return fclose(f) || w != n ? -1 : 0;
}
