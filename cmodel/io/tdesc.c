/* Tensor descriptors of a binary: element containers, layouts, sizes and
 * the consistency rules (docs/isa.md section 6). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mpe/binary.h"
#include "mpe/format.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/tensor.h"

#define MAX_COUNT ((int64_t)1 << 40) /* elements of one tensor */
#define MAX_CONV 65535               /* any convolution parameter */

static const struct {
    const char *name;
    int nparams;
} layouts[MPE_LAYOUT_COUNT] = {
    [MPE_LAYOUT_ROW_MAJOR] = {"row_major", 0},
    [MPE_LAYOUT_TILED] = {"tiled", MPE_LP_TILED_COUNT},
    [MPE_LAYOUT_IM2COL] = {"im2col", MPE_LP_IM2COL_COUNT},
    [MPE_LAYOUT_TILED_NCHW] = {"tiled_nchw", MPE_LP_TILED_COUNT},
};

int mpe_layout_nparams(int layout)
{
    return layout >= 0 && layout < MPE_LAYOUT_COUNT ? layouts[layout].nparams : -1;
}

const char *mpe_layout_name(int layout)
{
    return layout >= 0 && layout < MPE_LAYOUT_COUNT ? layouts[layout].name : "?";
}

int mpe_layout_parse(const char *name, int *layout)
{
    for (int i = 0; i < MPE_LAYOUT_COUNT; i++)
        if (!strcmp(layouts[i].name, name)) {
            *layout = i;
            return 0;
        }
    return -1;
}

/* Bits of a valid operand type, or 0. */
static int dtype_bits(mpe_dtype t)
{
    int ok;
    switch (t.kind) {
    case MPE_DT_INT:
    case MPE_DT_UINT: ok = t.bits >= 1 && t.bits <= 16 && !t.fmt; break;
    case MPE_DT_BINARY: ok = t.bits == 1 && !t.fmt; break;
    case MPE_DT_TERNARY: ok = t.bits == 2 && !t.fmt; break;
    case MPE_DT_POW2: ok = t.bits == 4 && !t.fmt; break;
    case MPE_DT_BFPINT: ok = t.bits >= 4 && t.bits <= 8 && !t.fmt; break;
    case MPE_DT_FP: ok = t.fmt < MPE_FMT_COUNT && t.bits == mpe_fmt_get((mpe_fmt)t.fmt)->bits; break;
    default: ok = 0;
    }
    return ok ? t.bits : 0;
}

int mpe_tdesc_cw(const mpe_tdesc *d)
{
    int bits;
    if (d->elem == MPE_ELEM_OUT) {
        mpe_dtype zero = {0, 0, 0};
        bits = memcmp(&d->dt, &zero, sizeof zero) ? 0 : mpe_out_bits(d->out);
    } else if (d->elem == MPE_ELEM_DTYPE) {
        bits = d->out ? 0 : dtype_bits(d->dt);
    } else {
        bits = 0;
    }
    if (bits <= 0)
        return 0;
    int cw = 1;
    while (cw < bits)
        cw <<= 1;
    return cw;
}

mpe_status mpe_tdesc_conv_out(const mpe_tdesc *d, int64_t *oh, int64_t *ow)
{
    const int32_t *p = d->params;
    if (d->layout != MPE_LAYOUT_IM2COL || d->ndim != 4)
        return MPE_ERR_ARG;
    for (int i = MPE_LP_KH; i < MPE_LP_IM2COL_COUNT; i++) {
        int pad = i >= MPE_LP_PAD_T && i <= MPE_LP_PAD_R;
        if (p[i] < (pad ? 0 : 1) || p[i] > MAX_CONV)
            return MPE_ERR_SHAPE;
    }
    int64_t eh = (int64_t)p[MPE_LP_DH] * (p[MPE_LP_KH] - 1) + 1;
    int64_t ew = (int64_t)p[MPE_LP_DW] * (p[MPE_LP_KW] - 1) + 1;
    int64_t h = (int64_t)d->dims[2] + p[MPE_LP_PAD_T] + p[MPE_LP_PAD_B];
    int64_t w = (int64_t)d->dims[3] + p[MPE_LP_PAD_L] + p[MPE_LP_PAD_R];
    if (h < eh || w < ew)
        return MPE_ERR_SHAPE;
    *oh = (h - eh) / p[MPE_LP_SH] + 1;
    *ow = (w - ew) / p[MPE_LP_SW] + 1;
    return MPE_OK;
}

mpe_status mpe_tdesc_matrix(const mpe_tdesc *d, int64_t *m, int64_t *kt)
{
    int64_t oh, ow;
    int n = d->ndim;
    if (n < 1 || n > MPE_TDESC_MAX_DIMS)
        return MPE_ERR_SHAPE;
    switch (d->layout) {
    case MPE_LAYOUT_TILED:
        *m = 1;
        for (int i = 0; i < n - 1; i++)
            *m *= d->dims[i];
        *kt = d->dims[n - 1];
        return MPE_OK;
    case MPE_LAYOUT_TILED_NCHW:
        if (n != 4)
            return MPE_ERR_SHAPE;
        *m = (int64_t)d->dims[0] * d->dims[2] * d->dims[3];
        *kt = d->dims[1];
        return MPE_OK;
    case MPE_LAYOUT_IM2COL:
        if (mpe_tdesc_conv_out(d, &oh, &ow))
            return MPE_ERR_SHAPE;
        *m = (int64_t)d->dims[0] * oh * ow;
        *kt = (int64_t)d->dims[1] * d->params[MPE_LP_KH] * d->params[MPE_LP_KW];
        return MPE_OK;
    default: return MPE_ERR_ARG;
    }
}

static int64_t count_of(const mpe_tdesc *d)
{
    int64_t n = 1;
    for (int i = 0; i < d->ndim && i < MPE_TDESC_MAX_DIMS; i++)
        n *= d->dims[i];
    return n;
}

mpe_status mpe_tdesc_bytes(const mpe_tdesc *d, uint64_t *bytes)
{
    int cw = mpe_tdesc_cw(d);
    if (!cw || d->ndim < 1 || d->ndim > MPE_TDESC_MAX_DIMS)
        return MPE_ERR_ARG;
    if (d->layout == MPE_LAYOUT_ROW_MAJOR) {
        *bytes = ((uint64_t)count_of(d) * (uint64_t)cw + 7) / 8;
        return MPE_OK;
    }
    if (mpe_layout_nparams(d->layout) < 0)
        return MPE_ERR_ARG;
    *bytes = (uint64_t)d->params[MPE_LP_MP] * (uint64_t)d->params[MPE_LP_KP] * (uint64_t)cw / 8;
    return MPE_OK;
}

uint64_t mpe_tdesc_code_index(const mpe_tdesc *d, int64_t m, int64_t k)
{
    if (d->layout == MPE_LAYOUT_ROW_MAJOR)
        return (uint64_t)m;
    const int32_t *p = d->params;
    int64_t vr = p[MPE_LP_VR], K = p[MPE_LP_K];
    int64_t vec = (m / vr) * (p[MPE_LP_KP] / K) + k / K;
    return (uint64_t)(vec * vr * K + (m % vr) * K + k % K);
}

/* ---- checks ------------------------------------------------------------ */

static mpe_status bad(char *msg, size_t len, const mpe_tdesc *d, const char *fmt, ...)
{
    if (msg && len) {
        int n = snprintf(msg, len, "tensor '%s': ", d->name);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < len)
            vsnprintf(msg + n, len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return MPE_ERR_FORMAT;
}

static mpe_status check_name(const mpe_tdesc *d, char *msg, size_t len)
{
    size_t n = strnlen(d->name, sizeof d->name);
    if (n == 0 || n > MPE_TDESC_NAME_MAX)
        return bad(msg, len, d, "name must be 1..%d characters", MPE_TDESC_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if (d->name[i] < 0x21 || d->name[i] > 0x7e)
            return bad(msg, len, d, "name character %zu is not printable ASCII", i);
    return MPE_OK;
}

static mpe_status check_shape(const mpe_tdesc *d, char *msg, size_t len)
{
    if (d->ndim < 1 || d->ndim > MPE_TDESC_MAX_DIMS)
        return bad(msg, len, d, "%d dimensions (1..%d)", d->ndim, MPE_TDESC_MAX_DIMS);
    int64_t n = 1;
    for (int i = 0; i < MPE_TDESC_MAX_DIMS; i++) {
        if (i >= d->ndim) {
            if (d->dims[i])
                return bad(msg, len, d, "unused dimension %d is %u, not 0", i, d->dims[i]);
            continue;
        }
        if (d->dims[i] < 1 || d->dims[i] > 0x7FFFFFFFu)
            return bad(msg, len, d, "dimension %d is %u", i, d->dims[i]);
        if (n > MAX_COUNT / d->dims[i]) /* before the product can overflow */
            return bad(msg, len, d, "more than 2^40 elements");
        n *= d->dims[i];
    }
    return MPE_OK;
}

static mpe_status check_tiled(const mpe_tdesc *d, int cw, char *msg, size_t len)
{
    const int32_t *p = d->params;
    int64_t m, kt;
    if (p[MPE_LP_VR] < 1 || p[MPE_LP_VR] > 1024 || p[MPE_LP_K] < 1 || p[MPE_LP_K] > 1024)
        return bad(msg, len, d, "vector of %d x %d codes", p[MPE_LP_VR], p[MPE_LP_K]);
    if ((int64_t)p[MPE_LP_VR] * p[MPE_LP_K] * cw % 8)
        return bad(msg, len, d, "a vector of %d x %d codes of %d bits is not whole bytes",
                   p[MPE_LP_VR], p[MPE_LP_K], cw);
    if (mpe_tdesc_matrix(d, &m, &kt))
        return bad(msg, len, d, "the %s layout does not fit the shape",
                   mpe_layout_name(d->layout));
    if (p[MPE_LP_MP] < m || p[MPE_LP_MP] % p[MPE_LP_VR])
        return bad(msg, len, d, "padded rows %d: need >= %lld and a multiple of %d",
                   p[MPE_LP_MP], (long long)m, p[MPE_LP_VR]);
    if (p[MPE_LP_KP] < kt || p[MPE_LP_KP] % p[MPE_LP_K])
        return bad(msg, len, d, "padded columns %d: need >= %lld and a multiple of %d",
                   p[MPE_LP_KP], (long long)kt, p[MPE_LP_K]);
    if ((int64_t)p[MPE_LP_MP] * p[MPE_LP_KP] > MAX_COUNT)
        return bad(msg, len, d, "padded matrix of more than 2^40 codes");
    return MPE_OK;
}

static mpe_status check_layout(const mpe_tdesc *d, int cw, char *msg, size_t len)
{
    int np = mpe_layout_nparams(d->layout);
    if (np < 0)
        return bad(msg, len, d, "unknown layout %d", d->layout);
    if (d->nparams != np)
        return bad(msg, len, d, "layout %s takes %d parameters, not %d",
                   mpe_layout_name(d->layout), np, d->nparams);
    for (int i = np; i < MPE_TDESC_MAX_PARAMS; i++)
        if (d->params[i])
            return bad(msg, len, d, "unused layout parameter %d is not 0", i);
    if (d->layout == MPE_LAYOUT_ROW_MAJOR)
        return MPE_OK;
    if ((d->layout == MPE_LAYOUT_IM2COL || d->layout == MPE_LAYOUT_TILED_NCHW) && d->ndim != 4)
        return bad(msg, len, d, "layout %s needs an NCHW shape", mpe_layout_name(d->layout));
    int64_t oh, ow;
    if (d->layout == MPE_LAYOUT_IM2COL && mpe_tdesc_conv_out(d, &oh, &ow))
        return bad(msg, len, d, "bad convolution parameters (kernel, stride, pads, dilation)");
    return check_tiled(d, cw, msg, len);
}

static mpe_status check_quant(const mpe_tdesc *d, char *msg, size_t len)
{
    if (!d->has_quant) {
        if (d->scale || d->zero_point)
            return bad(msg, len, d, "scale/zero point set without the quantization flag");
        return MPE_OK;
    }
    if (d->has_quant != 1)
        return bad(msg, len, d, "quantization flag %d", d->has_quant);
    if (d->scale == 0 || (d->scale >> 31) || ((d->scale >> 23) & 0xFF) == 0xFF)
        return bad(msg, len, d, "scale 0x%08x is not a finite positive FP32", d->scale);
    int64_t lo = 0, hi = 0;
    if (d->elem == MPE_ELEM_OUT) {
        if (mpe_out_range(d->out, &lo, &hi))
            lo = hi = 0;
    } else if (d->dt.kind == MPE_DT_INT) {
        lo = -((int64_t)1 << (d->dt.bits - 1));
        hi = ((int64_t)1 << (d->dt.bits - 1)) - 1;
    } else if (d->dt.kind == MPE_DT_UINT) {
        hi = ((int64_t)1 << d->dt.bits) - 1;
    }
    if (d->zero_point < lo || d->zero_point > hi)
        return bad(msg, len, d, "zero point %d outside %lld..%lld", d->zero_point,
                   (long long)lo, (long long)hi);
    return MPE_OK;
}

mpe_status mpe_tdesc_check(const mpe_tdesc *d, const mpe_arch *arch, char *msg, size_t len)
{
    mpe_status st = check_name(d, msg, len);
    if (st)
        return st;
    if (d->role != MPE_ROLE_INPUT && d->role != MPE_ROLE_OUTPUT)
        return bad(msg, len, d, "role %d is neither input (0) nor output (1)", d->role);
    if (d->ttype == MPE_T_UNDEFINED || !mpe_ttype_size(d->ttype))
        return bad(msg, len, d, "unsupported host element type %d", d->ttype);
    int cw = mpe_tdesc_cw(d);
    if (!cw)
        return bad(msg, len, d, "invalid stored element (class %d kind %d bits %d fmt %d out %d)",
                   d->elem, d->dt.kind, d->dt.bits, d->dt.fmt, d->out);
    if ((st = check_shape(d, msg, len)) || (st = check_layout(d, cw, msg, len)) ||
        (st = check_quant(d, msg, len)))
        return st;
    uint64_t bytes;
    if (mpe_tdesc_bytes(d, &bytes))
        return bad(msg, len, d, "size cannot be computed");
    if (d->addr > arch->mem_bytes || bytes > arch->mem_bytes - d->addr)
        return bad(msg, len, d, "[0x%llx, +%llu bytes) outside the %u-byte memory",
                   (unsigned long long)d->addr, (unsigned long long)bytes, arch->mem_bytes);
    return MPE_OK;
}

/* Descriptor names: printable ASCII without spaces, at most 127, unique. */
void mpe_tdesc_name(const char *in, int dup, char *out)
{
    char base[MPE_TDESC_NAME_MAX + 1];
    size_t n = 0;
    for (; in[n] && n < MPE_TDESC_NAME_MAX - 4; n++)
        base[n] = (in[n] > ' ' && in[n] < 127) ? in[n] : '_';
    if (n == 0)
        base[n++] = '_';
    base[n] = 0;
    if (dup)
        snprintf(out, MPE_TDESC_NAME_MAX + 1, "%s#%d", base, dup + 1);
    else
        snprintf(out, MPE_TDESC_NAME_MAX + 1, "%s", base);
}
