/* The generic model builder: a float input quantized by QuantizeLinear, then
 * layers in QDQ form (DequantizeLinear of the activation and of constant
 * weights -> MatMul | Gemm | Conv [-> bias] [-> Relu | Clip] ->
 * QuantizeLinear) or a MatMulNBits reading the dequantized activation.
 * Scales are calibrated on data set 0 (max-abs / min-max, as post-training
 * quantization does); the expected outputs of every data set come from
 * ref.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdq_int.h"
#include "ref.h"

int64_t numel(int rank, const int64_t *d)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= d[i];
    return n;
}

void *xcalloc(size_t n, size_t e)
{
    void *p = calloc(n ? n : 1, e);
    if (!p) {
        fprintf(stderr, "mpe-gen-onnx: out of memory\n");
        exit(1);
    }
    return p;
}

float pow2_up(float s)
{
    int e;
    float f = frexpf(s, &e); /* s = f * 2^e, f in [0.5, 1) */
    return ldexpf(1.0f, f == 0.5f ? e - 1 : e);
}

/* Quantization parameters of real values (max-abs for int8, min-max uint8;
 * GQ_ASYM_I8: min-max for int8 too; GQ_POW2: the scale rounded up to a
 * power of two before the zero point is computed). */
void calibrate(const double *v, int64_t n, int type, int qflags, float *s, int32_t *z)
{
    double lo = 0, hi = 0;
    for (int64_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    if (type == T_INT8 && !(qflags & GQ_ASYM_I8)) {
        double a = fabs(lo) > hi ? fabs(lo) : hi;
        *s = a > 0 ? (float)(a / 127) : 1.0f;
        if (qflags & GQ_POW2)
            *s = pow2_up(*s);
        *z = 0;
        return;
    }
    *s = hi > lo ? (float)((hi - lo) / 255) : 1.0f;
    if (qflags & GQ_POW2)
        *s = pow2_up(*s);
    int32_t qmin = type == T_INT8 ? -128 : 0;
    *z = ref_sat((int64_t)nearbyint(qmin - lo / *s), type);
}

void scalar_init(gctx *g, const char *name, int dtype, const void *v)
{
    ob_init_tensor(g->b, name, dtype, 0, NULL, v);
}

void zp_init(gctx *g, const char *name, int type, int32_t z)
{
    int8_t i8 = (int8_t)z;
    uint8_t u8 = (uint8_t)z;
    scalar_init(g, name, type, type == T_INT8 ? (const void *)&i8 : (const void *)&u8);
}

/* The float input, its QuantizeLinear. */
void gen_input(gctx *g)
{
    const gm_spec *s = g->s;
    gstate *st = &g->st;
    int64_t n = numel(s->rank, s->in_dims);
    float *x[MAXSETS];
    double *d = xcalloc((size_t)n, sizeof *d);
    for (int k = 0; k < s->nsets; k++) {
        x[k] = xcalloc((size_t)n, sizeof(float));
        for (int64_t i = 0; i < n; i++)
            x[k][i] = gen_rand_float(&g->rng, -1.0f, s->in_type == T_UINT8 ? 1.5f : 1.0f);
    }
    for (int64_t i = 0; i < n; i++)
        d[i] = x[0][i];
    st->type = s->in_type;
    calibrate(d, n, st->type, s->qflags, &st->s, &st->z);
    free(d);
    st->rank = s->rank;
    memcpy(st->dims, s->in_dims, sizeof st->dims);
    for (int k = 0; k < s->nsets; k++) {
        st->q[k] = xcalloc((size_t)n, sizeof(int32_t));
        for (int64_t i = 0; i < n; i++)
            st->q[k][i] = ref_quantize(x[k][i], st->s, st->z, st->type);
        g->xin[k] = x[k]; /* kept for input_0.pb */
    }
    ob_input(g->b, "x", T_FLOAT, s->rank, s->in_dims);
    scalar_init(g, "x_s", T_FLOAT, &st->s);
    zp_init(g, "x_z", st->type, st->z);
    ob_node(g->b, "QuantizeLinear", "", "quant_x", (const char *[]){"x", "x_s", "x_z", NULL},
            (const char *[]){"x_q", NULL});
    snprintf(st->name, sizeof st->name, "x_q");
}

/* Weight values [N][K] in the spec's value set, and zero points. */
void gen_weights(gctx *g, const gl_spec *l, int N, int K, int32_t *w, int32_t *zw)
{
    for (int n = 0; n < N; n++) {
        zw[n] = l->wv == WV_U8ZP ? gen_rand_int(&g->rng, 96, 160) : 0;
        for (int k = 0; k < K; k++) {
            int32_t v;
            switch (l->wv) {
            case WV_INT4: v = gen_rand_int(&g->rng, -8, 7); break;
            case WV_TERNARY: v = gen_rand_int(&g->rng, -1, 1); break;
            case WV_BINARY: v = gen_rand_int(&g->rng, 0, 1) ? 1 : -1; break;
            case WV_POW2: {
                int e = gen_rand_int(&g->rng, -1, 6);
                v = e < 0 ? 0 : (gen_rand_int(&g->rng, 0, 1) ? 1 : -1) * (1 << e);
                break;
            }
            case WV_U8ZP: v = gen_rand_int(&g->rng, 0, 255); break;
            default: v = gen_rand_int(&g->rng, -127, 127); break;
            }
            w[n * K + k] = v;
        }
    }
}

void lname(char *buf, size_t n, int li, const char *what)
{
    snprintf(buf, n, "L%d_%s", li, what);
}

/* The weights wn (operator layout: rank, dims, row-major bytes d) as an
 * initializer, or as a stored initializer and the glue node of l->wglue
 * that produces wn (see gen.h). */
static void emit_stored(gctx *g, const gl_spec *l, const char *wn, int type, int rank,
                        const int64_t *dims, const uint8_t *d)
{
    char sn[64], gn[64], shn[64];
    lname(sn, 64, g->li, "w_stored");
    int64_t n = numel(rank, dims);
    if (l->wglue == WG_NONE) {
        ob_init_tensor(g->b, wn, type, rank, dims, d);
    } else if (l->wglue == WG_TRANSPOSE) {
        /* Transpose(S, p) = W: S.dims[p[i]] = W.dims[i] */
        static const int64_t p2[2] = {1, 0}, p4[4] = {3, 2, 0, 1};
        const int64_t *p = rank == 4 ? p4 : p2;
        int64_t sd[4], ss[4], idx[4] = {0};
        for (int i = 0; i < rank; i++)
            sd[p[i]] = dims[i];
        ss[rank - 1] = 1;
        for (int i = rank - 2; i >= 0; i--)
            ss[i] = ss[i + 1] * sd[i + 1];
        uint8_t *sv = xcalloc((size_t)n, 1);
        for (int64_t k = 0; k < n; k++) {
            int64_t off = 0;
            for (int i = 0; i < rank; i++)
                off += idx[i] * ss[p[i]];
            sv[off] = d[k];
            for (int i = rank - 1; i >= 0 && ++idx[i] == dims[i]; i--)
                idx[i] = 0;
        }
        ob_init_tensor(g->b, sn, type, rank, sd, sv);
        free(sv);
        lname(gn, 64, g->li, "w_transpose");
        Onnx__NodeProto *nd = ob_node(g->b, "Transpose", "", gn, (const char *[]){sn, NULL},
                                      (const char *[]){wn, NULL});
        if (l->kind != LK_GEMM) /* Gemm: the default perm (reversed dimensions = p2) */
            ob_attr_ints(g->b, nd, "perm", rank, p);
    } else if (l->wglue == WG_RESHAPE) {
        int64_t shape[4], sd[1] = {rank};
        memcpy(shape, dims, (size_t)rank * sizeof *shape);
        shape[1] = -1;
        lname(shn, 64, g->li, "w_shape");
        ob_init_tensor(g->b, sn, type, 1, &n, d);
        ob_init_tensor(g->b, shn, T_INT64, 1, sd, shape);
        lname(gn, 64, g->li, "w_reshape");
        ob_node(g->b, "Reshape", "", gn, (const char *[]){sn, shn, NULL},
                (const char *[]){wn, NULL});
    } else {
        if (rank != 2) {
            fprintf(stderr, "mpe-gen-onnx: Flatten glue needs 2-D weights\n");
            exit(1);
        }
        int64_t f = dims[1] % 2 ? 1 : 2, sd[3] = {dims[0], f, dims[1] / f};
        ob_init_tensor(g->b, sn, type, 3, sd, d);
        lname(gn, 64, g->li, "w_flatten");
        Onnx__NodeProto *nd = ob_node(g->b, "Flatten", "", gn, (const char *[]){sn, NULL},
                                      (const char *[]){wn, NULL});
        if (l->kind == LK_MATMUL) /* Gemm: the default axis (1) */
            ob_attr_i(g->b, nd, "axis", 1);
    }
}

/* Weights (emit_stored), scales, zero points, DQ. */
void emit_weights(gctx *g, const gl_spec *l, int N, int K, int C, const int32_t *w,
                         const int32_t *zw, const float *sw)
{
    char wn[64], sn[64], zn[64], dn[64];
    lname(wn, 64, g->li, "w");
    lname(sn, 64, g->li, "w_s");
    lname(zn, 64, g->li, "w_z");
    lname(dn, 64, g->li, "w_dq");
    int type = l->wv == WV_U8ZP ? T_UINT8 : T_INT8;
    uint8_t *d = xcalloc((size_t)N * K, 1);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            d[l->kind == LK_MATMUL ? (size_t)k * N + n : (size_t)n * K + k] = (uint8_t)w[n * K + k];
    int64_t dims[4] = {K, N}, zd[1] = {N};
    int rank = 2;
    if (l->kind == LK_GEMM) {
        dims[0] = N;
        dims[1] = K;
    } else if (l->kind == LK_CONV) {
        dims[0] = N; dims[1] = C; dims[2] = l->kh; dims[3] = l->kh;
        rank = 4;
    }
    emit_stored(g, l, wn, type, rank, dims, d);
    uint8_t *z8 = xcalloc((size_t)N, 1);
    for (int n = 0; n < N; n++)
        z8[n] = (uint8_t)zw[n];
    ob_init_tensor(g->b, sn, T_FLOAT, l->per_channel, zd, sw);
    ob_init_tensor(g->b, zn, type, l->per_channel, zd, z8);
    Onnx__NodeProto *nd = ob_node(g->b, "DequantizeLinear", "", dn,
                                  (const char *[]){wn, sn, zn, NULL}, (const char *[]){dn, NULL});
    if (l->per_channel)
        ob_attr_i(g->b, nd, "axis", l->kind == LK_MATMUL ? 1 : 0);
    free(d);
    free(z8);
}

/* Bias: DequantizeLinear(int32) with scale fp32(a_s * w_s), or float. */
void gen_bias(gctx *g, const gl_spec *l, int N, const float *sw, int32_t *bias,
                     char *out_name)
{
    char bn[64], sn[64], zn[64];
    lname(bn, 64, g->li, "b");
    lname(sn, 64, g->li, "b_s");
    lname(zn, 64, g->li, "b_z");
    int64_t d[1] = {N};
    float *bs = xcalloc((size_t)N, sizeof(float));
    float *bf = xcalloc((size_t)N, sizeof(float));
    int32_t *bz = xcalloc((size_t)N, sizeof(int32_t));
    for (int n = 0; n < N; n++) {
        bs[n] = ref_multiplier(g->st.s, sw[n], 1.0f);
        bias[n] = gen_rand_int(&g->rng, -2000, 2000);
        bf[n] = (float)bias[n] * bs[n] * gen_rand_float(&g->rng, 0.9f, 1.1f);
        if (l->bias == BI_FLOAT) {
            volatile float q = bf[n] / bs[n];
            bias[n] = (int32_t)nearbyint((double)q);
        }
    }
    if (l->bias == BI_DQ) {
        ob_init_tensor(g->b, bn, T_INT32, 1, d, bias);
        ob_init_tensor(g->b, sn, T_FLOAT, 1, d, bs);
        ob_init_tensor(g->b, zn, T_INT32, 1, d, bz);
        lname(out_name, 64, g->li, "b_dq");
        ob_node(g->b, "DequantizeLinear", "", out_name, (const char *[]){bn, sn, zn, NULL},
                (const char *[]){out_name, NULL});
    } else {
        ob_init_tensor(g->b, bn, T_FLOAT, 1, d, bf);
        snprintf(out_name, 64, "%s", bn);
    }
    free(bs);
    free(bf);
    free(bz);
}
