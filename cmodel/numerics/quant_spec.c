/* Quantizer formats: the one table of quantization formats, spec parsing
 * and checking, quantized-tensor storage. docs/numerics.md section 3. */
#include "mpe/err.h"
#include "mpe/quant.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DT(k, b, f) {(uint8_t)(k), (uint8_t)(b), (uint8_t)(f)}
#define INTF(n) {"int" #n, MPE_QK_INT, DT(MPE_DT_INT, n, 0), 0, 16, 256, 1, \
                 "symmetric, scale = amax / " #n "-bit qmax"}
#define UINTF(n) {"uint" #n, MPE_QK_UINT, DT(MPE_DT_UINT, n, 0), 0, 16, 256, 1, \
                  "asymmetric (scale + zero point, ONNX DynamicQuantizeLinear rule)"}
#define MXF(nm, fmt) {nm, MPE_QK_MX, DT(MPE_DT_FP, 0, fmt), 32, 32, 32, 0, \
                      "OCP MX, e8m0 scale per block"}

/* Element bits of FP rows are filled from the format table at lookup. */
static const mpe_qformat qformats[] = {
    INTF(2), INTF(3), INTF(4), INTF(5), INTF(6), INTF(7), INTF(8),
    UINTF(2), UINTF(3), UINTF(4), UINTF(5), UINTF(6), UINTF(7), UINTF(8),
    {"ternary", MPE_QK_TERNARY, DT(MPE_DT_TERNARY, 2, 0), 0, 16, 256, 1,
     "{-1,0,+1}, absmean scale (BitNet b1.58)"},
    {"pow2", MPE_QK_POW2, DT(MPE_DT_POW2, 4, 0), 0, 16, 256, 1,
     "sign + {0,1,2,..,64}, scale = amax / 64"},
    {"mxint8", MPE_QK_MX, DT(MPE_DT_BFPINT, 8, 0), 32, 32, 32, 0,
     "OCP MX INT8 (k/64), e8m0 scale per block"},
    MXF("mxfp8_e4m3", MPE_FMT_E4M3),
    MXF("mxfp8_e5m2", MPE_FMT_E5M2),
    MXF("mxfp6_e3m2", MPE_FMT_E3M2),
    MXF("mxfp6_e2m3", MPE_FMT_E2M3),
    MXF("mxfp4", MPE_FMT_E2M1),
    {"nvfp4", MPE_QK_NVFP4, DT(MPE_DT_FP, 0, MPE_FMT_E2M1), 16, 16, 16, 0,
     "E2M1, ue4m3 scale per block, FP32 tensor scale"},
    {"bfp16", MPE_QK_BFP, DT(MPE_DT_BFPINT, 8, 0), 16, 8, 64, 0,
     "8-bit mantissas, 8-bit shared exponent per block"},
    {"bfp12", MPE_QK_BFP, DT(MPE_DT_BFPINT, 4, 0), 16, 8, 64, 0,
     "4-bit mantissas, 8-bit shared exponent per block"},
    {"fp16", MPE_QK_FLOAT, DT(MPE_DT_FP, 16, MPE_FMT_FP16), 0, 0, 0, 0,
     "IEEE binary16, element-wise"},
    {"bf16", MPE_QK_FLOAT, DT(MPE_DT_FP, 16, MPE_FMT_BF16), 0, 0, 0, 0,
     "bfloat16, element-wise"},
};

#define NQFORMATS ((int)(sizeof qformats / sizeof qformats[0]))

int mpe_qformat_count(void)
{
    return NQFORMATS;
}

const mpe_qformat *mpe_qformat_at(int i)
{
    return (i >= 0 && i < NQFORMATS) ? &qformats[i] : NULL;
}

const mpe_qformat *mpe_qformat_find(const char *name)
{
    for (int i = 0; i < NQFORMATS; i++)
        if (!strcmp(qformats[i].name, name))
            return &qformats[i];
    return NULL;
}

/* Element type of a table row with FP storage bits filled in. */
static mpe_dtype row_elem(const mpe_qformat *f)
{
    mpe_dtype e = f->elem;
    if (e.kind == MPE_DT_FP)
        e = mpe_dt_fp((mpe_fmt)e.fmt);
    return e;
}

mpe_status mpe_qspec_parse(const char *name, mpe_qspec *s)
{
    const mpe_qformat *f = mpe_qformat_find(name);
    memset(s, 0, sizeof *s);
    if (!f)
        return MPE_ERR_ARG;
    s->kind = f->kind;
    s->round = MPE_RNE;
    s->elem = row_elem(f);
    s->group = f->group_def;
    s->axis = -1;
    return MPE_OK;
}

static const mpe_qformat *spec_row(const mpe_qspec *s)
{
    for (int i = 0; i < NQFORMATS; i++) {
        mpe_dtype e = row_elem(&qformats[i]);
        if (qformats[i].kind == s->kind && e.kind == s->elem.kind &&
            e.bits == s->elem.bits && e.fmt == s->elem.fmt)
            return &qformats[i];
    }
    return NULL;
}

const char *mpe_qspec_name(const mpe_qspec *s)
{
    const mpe_qformat *f = spec_row(s);
    return f ? f->name : "?";
}

/* Group/axis rules of the table row. */
static mpe_status check_granularity(const mpe_qformat *f, const mpe_qspec *s,
                                    int ndim, char *err, size_t errlen)
{
    const char *n = f->name;
    if (s->axis >= 0 && !f->axis_ok)
        return mpe_errf(err, errlen, MPE_ERR_ARG,
                        "%s: per-channel scales (--axis) are not available for this format", n);
    if (s->axis >= 0 && s->group)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "%s: choose a group or an axis, not both", n);
    if (s->axis >= ndim || s->axis < -1)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "%s: axis %d out of range for a rank-%d tensor",
                        n, (int)s->axis, ndim);
    if (f->group_max == 0 && s->group)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "%s: element-wise format takes no group", n);
    if (f->group_min == f->group_max && f->group_max && s->group != f->group_max)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "%s: the block size is fixed at %d (got %d)", n,
                        f->group_max, (int)s->group);
    if (s->group && (s->group < f->group_min || s->group > f->group_max))
        return mpe_errf(err, errlen, MPE_ERR_RANGE, "%s: group %d out of range %d..%d", n,
                        (int)s->group, f->group_min, f->group_max);
    if (!s->group && f->group_def)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "%s: needs a block size", n);
    return MPE_OK;
}

mpe_status mpe_qspec_check(const mpe_qspec *s, int ndim, const int64_t *dims,
                           char *err, size_t errlen)
{
    const mpe_qformat *f = spec_row(s);
    if (!f)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "unknown quantization format");
    if (s->round != MPE_RNE && s->round != MPE_RNA)
        return mpe_errf(err, errlen, MPE_ERR_ARG, "%s: bad rounding mode %d", f->name, s->round);
    if (ndim < 0 || ndim > MPE_TENSOR_MAX_DIMS || mpe_dims_count(ndim, dims) < 0)
        return mpe_errf(err, errlen, MPE_ERR_SHAPE, "%s: bad tensor shape", f->name);
    mpe_status st = check_granularity(f, s, ndim, err, errlen);
    if (st != MPE_OK)
        return st;
    int64_t last = ndim ? dims[ndim - 1] : 1;
    if (s->group && last % s->group)
        return mpe_errf(err, errlen, MPE_ERR_SHAPE,
                        "%s: last axis of length %lld is not a multiple of the block size %d",
                        f->name, (long long)last, (int)s->group);
    return MPE_OK;
}

static size_t scale_count(const mpe_qspec *s, size_t count, const int64_t *dims)
{
    if (s->kind == MPE_QK_FLOAT)
        return 0;
    if (s->group)
        return count / (size_t)s->group;
    if (s->axis >= 0)
        return (size_t)dims[s->axis];
    return 1;
}

mpe_status mpe_qt_alloc(mpe_qtensor *q, const mpe_qspec *s, int ndim,
                        const int64_t *dims, char *err, size_t errlen)
{
    memset(q, 0, sizeof *q);
    mpe_status st = mpe_qspec_check(s, ndim, dims, err, errlen);
    if (st != MPE_OK)
        return st;
    q->spec = *s;
    q->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        q->dims[i] = dims[i];
    q->count = (size_t)mpe_dims_count(ndim, dims);
    q->nscales = scale_count(s, q->count, dims);
    q->tensor_scale = 0x3F800000u;
    q->codes = calloc(q->count ? q->count : 1, sizeof *q->codes);
    q->scales = calloc(q->nscales ? q->nscales : 1, sizeof *q->scales);
    if (s->kind == MPE_QK_UINT)
        q->zero_points = calloc(q->nscales ? q->nscales : 1, 1);
    if (!q->codes || !q->scales || (s->kind == MPE_QK_UINT && !q->zero_points)) {
        mpe_qt_free(q);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return MPE_ERR_NOMEM;
    }
    return MPE_OK;
}

void mpe_qt_free(mpe_qtensor *q)
{
    free(q->codes);
    free(q->scales);
    free(q->zero_points);
    q->codes = NULL;
    q->scales = NULL;
    q->zero_points = NULL;
    q->count = q->nscales = 0;
}

size_t mpe_qt_scale_index(const mpe_qtensor *q, size_t i)
{
    const mpe_qspec *s = &q->spec;
    if (s->group)
        return i / (size_t)s->group;
    if (s->axis >= 0) {
        size_t inner = 1;
        for (int d = s->axis + 1; d < q->ndim; d++)
            inner *= (size_t)q->dims[d];
        return (i / inner) % (size_t)q->dims[s->axis];
    }
    return 0;
}
