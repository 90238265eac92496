/* One QDQ layer (MatMul, Gemm or Conv) with its reference outputs, and
 * gen_model, which assembles a whole model and its test data sets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qdq_int.h"
#include "ref.h"

typedef struct {
    int conv, M, N, K, C, H, W, OH, OW;
    int32_t *w, *zw, *bias;
    float *sw;
} lgeo;

static void geometry(const gstate *st, const gl_spec *l, lgeo *L)
{
    memset(L, 0, sizeof *L);
    L->conv = l->kind == LK_CONV;
    L->N = l->N;
    if (L->conv) {
        L->C = (int)st->dims[1];
        L->H = (int)st->dims[2];
        L->W = (int)st->dims[3];
        L->K = L->C * l->kh * l->kh;
        L->OH = (L->H + 2 * l->pad - l->kh) / l->stride + 1;
        L->OW = (L->W + 2 * l->pad - l->kh) / l->stride + 1;
        L->M = L->OH * L->OW;
    } else {
        L->K = (int)st->dims[st->rank - 1];
        L->M = (int)(numel(st->rank, st->dims) / L->K);
    }
}

/* DequantizeLinear of the current activation. */
void act_dq(gctx *g, char *out)
{
    char sn[64], zn[64];
    lname(sn, 64, g->li, "a_s");
    lname(zn, 64, g->li, "a_z");
    lname(out, 64, g->li, "a_dq");
    scalar_init(g, sn, T_FLOAT, &g->st.s);
    zp_init(g, zn, g->st.type, g->st.z);
    ob_node(g->b, "DequantizeLinear", "", out, (const char *[]){g->st.name, sn, zn, NULL},
            (const char *[]){out, NULL});
}

static void conv_attrs(gctx *g, Onnx__NodeProto *n, const gl_spec *l)
{
    int64_t k[2] = {l->kh, l->kh}, s[2] = {l->stride, l->stride};
    int64_t p[4] = {l->pad, l->pad, l->pad, l->pad};
    ob_attr_ints(g->b, n, "kernel_shape", 2, k);
    ob_attr_ints(g->b, n, "strides", 2, s);
    ob_attr_ints(g->b, n, "pads", 4, p);
}

/* The anchor node, bias and activation; returns the float result name. */
static void emit_ops(gctx *g, const gl_spec *l, const char *a, const char *bias, char *cur)
{
    char wn[64], t[64];
    lname(wn, 64, g->li, "w_dq");
    lname(cur, 64, g->li, l->kind == LK_CONV ? "conv" : l->kind == LK_GEMM ? "gemm" : "matmul");
    int fused_bias = bias[0] && l->kind != LK_MATMUL;
    const char *op = l->kind == LK_CONV ? "Conv" : l->kind == LK_GEMM ? "Gemm" : "MatMul";
    Onnx__NodeProto *n = ob_node(g->b, op, "", cur,
                                 (const char *[]){a, wn, fused_bias ? bias : NULL, NULL},
                                 (const char *[]){cur, NULL});
    if (l->kind == LK_CONV)
        conv_attrs(g, n, l);
    if (l->kind == LK_GEMM)
        ob_attr_i(g->b, n, "transB", 1);
    if (bias[0] && l->kind == LK_MATMUL) {
        lname(t, 64, g->li, "add");
        ob_node(g->b, "Add", "", t, (const char *[]){cur, bias, NULL}, (const char *[]){t, NULL});
        strcpy(cur, t);
    }
    if (l->act == AC_RELU) {
        lname(t, 64, g->li, "relu");
        ob_node(g->b, "Relu", "", t, (const char *[]){cur, NULL}, (const char *[]){t, NULL});
        strcpy(cur, t);
    } else if (l->act == AC_RELU6) {
        char lo[64], hi[64];
        float z = 0, six = 6;
        lname(lo, 64, g->li, "clip_lo");
        lname(hi, 64, g->li, "clip_hi");
        scalar_init(g, lo, T_FLOAT, &z);
        scalar_init(g, hi, T_FLOAT, &six);
        lname(t, 64, g->li, "relu6");
        ob_node(g->b, "Clip", "", t, (const char *[]){cur, lo, hi, NULL}, (const char *[]){t, NULL});
        strcpy(cur, t);
    }
}

static double act_real(int act, double v)
{
    if (act != AC_NONE && v < 0)
        v = 0;
    if (act == AC_RELU6 && v > 6)
        v = 6;
    return v;
}

/* Accumulators of data set k: [M][N] (matmul) or [N][OH][OW] (conv). */
static int64_t *accumulate(gctx *g, const gl_spec *l, const lgeo *L, int k)
{
    int64_t *acc = xcalloc((size_t)L->M * L->N, sizeof *acc);
    if (L->conv) {
        ref_conv_geom cg = {L->C, L->H, L->W, L->N, l->kh, l->kh, l->stride, l->stride, l->pad,
                            L->OH, L->OW};
        ref_int_conv(&cg, g->st.q[k], g->st.z, L->w, L->zw, acc);
    } else {
        ref_int_gemm(L->M, L->N, L->K, g->st.q[k], g->st.z, L->w, L->zw, acc);
    }
    return acc;
}

static int col_of(const lgeo *L, int64_t i)
{
    return L->conv ? (int)(i / L->M) : (int)(i % L->N);
}

/* Output codes of every data set (out[k]); y_s, y_z calibrated on set 0. */
static void requantize(gctx *g, const gl_spec *l, const lgeo *L, float *ys, int32_t *yz,
                       int32_t **out)
{
    int64_t n = (int64_t)L->M * L->N;
    int64_t *acc[8];
    double *real = xcalloc((size_t)n, sizeof *real);
    for (int k = 0; k < g->s->nsets; k++)
        acc[k] = accumulate(g, l, L, k);
    for (int64_t i = 0; i < n; i++) {
        int c = col_of(L, i);
        real[i] = act_real(l->act, (double)(acc[0][i] + L->bias[c]) * g->st.s * L->sw[c]);
    }
    calibrate(real, n, l->ytype, g->s->qflags, ys, yz);
    int32_t qlo = *yz, qhi = ref_quantize(6.0f, *ys, *yz, l->ytype);
    for (int k = 0; k < g->s->nsets; k++) {
        for (int64_t i = 0; i < n; i++) {
            int c = col_of(L, i);
            float m = ref_multiplier(g->st.s, L->sw[c], *ys);
            int32_t y = ref_requant(acc[k][i] + L->bias[c], m, *yz, l->ytype);
            if (l->act != AC_NONE && y < qlo)
                y = qlo;
            if (l->act == AC_RELU6 && y > qhi)
                y = qhi;
            acc[k][i] = y;
        }
        out[k] = xcalloc((size_t)n, sizeof(int32_t));
        for (int64_t i = 0; i < n; i++)
            out[k][i] = (int32_t)acc[k][i];
        free(acc[k]);
    }
    free(real);
}

static void new_shape(gstate *st, const gl_spec *l, const lgeo *L)
{
    if (L->conv) {
        st->dims[1] = L->N;
        st->dims[2] = L->OH;
        st->dims[3] = L->OW;
    } else {
        st->dims[st->rank - 1] = L->N;
    }
    st->type = l->ytype;
}

static int gen_qdq(gctx *g, const gl_spec *l, const char *out)
{
    lgeo L;
    geometry(&g->st, l, &L);
    L.w = xcalloc((size_t)L.N * L.K, sizeof(int32_t));
    L.zw = xcalloc((size_t)L.N, sizeof(int32_t));
    L.bias = xcalloc((size_t)L.N, sizeof(int32_t));
    L.sw = xcalloc((size_t)L.N, sizeof(float));
    gen_weights(g, l, L.N, L.K, L.w, L.zw);
    float s0 = gen_rand_float(&g->rng, 0.004f, 0.02f);
    for (int n = 0; n < L.N; n++) {
        L.sw[n] = l->per_channel ? gen_rand_float(&g->rng, 0.004f, 0.02f) : s0;
        if (g->s->qflags & GQ_POW2)
            L.sw[n] = pow2_up(L.sw[n]);
    }
    char a[64], bias[64] = "", cur[64];
    act_dq(g, a);
    emit_weights(g, l, L.N, L.K, L.C, L.w, L.zw, L.sw);
    if (l->bias != BI_NONE)
        gen_bias(g, l, L.N, L.sw, L.bias, bias);
    emit_ops(g, l, a, bias, cur);
    float ys;
    int32_t yz;
    int32_t *outq[MAXSETS];
    requantize(g, l, &L, &ys, &yz, outq);
    char sn[64], zn[64];
    lname(sn, 64, g->li, "y_s");
    lname(zn, 64, g->li, "y_z");
    scalar_init(g, sn, T_FLOAT, &ys);
    zp_init(g, zn, l->ytype, yz);
    ob_node(g->b, "QuantizeLinear", "", out, (const char *[]){cur, sn, zn, NULL},
            (const char *[]){out, NULL});
    for (int k = 0; k < g->s->nsets; k++) {
        free(g->st.q[k]);
        g->st.q[k] = outq[k];
    }
    new_shape(&g->st, l, &L);
    g->st.s = ys;
    g->st.z = yz;
    snprintf(g->st.name, sizeof g->st.name, "%s", out);
    free(L.w);
    free(L.zw);
    free(L.bias);
    free(L.sw);
    return 0;
}

static int write_sets(gctx *g, const char *dir)
{
    char p[1200];
    const gm_spec *s = g->s;
    gstate *st = &g->st;
    for (int k = 0; k < s->nsets; k++) {
        snprintf(p, sizeof p, "%s/test_data_set_%d", dir, k);
        if (gen_mkdir(p))
            return -1;
        snprintf(p, sizeof p, "%s/test_data_set_%d/input_0.pb", dir, k);
        if (ob_write_tensor(p, "x", T_FLOAT, s->rank, s->in_dims, g->xin[k]))
            return -1;
        int64_t n = numel(st->rank, st->dims);
        void *data;
        int dt = st->type;
        if (st->type == T_FLOAT) {
            data = st->f[k];
        } else if (s->out_float) {
            float *f = xcalloc((size_t)n, sizeof(float));
            for (int64_t i = 0; i < n; i++)
                f[i] = ref_dequantize(st->q[k][i], st->s, st->z);
            data = f;
            dt = T_FLOAT;
        } else {
            uint8_t *u = xcalloc((size_t)n, 1);
            for (int64_t i = 0; i < n; i++)
                u[i] = (uint8_t)st->q[k][i];
            data = u;
        }
        snprintf(p, sizeof p, "%s/test_data_set_%d/output_0.pb", dir, k);
        int rc = ob_write_tensor(p, "y", dt, st->rank, st->dims, data);
        if (data != st->f[k])
            free(data);
        if (rc)
            return -1;
        if (s->side_out) {
            const gstate *sd = &g->side;
            int64_t ns = numel(sd->rank, sd->dims);
            uint8_t *u = xcalloc((size_t)ns, 1);
            for (int64_t i = 0; i < ns; i++)
                u[i] = (uint8_t)sd->q[k][i];
            snprintf(p, sizeof p, "%s/test_data_set_%d/output_1.pb", dir, k);
            rc = ob_write_tensor(p, sd->name, sd->type, sd->rank, sd->dims, u);
            free(u);
            if (rc)
                return -1;
        }
    }
    return 0;
}

/* The graph output: the last layer's codes, or their DequantizeLinear. */
static void final_output(gctx *g)
{
    gstate *st = &g->st;
    if (st->type != T_FLOAT && g->s->out_float) {
        scalar_init(g, "y_s", T_FLOAT, &st->s);
        zp_init(g, "y_z", st->type, st->z);
        ob_node(g->b, "DequantizeLinear", "", "dequant_y",
                (const char *[]){st->name, "y_s", "y_z", NULL}, (const char *[]){"y", NULL});
    }
    int out_t = st->type == T_FLOAT || g->s->out_float ? T_FLOAT : st->type;
    ob_output(g->b, "y", out_t, st->rank, st->dims);
    if (g->s->side_out)
        ob_output(g->b, g->side.name, g->side.type, g->side.rank, g->side.dims);
}

/* Keeps a copy of the current layer output (gm_spec.side_out). */
static void keep_side(gctx *g)
{
    gstate *sd = &g->side, *st = &g->st;
    *sd = *st;
    int64_t n = numel(st->rank, st->dims);
    for (int k = 0; k < MAXSETS; k++) {
        sd->f[k] = NULL;
        sd->q[k] = NULL;
        if (k < g->s->nsets) {
            sd->q[k] = xcalloc((size_t)n, sizeof(int32_t));
            memcpy(sd->q[k], st->q[k], (size_t)n * sizeof(int32_t));
        }
    }
}

int gen_model(const gm_spec *s, const char *dir)
{
    ob b;
    ob_init(&b);
    gctx g;
    memset(&g, 0, sizeof g);
    g.b = &b;
    g.s = s;
    g.rng = s->seed;
    char ext[1200], path[1200];
    if (gen_mkdir(dir))
        return -1;
    if (s->ext_data) {
        snprintf(ext, sizeof ext, "%s/%s", dir, s->ext_data);
        b.ext_path = ext;
        b.ext_name = s->ext_data;
    }
    gen_input(&g);
    int rc = 0;
    for (int i = 0; i < s->nl && !rc; i++) {
        g.li = i;
        int last = i == s->nl - 1;
        const char *out = last && !s->out_float ? "y" : NULL;
        char tmp[64];
        lname(tmp, 64, i, "q");
        if (s->L[i].kind == LK_NBITS)
            rc = gen_nbits(&g, &s->L[i], "y");
        else
            rc = gen_qdq(&g, &s->L[i], out ? out : tmp);
        if (!rc && s->side_out == i + 1)
            keep_side(&g);
    }
    if (!rc) {
        final_output(&g);
        snprintf(path, sizeof path, "%s/model.onnx", dir);
        rc = ob_write_model(&b, path) || write_sets(&g, dir);
    }
    for (int k = 0; k < MAXSETS; k++) {
        free(g.st.q[k]);
        free(g.st.f[k]);
        free(g.side.q[k]);
        free(g.xin[k]);
    }
    ob_free(&b);
    return rc ? -1 : 0;
}
