/* Fast functional GEMM (docs/numerics.md 5.6): the numbers of the
 * structural path without its structure. Codes are decoded once to integers
 * (element values in units of the format LSB for BFP); dot products run in
 * int16 x int16 -> int32 blocks that cannot overflow (GCC vectorizes them at
 * -O3 with the baseline x86-64 ISA), int32 x int32 -> int64, or __int128
 * when the operand ranges need it. Integer modes wrap the exact sum to 48
 * bits (equal to the per-op wrapped sums: the arithmetic is modular). BFP
 * and grouped shift-add form the same exact per-block integers as the PE and
 * apply the same two roundings (int_to_f32, f32_add) in the same order. */
#include "pe_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ operands */

/* A decoded operand matrix: values as int16, int32 or int64 (by `width`),
 * their range, and per element special flags (bfp: 1 NaN, 2 inf). */
typedef struct {
    int width; /* 16, 32 or 64 */
    void *v;
    uint8_t *spec; /* NULL when no element is special */
    int64_t lo, hi;
} opmat;

typedef struct {
    int64_t *val;
    uint8_t *spec;
    int64_t lo, hi;
    int any_spec;
} dec_table;

/* Value table of every code of t: integer value, or for BFP elements the
 * signed mantissa shifted by its exponent offset (units of 2^L). */
static int make_table(mpe_dtype t, int bfp, dec_table *d)
{
    size_t n = (size_t)1 << t.bits;
    d->val = malloc(n * sizeof *d->val);
    d->spec = calloc(n, 1);
    if (!d->val || !d->spec)
        return -1;
    d->lo = d->hi = 0;
    d->any_spec = 0;
    for (size_t c = 0; c < n; c++) {
        int64_t v;
        if (bfp) {
            pe_elem e = mpe_pe_bfp_decode(t, (uint32_t)c);
            v = (int64_t)((uint64_t)e.mant << e.eoff);
            v = e.sign ? -v : v;
            d->spec[c] = (uint8_t)(e.nan | (e.inf << 1));
            d->any_spec |= d->spec[c];
        } else {
            v = mpe_dt_int_value(t, (uint32_t)c);
        }
        d->val[c] = v;
        d->lo = v < d->lo ? v : d->lo;
        d->hi = v > d->hi ? v : d->hi;
    }
    return 0;
}

static void free_table(dec_table *d)
{
    free(d->val);
    free(d->spec);
}

static int64_t maxabs(int64_t lo, int64_t hi)
{
    return -lo > hi ? -lo : hi;
}

/* Decodes rows x cols codes into an operand matrix of the given width. */
static int decode_mat(const dec_table *d, mpe_dtype t, const uint16_t *codes, size_t n,
                      int width, opmat *o)
{
    uint32_t mask = mpe_dt_mask(t);
    o->width = width;
    o->lo = d->lo;
    o->hi = d->hi;
    o->spec = NULL;
    o->v = malloc(n * (size_t)(width / 8));
    if (!o->v)
        return -1;
    if (d->any_spec && !(o->spec = malloc(n)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = codes[i] & mask;
        int64_t v = d->val[c];
        if (width == 16)
            ((int16_t *)o->v)[i] = (int16_t)v;
        else if (width == 32)
            ((int32_t *)o->v)[i] = (int32_t)v;
        else
            ((int64_t *)o->v)[i] = v;
        if (o->spec)
            o->spec[i] = d->spec[c];
    }
    return 0;
}

/* Narrowest width for dots of `len` terms: int16 operands with int32 sums,
 * int32 operands with int64 sums, else int64 operands with __int128 sums. */
static int pick_width(const dec_table *a, const dec_table *w, int64_t len)
{
    unsigned __int128 bound = (unsigned __int128)(uint64_t)maxabs(a->lo, a->hi) *
                              (uint64_t)maxabs(w->lo, w->hi) * (uint64_t)len;
    int fit16 = a->lo >= INT16_MIN && a->hi <= INT16_MAX && w->lo >= INT16_MIN &&
                w->hi <= INT16_MAX;
    int fit32 = a->lo >= INT32_MIN && a->hi <= INT32_MAX && w->lo >= INT32_MIN &&
                w->hi <= INT32_MAX;
    if (fit16 && bound <= INT32_MAX)
        return 16;
    if (fit32 && bound <= INT64_MAX)
        return 32;
    return 64;
}

/* ------------------------------------------------------------ kernels */

/* Four dot products of a with w, w + ldw, w + 2 ldw, w + 3 ldw. The caller
 * guarantees that no partial sum leaves int32. */
static void dot4_16(const int16_t *restrict a, const int16_t *restrict w, size_t ldw,
                    int len, int32_t *out)
{
    const int16_t *restrict w0 = w, *restrict w1 = w + ldw;
    const int16_t *restrict w2 = w + 2 * ldw, *restrict w3 = w + 3 * ldw;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int k = 0; k < len; k++) {
        int32_t x = a[k];
        s0 += x * w0[k];
        s1 += x * w1[k];
        s2 += x * w2[k];
        s3 += x * w3[k];
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
}

static int32_t dot1_16(const int16_t *restrict a, const int16_t *restrict w, int len)
{
    int32_t s = 0;
    for (int k = 0; k < len; k++)
        s += (int32_t)a[k] * w[k];
    return s;
}

static int64_t dot1_32(const int32_t *restrict a, const int32_t *restrict w, int len)
{
    int64_t s = 0;
    for (int k = 0; k < len; k++)
        s += (int64_t)a[k] * w[k];
    return s;
}

static __int128 dot1_64(const int64_t *a, const int64_t *w, int len)
{
    __int128 s = 0;
    for (int k = 0; k < len; k++)
        s += (__int128)a[k] * w[k];
    return s;
}

/* Exact dot of A[ia .. ia+len) with W[iw .. iw+len). */
static __int128 dot_at(const opmat *A, size_t ia, const opmat *W, size_t iw, int len)
{
    switch (A->width) {
    case 16: return dot1_16((const int16_t *)A->v + ia, (const int16_t *)W->v + iw, len);
    case 32: return dot1_32((const int32_t *)A->v + ia, (const int32_t *)W->v + iw, len);
    default: return dot1_64((const int64_t *)A->v + ia, (const int64_t *)W->v + iw, len);
    }
}

/* ------------------------------------------------------------ integer modes */

/* Y += A x W^T over int16 operands, in k blocks of at most kb terms. */
static void gemm16(const int16_t *A, const int16_t *W, const mpe_gemm_args *g, int kb,
                   uint64_t *Y)
{
    int M = g->M, N = g->N, K = g->K;
    int KB = kb < 2048 ? kb : 2048;
    for (int k0 = 0; k0 < K; k0 += KB) {
        int len = K - k0 < KB ? K - k0 : KB;
        int NB = (8192 / len) & ~3;
        NB = NB < 4 ? 4 : NB;
        for (int n0 = 0; n0 < N; n0 += NB) {
            int n1 = n0 + NB < N ? n0 + NB : N;
            for (int m = 0; m < M; m++) {
                const int16_t *a = A + (size_t)m * K + k0;
                uint64_t *y = Y + (size_t)m * N;
                int n = n0;
                for (; n + 4 <= n1; n += 4) {
                    int32_t s[4];
                    dot4_16(a, W + (size_t)n * K + k0, (size_t)K, len, s);
                    for (int i = 0; i < 4; i++)
                        y[n + i] += (uint64_t)(int64_t)s[i];
                }
                for (; n < n1; n++)
                    y[n] += (uint64_t)(int64_t)dot1_16(a, W + (size_t)n * K + k0, len);
            }
        }
    }
}

static void gemm_wide(const opmat *A, const opmat *W, const mpe_gemm_args *g, uint64_t *Y)
{
    for (int m = 0; m < g->M; m++)
        for (int n = 0; n < g->N; n++) {
            __int128 s = dot_at(A, (size_t)m * g->K, W, (size_t)n * g->K, g->K);
            Y[(size_t)m * g->N + n] = (uint64_t)s; /* modulo 2^64 */
        }
}

typedef struct {
    dec_table ta, tw;
    opmat A, W;
} operands;

static void free_operands(operands *o)
{
    free_table(&o->ta);
    free_table(&o->tw);
    free(o->A.v);
    free(o->A.spec);
    free(o->W.v);
    free(o->W.spec);
}

/* Decodes A and W for dots of `len` terms (width chosen from the ranges). */
static mpe_status load_operands(const mpe_pe_cfg *cfg, const mpe_gemm_args *g, int len,
                                operands *o)
{
    int bfp = cfg->mode == MPE_MODE_BFP;
    memset(o, 0, sizeof *o);
    if (make_table(cfg->a, bfp, &o->ta) || make_table(cfg->w, bfp, &o->tw))
        return MPE_ERR_NOMEM;
    int width = pick_width(&o->ta, &o->tw, len);
    if (decode_mat(&o->ta, cfg->a, g->A, (size_t)g->M * g->K, width, &o->A) ||
        decode_mat(&o->tw, cfg->w, g->W, (size_t)g->N * g->K, width, &o->W))
        return MPE_ERR_NOMEM;
    return MPE_OK;
}

static mpe_status fast_int(const mpe_pe_cfg *cfg, const mpe_gemm_args *g, int64_t *y)
{
    operands o;
    uint64_t *Y = calloc((size_t)g->M * g->N, sizeof *Y);
    mpe_status s = Y ? load_operands(cfg, g, 16, &o) : MPE_ERR_NOMEM;
    if (s == MPE_OK && o.A.width == 16) {
        /* the longest block whose int32 partial sums cannot overflow */
        int64_t p = maxabs(o.ta.lo, o.ta.hi) * maxabs(o.tw.lo, o.tw.hi);
        int64_t kb = p ? INT32_MAX / p : g->K;
        gemm16(o.A.v, o.W.v, g, kb < g->K ? (int)kb : g->K, Y);
    } else if (s == MPE_OK) {
        gemm_wide(&o.A, &o.W, g, Y);
    }
    if (s == MPE_OK)
        for (size_t i = 0; i < (size_t)g->M * g->N; i++)
            y[i] = mpe_sext(Y[i], MPE_ACC_BITS);
    if (Y)
        free_operands(&o);
    free(Y);
    return s;
}

/* ------------------------------------------------------------ grouped modes */

/* Activation sums S[m][b] of every group (shift-add zero points). */
static int64_t *group_sums(const opmat *A, const mpe_gemm_args *g, int G)
{
    int nb = g->K / G;
    int64_t *S = malloc(sizeof *S * (size_t)g->M * nb);
    if (!S)
        return NULL;
    for (int m = 0; m < g->M; m++)
        for (int b = 0; b < nb; b++) {
            int64_t s = 0;
            for (int k = 0; k < G; k++) {
                size_t i = (size_t)m * g->K + (size_t)b * G + k;
                s += A->width == 16 ? ((const int16_t *)A->v)[i]
                                    : A->width == 32 ? ((const int32_t *)A->v)[i]
                                                     : ((const int64_t *)A->v)[i];
            }
            S[(size_t)m * nb + b] = s;
        }
    return S;
}

static int block_special(const opmat *X, size_t i, int len)
{
    if (!X->spec)
        return 0;
    for (int k = 0; k < len; k++)
        if (X->spec[i + k])
            return 1;
    return 0;
}

/* A block with a NaN/inf element: lane by lane, as the PE does. */
static uint32_t bfp_special_block(const mpe_pe_cfg *cfg, const mpe_gemm_args *g, size_t ia,
                                  size_t iw, int len, pe_scale as, pe_scale ws)
{
    __int128 d = 0;
    unsigned spec = 0;
    for (int k = 0; k < len; k++)
        spec |= pe_bfp_lane(mpe_pe_bfp_decode(cfg->a, g->A[ia + k]),
                            mpe_pe_bfp_decode(cfg->w, g->W[iw + k]), &d);
    return mpe_pe_bfp_block_value(cfg, d, spec, as, ws);
}

/* Value of block b of output (m, n) for the FP32 accumulator. */
static uint32_t block_value(const mpe_pe_cfg *cfg, const mpe_gemm_args *g, const operands *o,
                            const int64_t *S, int m, int n, int b)
{
    int G = cfg->group, nb = g->K / G;
    size_t ia = (size_t)m * g->K + (size_t)b * G, iw = (size_t)n * g->K + (size_t)b * G;
    size_t is = (size_t)n * nb + b;
    if (cfg->mode == MPE_MODE_SHIFTADD) {
        int64_t z = g->w_zero ? g->w_zero[is] : 0;
        int64_t v = (int64_t)dot_at(&o->A, ia, &o->W, iw, G) - z * S[(size_t)m * nb + b];
        return mpe_pe_sa_group_value(v, g->w_scale[is]);
    }
    pe_scale as = mpe_pe_bfp_scale((mpe_fmt)cfg->scale_fmt, g->a_scale[(size_t)m * nb + b]);
    pe_scale ws = mpe_pe_bfp_scale((mpe_fmt)cfg->scale_fmt, g->w_scale[is]);
    if (block_special(&o->A, ia, G) || block_special(&o->W, iw, G))
        return bfp_special_block(cfg, g, ia, iw, G, as, ws);
    return mpe_pe_bfp_block_value(cfg, dot_at(&o->A, ia, &o->W, iw, G), 0, as, ws);
}

static mpe_status fast_grouped(const mpe_pe_cfg *cfg, const mpe_gemm_args *g, uint32_t *y)
{
    operands o;
    int64_t *S = NULL;
    mpe_status s = load_operands(cfg, g, cfg->group, &o);
    if (s == MPE_OK && cfg->mode == MPE_MODE_SHIFTADD && !(S = group_sums(&o.A, g, cfg->group)))
        s = MPE_ERR_NOMEM;
    for (int m = 0; s == MPE_OK && m < g->M; m++)
        for (int n = 0; n < g->N; n++) {
            uint32_t acc = 0; /* +0 */
            for (int b = 0; b < g->K / cfg->group; b++) /* increasing k */
                acc = mpe_f32_add(acc, block_value(cfg, g, &o, S, m, n, b));
            y[(size_t)m * g->N + n] = acc;
        }
    free(S);
    free_operands(&o);
    return s;
}

mpe_status mpe_gemm_fast(const mpe_pe_cfg *cfg, const mpe_gemm_args *g, int64_t *y_int,
                         uint32_t *y_f32)
{
    mpe_status s = mpe_pe_cfg_types_check(cfg, NULL, 0);
    if (s != MPE_OK)
        return s;
    if (!g || !g->A || !g->W)
        return MPE_ERR_ARG;
    if (g->M < 1 || g->N < 1 || g->K < 1)
        return MPE_ERR_SHAPE;
    if (!mpe_pe_cfg_is_float(cfg))
        return y_int ? fast_int(cfg, g, y_int) : MPE_ERR_ARG;
    if (cfg->group > MPE_PE_MAX_GROUP || g->K % cfg->group)
        return MPE_ERR_SHAPE;
    if (!y_f32 || !g->w_scale || (cfg->mode == MPE_MODE_BFP && !g->a_scale))
        return MPE_ERR_ARG;
    return fast_grouped(cfg, g, y_f32);
}
