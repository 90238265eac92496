/* A com.microsoft MatMulNBits layer: B uint8 [N][k_blocks][blob] with
 * `bits`-bit codes, low bits first; scales [N][k_blocks] (values exact in
 * FP16); optional packed zero points [N][ceil(k_blocks * bits / 8)], default
 * 2^(bits-1). Reference: A (dequantized activation) times B dequantized as
 * (code - zp) * scale, summed in double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdq_int.h"
#include "ref.h"

typedef struct {
    int M, N, K, bits, bs, kb, blob, zrow;
    int32_t *code, *zp; /* [N][K], [N][kb] */
    float *scale;       /* [N][kb] */
} nb_geo;

static void put_bits(uint8_t *p, int64_t bit, int bits, uint32_t v)
{
    for (int i = 0; i < bits; i++, bit++)
        if (v >> i & 1)
            p[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* A positive scale exact in FP16 (11 significant bits). */
static float fp16_scale(uint64_t *rng)
{
    return (float)gen_rand_int(rng, 1024, 2047) * (1.0f / 131072.0f);
}

static void emit_inputs(gctx *g, const gl_spec *l, const nb_geo *G, char names[4][64])
{
    uint8_t *B = xcalloc((size_t)G->N * G->kb * G->blob, 1);
    uint8_t *Z = xcalloc((size_t)G->N * G->zrow, 1);
    for (int n = 0; n < G->N; n++) {
        for (int k = 0; k < G->K; k++)
            put_bits(B + ((size_t)n * G->kb + k / G->bs) * G->blob, (int64_t)(k % G->bs) * G->bits,
                     G->bits, (uint32_t)G->code[n * G->K + k]);
        for (int b = 0; b < G->kb; b++)
            put_bits(Z + (size_t)n * G->zrow, (int64_t)b * G->bits, G->bits,
                     (uint32_t)G->zp[n * G->kb + b]);
    }
    lname(names[0], 64, g->li, "B");
    lname(names[1], 64, g->li, "scales");
    lname(names[2], 64, g->li, l->zp ? "zero_points" : "");
    int64_t bd[3] = {G->N, G->kb, G->blob}, sd[2] = {G->N, G->kb}, zd[2] = {G->N, G->zrow};
    ob_init_tensor(g->b, names[0], T_UINT8, 3, bd, B);
    ob_init_tensor(g->b, names[1], T_FLOAT, 2, sd, G->scale);
    if (l->zp)
        ob_init_tensor(g->b, names[2], T_UINT8, 2, zd, Z);
    else
        names[2][0] = 0;
    free(B);
    free(Z);
}

static float *reference(gctx *g, const gl_spec *l, const nb_geo *G, int k, const float *bias)
{
    float *y = xcalloc((size_t)G->M * G->N, sizeof(float));
    const int32_t *q = g->st.q[k];
    for (int m = 0; m < G->M; m++)
        for (int n = 0; n < G->N; n++) {
            double s = 0;
            for (int kk = 0; kk < G->K; kk++) {
                int b = n * G->kb + kk / G->bs;
                float a = ref_dequantize(q[m * G->K + kk], g->st.s, g->st.z);
                float w = ref_dequantize(G->code[n * G->K + kk], G->scale[b], G->zp[b]);
                s += (double)a * (double)w;
            }
            y[m * G->N + n] = (float)(s + (l->bias ? bias[n] : 0));
        }
    return y;
}

int gen_nbits(gctx *g, const gl_spec *l, const char *out)
{
    nb_geo G;
    G.K = (int)g->st.dims[g->st.rank - 1];
    G.M = (int)(numel(g->st.rank, g->st.dims) / G.K);
    G.N = l->N;
    G.bits = l->bits;
    G.bs = l->block;
    G.kb = (G.K + G.bs - 1) / G.bs;
    G.blob = G.bs * G.bits / 8;
    G.zrow = (G.kb * G.bits + 7) / 8;
    G.code = xcalloc((size_t)G.N * G.K, sizeof(int32_t));
    G.zp = xcalloc((size_t)G.N * G.kb, sizeof(int32_t));
    G.scale = xcalloc((size_t)G.N * G.kb, sizeof(float));
    float *bias = xcalloc((size_t)G.N, sizeof(float));
    int32_t qmax = (1 << G.bits) - 1;
    for (int i = 0; i < G.N * G.K; i++)
        G.code[i] = gen_rand_int(&g->rng, 0, qmax);
    for (int i = 0; i < G.N * G.kb; i++) {
        G.scale[i] = fp16_scale(&g->rng);
        G.zp[i] = l->zp ? gen_rand_int(&g->rng, 0, qmax) : 1 << (G.bits - 1);
    }
    for (int n = 0; n < G.N; n++)
        bias[n] = gen_rand_float(&g->rng, -0.5f, 0.5f);
    char a[64], in[4][64], bn[64];
    act_dq(g, a);
    emit_inputs(g, l, &G, in);
    lname(bn, 64, g->li, "bias");
    if (l->bias)
        ob_init_tensor(g->b, bn, T_FLOAT, 1, (int64_t[]){G.N}, bias);
    const char *list[] = {a, in[0], in[1], in[2], l->bias ? "" : NULL, l->bias ? bn : NULL, NULL};
    Onnx__NodeProto *nd = ob_node(g->b, "MatMulNBits", "com.microsoft", out, list,
                                  (const char *[]){out, NULL});
    ob_attr_i(g->b, nd, "K", G.K);
    ob_attr_i(g->b, nd, "N", G.N);
    ob_attr_i(g->b, nd, "bits", G.bits);
    ob_attr_i(g->b, nd, "block_size", G.bs);
    for (int k = 0; k < g->s->nsets; k++) {
        g->st.f[k] = reference(g, l, &G, k, bias);
        free(g->st.q[k]);
        g->st.q[k] = NULL;
    }
    g->st.dims[g->st.rank - 1] = G.N;
    g->st.type = T_FLOAT;
    snprintf(g->st.name, sizeof g->st.name, "%s", out);
    free(G.code);
    free(G.zp);
    free(G.scale);
    free(bias);
    return 0;
}
