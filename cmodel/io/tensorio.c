/* Host tensors <-> descriptor codes (mpe/tensorio.h). */
#include "mpe/tensorio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/err.h"
#include "mpe/format.h"
#include "mpe/fp32.h"
#include "mpe/outstage.h"

uint32_t mpe_code_get(const uint8_t *b, uint64_t i, uint32_t cw)
{
    if (cw >= 8) {
        uint32_t v = 0;
        for (uint32_t k = 0; k < cw / 8; k++)
            v |= (uint32_t)b[i * (cw / 8) + k] << (8 * k);
        return v;
    }
    uint64_t bit = i * cw;
    return (uint32_t)(b[bit >> 3] >> (bit & 7)) & ((1u << cw) - 1);
}

void mpe_code_put(uint8_t *b, uint64_t i, uint32_t cw, uint32_t code)
{
    if (cw >= 8) {
        for (uint32_t k = 0; k < cw / 8; k++)
            b[i * (cw / 8) + k] = (uint8_t)(code >> (8 * k));
        return;
    }
    uint64_t bit = i * cw;
    uint8_t m = (uint8_t)(((1u << cw) - 1) << (bit & 7));
    b[bit >> 3] = (uint8_t)((b[bit >> 3] & ~m) | ((code << (bit & 7)) & m));
}

/* A reason about tensor d: "tensor 'NAME': ...". */
static mpe_status fail(char *err, size_t len, const mpe_tdesc *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static mpe_status fail(char *err, size_t len, const mpe_tdesc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mpe_verrf(err, len, MPE_ERR_FORMAT, fmt, ap);
    va_end(ap);
    mpe_err_prefix(err, len, "tensor '%s': ", d->name);
    return MPE_ERR_FORMAT;
}

/* ---- stored elements ----------------------------------------------------------- */

static int elem_bits(const mpe_tdesc *d)
{
    return d->elem == MPE_ELEM_OUT ? mpe_out_bits(d->out) : d->dt.bits;
}

static int elem_is_fp(const mpe_tdesc *d)
{
    return d->elem == MPE_ELEM_OUT ? mpe_out_is_float(d->out) : d->dt.kind == MPE_DT_FP;
}

/* Code of an integer value (or of a raw code for FP elements); -1 if the
 * element cannot hold it. */
static int value_code(const mpe_tdesc *d, int64_t v, uint32_t *code)
{
    int bits = elem_bits(d);
    uint32_t mask = bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    int64_t lo, hi;
    if (elem_is_fp(d)) {
        lo = 0;
        hi = (int64_t)mask;
    } else if (d->elem == MPE_ELEM_OUT) {
        mpe_out_range(d->out, &lo, &hi);
    } else if (d->dt.kind == MPE_DT_UINT) {
        lo = 0;
        hi = (int64_t)mask;
    } else if (d->dt.kind == MPE_DT_INT || d->dt.kind == MPE_DT_BFPINT) {
        lo = -((int64_t)1 << (bits - 1));
        hi = ((int64_t)1 << (bits - 1)) - 1;
    } else { /* binary, ternary, pow2: the first code with that value */
        for (uint32_t c = 0; c <= mask; c++)
            if (mpe_dt_int_value(d->dt, c) == v) {
                *code = c;
                return 0;
            }
        return -1;
    }
    if (v < lo || v > hi)
        return -1;
    *code = (uint32_t)(uint64_t)v & mask;
    return 0;
}

static int float_code(const mpe_tdesc *d, float x, uint32_t *code)
{
    if (d->has_quant && !elem_is_fp(d)) {
        int64_t lo = 0, hi = 0;
        if (d->elem == MPE_ELEM_OUT)
            mpe_out_range(d->out, &lo, &hi);
        else if (d->dt.kind == MPE_DT_UINT)
            hi = ((int64_t)1 << d->dt.bits) - 1;
        else {
            lo = -((int64_t)1 << (d->dt.bits - 1));
            hi = ((int64_t)1 << (d->dt.bits - 1)) - 1;
        }
        float q = x / mpe_f32_from_bits(d->scale); /* one FP32 division */
        return value_code(d, mpe_rq_f32_to_int(mpe_f32_bits(q), d->zero_point, lo, hi), code);
    }
    uint32_t b = mpe_f32_bits(x);
    if (d->elem == MPE_ELEM_DTYPE && d->dt.kind == MPE_DT_FP) {
        *code = mpe_fp_from_float((mpe_fmt)d->dt.fmt, x, 0, MPE_RNE, 1, NULL);
        return 0;
    }
    if (d->elem != MPE_ELEM_OUT || !mpe_out_is_float(d->out))
        return -1;
    *code = d->out == MPE_OUT_FP32 ? b : d->out == MPE_OUT_FP16 ? mpe_f32_to_f16(b)
                                                                 : mpe_f32_to_bf16(b);
    return 0;
}

/* Integer value of a stored code (integer elements). */
static int64_t code_value(const mpe_tdesc *d, uint32_t code)
{
    int bits = elem_bits(d);
    if (d->elem == MPE_ELEM_OUT) {
        int64_t lo, hi;
        mpe_out_range(d->out, &lo, &hi);
        return lo < 0 ? mpe_sext(code, (unsigned)bits) : (int64_t)code;
    }
    return mpe_dt_int_value(d->dt, code);
}

static float code_float(const mpe_tdesc *d, uint32_t code)
{
    if (d->has_quant && !elem_is_fp(d))
        return (float)(code_value(d, code) - d->zero_point) * mpe_f32_from_bits(d->scale);
    if (!elem_is_fp(d))
        return (float)code_value(d, code);
    if (d->elem == MPE_ELEM_DTYPE)
        return (float)mpe_fp_decode((mpe_fmt)d->dt.fmt, code);
    if (d->out == MPE_OUT_FP32)
        return mpe_f32_from_bits(code);
    if (d->out == MPE_OUT_BF16)
        return mpe_f32_from_bits(code << 16);
    return (float)mpe_fp_decode(MPE_FMT_FP16, code);
}

/* ---- host values ------------------------------------------------------------------ */

static int is_int_type(int t)
{
    return t == MPE_T_UINT8 || t == MPE_T_INT8 || t == MPE_T_UINT16 || t == MPE_T_INT16 ||
           t == MPE_T_INT32 || t == MPE_T_INT64 || t == MPE_T_UINT32 || t == MPE_T_UINT64 ||
           t == MPE_T_BOOL;
}

static int host_code(const mpe_tdesc *d, const mpe_tensor *t, size_t i, uint32_t *code)
{
    if (t->dtype == MPE_T_FLOAT) {
        float x;
        memcpy(&x, (const uint8_t *)t->data + 4 * i, 4);
        return float_code(d, x, code);
    }
    if (t->dtype == MPE_T_FLOAT16) {
        uint16_t h;
        memcpy(&h, (const uint8_t *)t->data + 2 * i, 2);
        if (d->elem != MPE_ELEM_OUT || d->out != MPE_OUT_FP16)
            return -1;
        *code = h;
        return 0;
    }
    if (!is_int_type(t->dtype) || (t->dtype == MPE_T_UINT64 && mpe_tensor_get_i64(t, i) < 0))
        return -1;
    return value_code(d, mpe_tensor_get_i64(t, i), code);
}

static int set_host(mpe_tensor *t, size_t i, int64_t v)
{
    uint8_t *p = (uint8_t *)t->data;
    int64_t lo = 0, hi = 0;
    size_t es = mpe_ttype_size(t->dtype);
    switch (t->dtype) {
    case MPE_T_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case MPE_T_UINT8: case MPE_T_BOOL: hi = UINT8_MAX; break;
    case MPE_T_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case MPE_T_UINT16: hi = UINT16_MAX; break;
    case MPE_T_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    case MPE_T_UINT32: hi = UINT32_MAX; break;
    case MPE_T_INT64: lo = INT64_MIN; hi = INT64_MAX; break;
    case MPE_T_UINT64: hi = INT64_MAX; break;
    default: return -1;
    }
    if (v < lo || v > hi)
        return -1;
    uint64_t u = (uint64_t)v;
    for (size_t k = 0; k < es; k++)
        p[i * es + k] = (uint8_t)(u >> (8 * k));
    return 0;
}

static int set_value(const mpe_tdesc *d, mpe_tensor *t, size_t i, uint32_t code)
{
    if (t->dtype == MPE_T_FLOAT) {
        float x = code_float(d, code);
        memcpy((uint8_t *)t->data + 4 * i, &x, 4);
        return 0;
    }
    if (t->dtype == MPE_T_FLOAT16) {
        if (d->elem != MPE_ELEM_OUT || d->out != MPE_OUT_FP16)
            return -1;
        uint16_t h = (uint16_t)code;
        memcpy((uint8_t *)t->data + 2 * i, &h, 2);
        return 0;
    }
    if (elem_is_fp(d))
        return set_host(t, i, code); /* raw codes */
    return set_host(t, i, code_value(d, code));
}

/* ---- layouts ---------------------------------------------------------------------- */

/* Matrix position (m, k) of logical element e (tiled and tiled_nchw). */
static void elem_pos(const mpe_tdesc *d, uint64_t e, int64_t *m, int64_t *k)
{
    if (d->layout == MPE_LAYOUT_TILED_NCHW) {
        uint64_t C = d->dims[1], H = d->dims[2], W = d->dims[3];
        uint64_t w = e % W, h = e / W % H, c = e / (W * H) % C, n = e / (W * H * C);
        *m = (int64_t)((n * H + h) * W + w);
        *k = (int64_t)c;
        return;
    }
    uint64_t kt = d->dims[d->ndim - 1];
    *m = (int64_t)(e / kt);
    *k = (int64_t)(e % kt);
}

/* im2col: the input element of matrix position (m, k), or -1 for padding. */
static int64_t im2col_elem(const mpe_tdesc *d, int64_t oh_n, int64_t ow_n, int64_t m, int64_t k)
{
    const int32_t *p = d->params;
    int64_t C = d->dims[1], H = d->dims[2], W = d->dims[3];
    int64_t KH = p[MPE_LP_KH], KW = p[MPE_LP_KW];
    int64_t ow = m % ow_n, oh = m / ow_n % oh_n, n = m / (ow_n * oh_n);
    int64_t j = k % KW, i = k / KW % KH, c = k / (KW * KH);
    if (c >= C)
        return -2;
    int64_t ih = oh * p[MPE_LP_SH] - p[MPE_LP_PAD_T] + i * p[MPE_LP_DH];
    int64_t iw = ow * p[MPE_LP_SW] - p[MPE_LP_PAD_L] + j * p[MPE_LP_DW];
    if (ih < 0 || ih >= H || iw < 0 || iw >= W)
        return -1;
    return ((n * C + c) * H + ih) * W + iw;
}

static mpe_status check_host(const mpe_tdesc *d, const mpe_tensor *t, char *err, size_t len)
{
    if (t->dtype != d->ttype)
        return fail(err, len, d, "element type %s, expected %s", mpe_ttype_name(t->dtype),
                    mpe_ttype_name(d->ttype));
    int same = t->ndim == d->ndim;
    for (int i = 0; same && i < d->ndim; i++)
        same = t->dims[i] == (int64_t)d->dims[i];
    if (!same) {
        char want[80] = "", got[80] = "";
        for (int i = 0, n = 0; i < d->ndim; i++)
            n += snprintf(want + n, sizeof want - (size_t)n, "%s%u", i ? "x" : "", d->dims[i]);
        for (int i = 0, n = 0; i < t->ndim && n < 70; i++)
            n += snprintf(got + n, sizeof got - (size_t)n, "%s%lld", i ? "x" : "",
                          (long long)t->dims[i]);
        return fail(err, len, d, "shape %s, expected %s", t->ndim ? got : "scalar", want);
    }
    return MPE_OK;
}

static mpe_status encode_codes(const mpe_tdesc *d, const mpe_tensor *t, uint32_t *codes,
                               char *err, size_t len)
{
    for (size_t i = 0; i < t->count; i++)
        if (host_code(d, t, i, &codes[i]))
            return fail(err, len, d, "element %zu (%g) cannot be stored as %s", i,
                        mpe_tensor_get_f64(t, i),
                        d->elem == MPE_ELEM_OUT ? mpe_out_name(d->out) : mpe_dt_name(d->dt));
    return MPE_OK;
}

static void place(const mpe_tdesc *d, const uint32_t *codes, size_t count, uint8_t *b)
{
    uint32_t cw = (uint32_t)mpe_tdesc_cw(d);
    if (d->layout == MPE_LAYOUT_ROW_MAJOR) {
        for (size_t e = 0; e < count; e++)
            mpe_code_put(b, e, cw, codes[e]);
        return;
    }
    if (d->layout != MPE_LAYOUT_IM2COL) {
        for (size_t e = 0; e < count; e++) {
            int64_t m, k;
            elem_pos(d, e, &m, &k);
            mpe_code_put(b, mpe_tdesc_code_index(d, m, k), cw, codes[e]);
        }
        return;
    }
    int64_t oh, ow, M, Kt;
    uint32_t zc = 0;
    mpe_tdesc_conv_out(d, &oh, &ow);
    mpe_tdesc_matrix(d, &M, &Kt);
    if (d->has_quant)
        value_code(d, d->zero_point, &zc);
    for (int64_t m = 0; m < M; m++)
        for (int64_t k = 0; k < Kt; k++) {
            int64_t e = im2col_elem(d, oh, ow, m, k);
            mpe_code_put(b, mpe_tdesc_code_index(d, m, k), cw, e >= 0 ? codes[e] : zc);
        }
}

mpe_status mpe_tdesc_encode(const mpe_tdesc *d, const mpe_tensor *t, uint8_t **bytes,
                            size_t *len, char *err, size_t errlen)
{
    *bytes = NULL;
    *len = 0;
    uint64_t nb;
    mpe_status st = check_host(d, t, err, errlen);
    if (st != MPE_OK)
        return st;
    if (mpe_tdesc_bytes(d, &nb) != MPE_OK)
        return fail(err, errlen, d, "invalid descriptor");
    uint32_t *codes = malloc((t->count ? t->count : 1) * sizeof *codes);
    uint8_t *b = calloc(nb ? nb : 1, 1);
    if (!codes || !b) {
        free(codes);
        free(b);
        return MPE_ERR_NOMEM;
    }
    st = encode_codes(d, t, codes, err, errlen);
    if (st == MPE_OK) {
        place(d, codes, t->count, b);
        *bytes = b;
        *len = (size_t)nb;
    } else {
        free(b);
    }
    free(codes);
    return st;
}

mpe_status mpe_tdesc_decode(const mpe_tdesc *d, const uint8_t *bytes, size_t len,
                            mpe_tensor *out, char *err, size_t errlen)
{
    uint64_t nb;
    memset(out, 0, sizeof *out);
    if (d->layout == MPE_LAYOUT_IM2COL)
        return fail(err, errlen, d, "the im2col layout is for inputs only");
    if (mpe_tdesc_bytes(d, &nb) != MPE_OK || nb != len)
        return fail(err, errlen, d, "memory image of %zu bytes, expected %llu", len,
                    (unsigned long long)nb);
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    for (int i = 0; i < d->ndim; i++)
        dims[i] = d->dims[i];
    mpe_status st = mpe_tensor_alloc(out, d->ttype, d->ndim, dims);
    if (st != MPE_OK)
        return fail(err, errlen, d, "cannot allocate a %s tensor", mpe_ttype_name(d->ttype));
    uint32_t cw = (uint32_t)mpe_tdesc_cw(d);
    for (size_t e = 0; e < out->count; e++) {
        int64_t m = (int64_t)e, k = 0;
        if (d->layout != MPE_LAYOUT_ROW_MAJOR)
            elem_pos(d, e, &m, &k);
        uint32_t code = mpe_code_get(bytes, mpe_tdesc_code_index(d, m, k), cw);
        if (set_value(d, out, e, code)) {
            mpe_tensor_free(out);
            return fail(err, errlen, d, "element %zu (code 0x%x) does not fit %s", e, code,
                        mpe_ttype_name(d->ttype));
        }
    }
    return MPE_OK;
}
