/* Building accelerator layers from a matched pattern (lb_desc, filled by
 * fuse.c): row structure, weight source, output stage parameters
 * (docs/numerics.md section 6), bias with the activation zero point folded
 * in: sum_k (a_k - za) w_k = sum_k a_k w_k - za * sum_k w_k. */
#include "comp.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/format.h"

static int64_t round_up(int64_t x, int64_t m)
{
    return (x + m - 1) / m * m;
}

static int ldesc(comp *c, const lb_desc *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ldesc(comp *c, const lb_desc *d, const char *fmt, ...)
{
    char nd[256], m[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return comp_err(c, "%s: %s", comp_node_desc(c, d->node, nd, sizeof nd), m);
}

static float f32(uint32_t b)
{
    return mpe_f32_from_bits(b);
}

/* Q(v) = sat(RNE(v / y_scale) + zp), one FP32 division. */
static int32_t quantize_bound(float v, const ir_quant *q, int64_t lo, int64_t hi)
{
    volatile float r = v / f32(q->scale);
    double t = nearbyint((double)r) + q->zp;
    return (int32_t)(t < lo ? lo : (t > hi ? hi : t));
}

static int out_format(int dtype)
{
    switch (dtype) {
    case MPE_T_INT8: return MPE_OUT_INT8;
    case MPE_T_UINT8: return MPE_OUT_UINT8;
    case MPE_T_INT32: return MPE_OUT_INT32;
    default: return MPE_OUT_FP32;
    }
}

/* Output format, clamp and ReLU of the layer. */
static int out_stage(comp *c, const lb_desc *d, ir_layer *L)
{
    L->yq = d->yq;
    L->out = out_format(d->yq.dtype);
    if (mpe_out_is_float(L->out)) {
        if (d->act == ACT_CLIP)
            return ldesc(c, d, "Clip on a float output is not supported");
        L->relu = d->act == ACT_RELU;
        return 0;
    }
    int64_t qmin, qmax;
    mpe_out_range(L->out, &qmin, &qmax);
    L->lo = (int32_t)(qmin < INT32_MIN ? INT32_MIN : qmin);
    L->hi = (int32_t)(qmax > INT32_MAX ? INT32_MAX : qmax);
    if (d->act == ACT_RELU)
        L->lo = d->yq.zp;
    if (d->act == ACT_CLIP) {
        L->lo = quantize_bound(d->clip_lo, &d->yq, qmin, qmax);
        L->hi = quantize_bound(d->clip_hi, &d->yq, qmin, qmax);
        if (L->lo > L->hi)
            return ldesc(c, d, "Clip bounds are empty after quantization");
    }
    return 0;
}

/* M[n]: ONNX multiplier for integer outputs, a_scale*w_scale for float ones. */
static int multipliers(comp *c, const lb_desc *d, ir_layer *L)
{
    L->mult = calloc((size_t)d->N, 4);
    if (!L->mult)
        return comp_err(c, "out of memory");
    L->rq = d->wscale ? MPE_RQ_FLOAT : MPE_RQ_NONE;
    for (int64_t n = 0; n < d->N && d->wscale; n++) {
        if (d->yq.dtype)
            L->mult[n] = mpe_rq_float_multiplier(d->aq.scale, d->wscale[n], d->yq.scale);
        else
            L->mult[n] = mpe_f32_bits(f32(d->aq.scale) * f32(d->wscale[n]));
    }
    return 0;
}

/* Integer bias: model bias (in accumulator units) - za * sum_k w(n, k). */
static int int_bias(comp *c, const lb_desc *d, ir_layer *L)
{
    L->bias = calloc((size_t)d->N, 4);
    if (!L->bias)
        return comp_err(c, "out of memory");
    for (int64_t n = 0; n < d->N; n++) {
        int64_t b = 0;
        if (d->bias_int)
            b = d->bias_int[n];
        else if (d->bias_real) {
            float unit = f32(d->aq.scale) * f32(d->wscale[n]);
            volatile float q = (float)d->bias_real[n] / unit;
            double r = nearbyint((double)q);
            if (!(fabs(r) < 0x1p62)) /* also inf and NaN: cannot fit after folding */
                return ldesc(c, d, "bias of output channel %lld does not fit in int32",
                             (long long)n);
            b = (int64_t)r;
        }
        if (d->aq.zp) {
            int64_t s = 0;
            for (int64_t k = 0; k < d->K; k++)
                s += ir_wget(c, L, n, k);
            b -= (int64_t)d->aq.zp * s;
        }
        if (b < INT32_MIN || b > INT32_MAX)
            return ldesc(c, d, "bias of output channel %lld does not fit in int32 "
                         "(after folding the activation zero point)", (long long)n);
        L->bias[n] = (int32_t)b;
        L->has_bias |= b != 0;
    }
    return 0;
}

static int copy_zp(comp *c, const lb_desc *d, ir_layer *L)
{
    if (!d->wzp)
        return 0;
    L->w.zp = malloc((size_t)d->N * 4);
    if (!L->w.zp)
        return comp_err(c, "out of memory");
    memcpy(L->w.zp, d->wzp, (size_t)d->N * 4);
    return 0;
}

static int new_layer(comp *c, const lb_desc *d, int *out)
{
    int id = ir_new_layer(c);
    if (id < 0)
        return -1;
    ir_layer *L = &c->L[id];
    L->name = comp_strdup(c->n[d->node].name);
    L->op = comp_strdup(c->n[d->node].op);
    if (!L->name || !L->op)
        return comp_err(c, "out of memory");
    L->x = d->x;
    L->y = d->y;
    L->aq = d->aq;
    L->N = d->N;
    L->K = d->K;
    L->w.kind = d->wkind;
    L->w.src = d->w;
    *out = id;
    return 0;
}

/* Rows of each layer: one GEMM over every row, or one per weight batch
 * (batch b owns rows [b*m, b*m + m) of x and y; its GEMM covers the whole
 * R-row tiles around them and stores only its own rows). */
typedef struct {
    int64_t M, rows;   /* GEMM rows (padded), real rows of y */
    int64_t m;         /* rows per batch */
    int xb;            /* x has the batches (1) or is broadcast (0) */
} rows_info;

static int64_t rdown(int64_t x, int64_t m)
{
    return x / m * m;
}

static int rows_plan(comp *c, const lb_desc *d, rows_info *ri)
{
    int64_t R = c->arch.rows, xr, xc, yr, yc;
    ir_matrix(&c->v[d->y], &yr, &yc);
    ri->rows = d->is_conv ? d->g.N * d->g.OH * d->g.OW : yr;
    ri->M = round_up(ri->rows, R);
    ri->m = ri->rows;
    ri->xb = 1;
    if (d->is_conv || d->nb == 1) {
        if (!d->is_conv) {
            ir_matrix(&c->v[d->x], &xr, &xc);
            if (xr != yr)
                return ldesc(c, d, "activation rows (%lld) do not match the output rows (%lld)",
                             (long long)xr, (long long)yr);
        }
        return 0;
    }
    ir_matrix(&c->v[d->x], &xr, &xc);
    ri->m = yr / d->nb;
    ri->xb = xr == yr;
    if (ri->m * d->nb != yr || (!ri->xb && xr != ri->m))
        return ldesc(c, d, "batched weights (%d batches) need activations with the same "
                     "batch dimensions", d->nb);
    if (!ri->xb && ri->m % R)
        return ldesc(c, d, "broadcasting activations of %lld rows over %d weight batches "
                     "needs a multiple of %lld rows", (long long)ri->m, d->nb, (long long)R);
    return 0;
}

/* Rows of batch b: GEMM rows [xrow0/yrow0, + M), stored rows [st_lo, st_hi). */
static void batch_rows(comp *c, const lb_desc *d, const rows_info *ri, int b, ir_layer *L)
{
    int64_t R = c->arch.rows;
    L->Mreal = ri->m;
    if (d->nb == 1) {
        L->M = ri->M;
        L->st_lo = 0;
        L->st_hi = ri->M;
        return;
    }
    int64_t lo = b * ri->m, hi = lo + ri->m;
    L->yrow0 = rdown(lo, R);
    L->xrow0 = ri->xb ? L->yrow0 : 0;
    L->M = round_up(hi, R) - L->yrow0;
    L->st_lo = lo;
    L->st_hi = hi;
    L->batch = b;
}

static int build_int(comp *c, const lb_desc *d, int bi, const rows_info *ri)
{
    int id;
    if (new_layer(c, d, &id))
        return -1;
    ir_layer *L = &c->L[id];
    batch_rows(c, d, ri, bi, L);
    L->w.base = (int64_t)bi * d->K * d->N;
    L->w.sub_zp = 1;
    if (d->is_conv) {
        L->is_conv = 1;
        L->C = (int)d->g.C; L->H = (int)d->g.H; L->W = (int)d->g.W;
        L->kh = d->g.kh; L->kw = d->g.kw; L->sh = d->g.sh; L->sw = d->g.sw;
        L->dh = d->g.dh; L->dw = d->g.dw; L->pt = d->g.pt; L->pl = d->g.pl;
        L->pb = d->g.pb; L->pr = d->g.pr; L->OH = (int)d->g.OH; L->OW = (int)d->g.OW;
    }
    if (copy_zp(c, d, L) || out_stage(c, d, L) || multipliers(c, d, L))
        return -1;
    return int_bias(c, d, &c->L[id]);
}

/* ---- MatMulNBits: uintB codes, FP16 group scales, integer group zero points */

/* MatMulNBits block scales become the grouped shift-add datapath's FP16 scales.
 * A scale FP16 cannot hold exactly is an error unless the user asked for the
 * rounding (--fp16-scales); then the rounding is always reported. */
static int nbits_groups(comp *c, const lb_desc *d, ir_layer *L, int64_t kb)
{
    const ir_value *sc = &c->v[d->scales];
    const ir_value *zp = d->zps >= 0 ? &c->v[d->zps] : NULL;
    size_t n = (size_t)(d->N * kb);
    L->w.gscale = malloc(n * 2);
    L->w.gzp = malloc(n * 2);
    if (!L->w.gscale || !L->w.gzp)
        return comp_err(c, "out of memory");
    int64_t zrow = (kb * d->bits + 7) / 8, inexact = 0;
    double worst = 0;
    for (int64_t i = 0; i < (int64_t)n; i++) {
        unsigned fl = 0;
        float s = ir_const_f32(sc, i);
        L->w.gscale[i] = (uint16_t)mpe_fp_from_float(MPE_FMT_FP16, s, 0, MPE_RNE, 1, &fl);
        if (fl & (MPE_FLAG_INEXACT | MPE_FLAG_OVERFLOW)) {
            double r = mpe_fp_decode(MPE_FMT_FP16, L->w.gscale[i]);
            double rel = s != 0 ? fabs(r - (double)s) / fabs((double)s) : 0;
            inexact++;
            worst = rel > worst || isnan(rel) ? rel : worst;
        }
        int32_t z = 1 << (d->bits - 1);
        if (zp) {
            const uint8_t *row = (const uint8_t *)zp->c.data + i / kb * zrow;
            z = (int32_t)ir_bitfield(row, i % kb * d->bits, d->bits);
        }
        L->w.gzp[i] = (int16_t)z;
    }
    if (inexact && !c->o.fp16_scales)
        return ldesc(c, d, "%lld of %lld block scales are not exact in FP16 (largest relative "
                     "change %.3g); the grouped shift-add datapath holds FP16 scales: pass "
                     "--fp16-scales to round them (lossy)", (long long)inexact, (long long)n,
                     worst);
    if (inexact)
        fprintf(stderr, "warning: %s: --fp16-scales: %lld of %lld block scales rounded to FP16 "
                "(largest relative change %.3g)\n", L->name, (long long)inexact, (long long)n,
                worst);
    return 0;
}

/* FP32 bias: model bias / a_scale - za * sum_blocks s_b * sum_k (q - z). */
static int nbits_bias(comp *c, const lb_desc *d, ir_layer *L)
{
    L->fbias = calloc((size_t)d->N, 4);
    if (!L->fbias)
        return comp_err(c, "out of memory");
    double as = f32(d->aq.scale);
    for (int64_t n = 0; n < d->N; n++) {
        double b = d->bias_real ? d->bias_real[n] / as : 0;
        for (int64_t k0 = 0; d->aq.zp && k0 < d->K; k0 += d->bs) {
            int64_t blk = n * L->w.kblocks + k0 / d->bs, s = 0;
            for (int64_t k = k0; k < k0 + d->bs && k < d->K; k++)
                s += ir_wget(c, L, n, k) - L->w.gzp[blk];
            b -= (double)d->aq.zp * mpe_fp_decode(MPE_FMT_FP16, L->w.gscale[blk]) * (double)s;
        }
        L->fbias[n] = mpe_f32_bits((float)b);
        L->has_bias |= b != 0;
    }
    return 0;
}

static int build_nbits(comp *c, const lb_desc *d, const rows_info *ri)
{
    int id;
    if (new_layer(c, d, &id))
        return -1;
    ir_layer *L = &c->L[id];
    batch_rows(c, d, ri, 0, L);
    L->w.bits = d->bits;
    L->w.bs = d->bs;
    L->w.kblocks = (d->K + d->bs - 1) / d->bs;
    L->w.blob = (int64_t)d->bs * d->bits / 8;
    L->prec.grouped = 1;
    if (nbits_groups(c, d, L, L->w.kblocks) || out_stage(c, d, L))
        return -1;
    L->rq = MPE_RQ_FLOAT;
    L->mult = calloc((size_t)d->N, 4);
    if (!L->mult)
        return comp_err(c, "out of memory");
    uint32_t m = d->aq.scale;
    if (d->yq.dtype)
        m = mpe_f32_bits(f32(d->aq.scale) / f32(d->yq.scale));
    for (int64_t n = 0; n < d->N; n++)
        L->mult[n] = m;
    return nbits_bias(c, d, L);
}

/* Shapes the accelerator cannot hold are rejected before any planning. */
static int check_size(comp *c, const lb_desc *d, const rows_info *ri)
{
    if (d->K < 1 || d->N < 1 || ri->rows < 1)
        return ldesc(c, d, "empty GEMM (%lld x %lld x %lld)", (long long)ri->rows,
                     (long long)d->N, (long long)d->K);
    double mem = c->arch.mem_bytes;
    if ((double)ri->M * (double)d->K > mem || (double)ri->M * (double)d->N * 4 > mem ||
        (double)d->N * (double)d->K * d->nb > 2 * mem)
        return ldesc(c, d, "a %lld x %lld x %lld GEMM does not fit in accelerator memory "
                     "(mem_bytes %u)", (long long)ri->rows, (long long)d->N, (long long)d->K,
                     c->arch.mem_bytes);
    return 0;
}

int layer_build(comp *c, const lb_desc *d)
{
    rows_info ri;
    if (rows_plan(c, d, &ri) || check_size(c, d, &ri))
        return -1;
    c->v[d->y].q = d->yq;
    if (d->is_conv)
        c->v[d->y].nchw = 1;
    if (d->wkind == WS_NBITS)
        return build_nbits(c, d, &ri);
    for (int b = 0; b < d->nb; b++)
        if (build_int(c, d, b, &ri))
            return -1;
    return 0;
}
