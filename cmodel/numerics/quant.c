/* Quantize / dequantize whole tensors: slices the tensor into the format's
 * scale slots (tensor, channel, group or block) and calls the per-family
 * rules (quant_int.c, quant_mx.c, quant_nvfp4.c). docs/numerics.md 3. */
#include <stdio.h>
#include <stdlib.h>

#include "mpe/fp32.h"
#include "mpe/quant.h"

static int is_int_family(int kind)
{
    return kind == MPE_QK_INT || kind == MPE_QK_UINT || kind == MPE_QK_TERNARY ||
           kind == MPE_QK_POW2;
}

static mpe_status quantize_int(mpe_qtensor *q, const float *x, char *err,
                               size_t errlen)
{
    for (size_t i = 0; i < q->count; i++)
        if ((mpe_f32_bits(x[i]) & 0x7FFFFFFFu) >= 0x7F800000u) {
            if (err && errlen)
                snprintf(err, errlen, "%s: element %zu is not finite (integer "
                         "formats need finite input)", mpe_qspec_name(&q->spec), i);
            return MPE_ERR_RANGE;
        }
    mpe_qstats *st = malloc((q->nscales ? q->nscales : 1) * sizeof *st);
    if (!st)
        return MPE_ERR_NOMEM;
    for (size_t k = 0; k < q->nscales; k++)
        mpe_qstats_init(&st[k]);
    for (size_t i = 0; i < q->count; i++) /* index order within each slice */
        mpe_qstats_add(&st[mpe_qt_scale_index(q, i)], x[i]);
    for (size_t k = 0; k < q->nscales; k++) {
        mpe_qparams p = mpe_q_int_params(&q->spec, &st[k]);
        q->scales[k] = p.scale;
        if (q->zero_points)
            q->zero_points[k] = (uint8_t)p.zp;
    }
    free(st);
    for (size_t i = 0; i < q->count; i++) {
        size_t k = mpe_qt_scale_index(q, i);
        mpe_qparams p = {q->scales[k], q->zero_points ? q->zero_points[k] : 0};
        q->codes[i] = mpe_q_int_code(&q->spec, p, x[i]);
    }
    return MPE_OK;
}

static void quantize_blocks(mpe_qtensor *q, const float *x)
{
    const mpe_qspec *s = &q->spec;
    mpe_round r = (mpe_round)s->round;
    size_t g = (size_t)s->group;
    if (s->kind == MPE_QK_NVFP4)
        q->tensor_scale = mpe_nvfp4_tensor_scale(x, q->count);
    for (size_t b = 0; b < q->nscales; b++) {
        const float *v = x + b * g;
        uint16_t *c = q->codes + b * g;
        switch (s->kind) {
        case MPE_QK_MX: q->scales[b] = mpe_mx_block(s->elem, v, (int)g, r, c); break;
        case MPE_QK_BFP: q->scales[b] = mpe_bfp_block(s->elem.bits, v, (int)g, r, c); break;
        default: q->scales[b] = mpe_nvfp4_block(v, (int)g, q->tensor_scale, r, c); break;
        }
    }
}

mpe_status mpe_quantize(const mpe_qspec *s, const float *x, int ndim,
                        const int64_t *dims, mpe_qtensor *q, char *err,
                        size_t errlen)
{
    mpe_status st = mpe_qt_alloc(q, s, ndim, dims, err, errlen);
    if (st != MPE_OK)
        return st;
    if (is_int_family(s->kind)) {
        st = quantize_int(q, x, err, errlen);
        if (st != MPE_OK)
            mpe_qt_free(q);
        return st;
    }
    if (s->kind == MPE_QK_FLOAT) {
        for (size_t i = 0; i < q->count; i++)
            q->codes[i] = (uint16_t)mpe_fp_from_float((mpe_fmt)s->elem.fmt, x[i], 0,
                                                      (mpe_round)s->round, 0, 0);
        return MPE_OK;
    }
    quantize_blocks(q, x);
    return MPE_OK;
}

uint32_t mpe_qt_dequant_elem(const mpe_qtensor *q, size_t i)
{
    const mpe_qspec *s = &q->spec;
    uint16_t c = q->codes[i];
    if (s->kind == MPE_QK_FLOAT) /* widening is exact */
        return mpe_fp_encode(MPE_FMT_FP32, mpe_fp_unpack((mpe_fmt)s->elem.fmt, c),
                             MPE_RNE, 0, 0);
    size_t k = mpe_qt_scale_index(q, i);
    switch (s->kind) {
    case MPE_QK_MX:
    case MPE_QK_BFP: return mpe_mx_dequant(s->elem, c, (uint8_t)q->scales[k]);
    case MPE_QK_NVFP4:
        return mpe_nvfp4_dequant(c, (uint8_t)q->scales[k], q->tensor_scale);
    default: {
        mpe_qparams p = {q->scales[k], q->zero_points ? q->zero_points[k] : 0};
        return mpe_q_int_dequant(s, p, c);
    }
    }
}

mpe_status mpe_dequantize(const mpe_qtensor *q, float *y)
{
    if (!q->codes || (q->nscales && !q->scales))
        return MPE_ERR_ARG;
    for (size_t i = 0; i < q->count; i++)
        y[i] = mpe_f32_from_bits(mpe_qt_dequant_elem(q, i));
    return MPE_OK;
}
