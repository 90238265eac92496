/* The output stage: bias, requantization, activation, output format.
 * docs/numerics.md section 6; requantization arithmetic in requant.c. */
#include "mpe/outstage.h"

#include <math.h>
#include <stdio.h>

#include "mpe/format.h"
#include "mpe/fp32.h"

#define ACC_BITS 48

/* The output formats of the ISA (E_OUT), in MPE_OUT_* order. */
static const struct {
    const char *name;
    uint8_t bits, is_signed, is_float;
} out_table[MPE_OUT_COUNT] = {
    [MPE_OUT_INT4] = {"int4", 4, 1, 0},     [MPE_OUT_UINT4] = {"uint4", 4, 0, 0},
    [MPE_OUT_INT8] = {"int8", 8, 1, 0},     [MPE_OUT_UINT8] = {"uint8", 8, 0, 0},
    [MPE_OUT_INT16] = {"int16", 16, 1, 0},  [MPE_OUT_UINT16] = {"uint16", 16, 0, 0},
    [MPE_OUT_INT32] = {"int32", 32, 1, 0},  [MPE_OUT_FP16] = {"fp16", 16, 1, 1},
    [MPE_OUT_BF16] = {"bf16", 16, 1, 1},    [MPE_OUT_FP32] = {"fp32", 32, 1, 1},
};

static int out_known(int out)
{
    return out >= 0 && out < MPE_OUT_COUNT;
}

int mpe_out_is_float(int out)
{
    return out_known(out) && out_table[out].is_float;
}

int mpe_out_bits(int out)
{
    return out_known(out) ? out_table[out].bits : 0;
}

const char *mpe_out_name(int out)
{
    return out_known(out) ? out_table[out].name : "?";
}

mpe_status mpe_out_range(int out, int64_t *qmin, int64_t *qmax)
{
    if (!out_known(out) || out_table[out].is_float)
        return MPE_ERR_ARG;
    int b = out_table[out].bits;
    *qmin = out_table[out].is_signed ? -((int64_t)1 << (b - 1)) : 0;
    *qmax = out_table[out].is_signed ? ((int64_t)1 << (b - 1)) - 1
                                     : ((int64_t)1 << b) - 1;
    return MPE_OK;
}

mpe_outcfg mpe_outcfg_default(int rq, int out)
{
    mpe_outcfg c = {0};
    int64_t lo = INT32_MIN, hi = INT32_MAX;
    mpe_out_range(out, &lo, &hi); /* leaves int32 bounds for float outputs */
    c.rq = (uint8_t)rq;
    c.out = (uint8_t)out;
    c.lo = (int32_t)lo;
    c.hi = (int32_t)(hi > INT32_MAX ? INT32_MAX : hi);
    c.mult = 0x3F800000u; /* 1.0f */
    return c;
}

static mpe_status bad(char *msg, unsigned msglen, mpe_status s, const char *why)
{
    if (msg && msglen)
        snprintf(msg, msglen, "output stage: %s", why);
    return s;
}

mpe_status mpe_outcfg_check(const mpe_outcfg *c, int acc_is_float, char *msg,
                            unsigned msglen)
{
    if (c->rq != MPE_RQ_NONE && c->rq != MPE_RQ_FLOAT && c->rq != MPE_RQ_DYADIC)
        return bad(msg, msglen, MPE_ERR_ARG, "unknown requantization kind");
    if (!out_known(c->out))
        return bad(msg, msglen, MPE_ERR_ARG, "unknown output format");
    if (c->rq == MPE_RQ_DYADIC && (acc_is_float || mpe_out_is_float(c->out)))
        return bad(msg, msglen, MPE_ERR_ARG,
                   "dyadic requantization needs the integer accumulator and an integer output");
    if (c->rq == MPE_RQ_DYADIC && (c->shift < -31 || c->shift > 31))
        return bad(msg, msglen, MPE_ERR_RANGE, "dyadic shift outside -31..31");
    if (mpe_out_is_float(c->out))
        return MPE_OK;
    int64_t qmin, qmax;
    mpe_out_range(c->out, &qmin, &qmax);
    if (c->zp < qmin || c->zp > qmax)
        return bad(msg, msglen, MPE_ERR_RANGE, "zero point outside the output range");
    if (c->lo > c->hi)
        return bad(msg, msglen, MPE_ERR_RANGE, "clamp lo > hi");
    return MPE_OK;
}

/* Integer bounds: the format range intersected with [lo, hi]. */
static void int_bounds(const mpe_outcfg *c, int64_t *lo, int64_t *hi)
{
    if (mpe_out_range(c->out, lo, hi) != MPE_OK) {
        *lo = 0; /* float format: unreachable for a checked cfg */
        *hi = 0;
    }
    if (c->lo > *lo)
        *lo = c->lo;
    if (c->hi < *hi)
        *hi = c->hi;
    if (*lo > *hi) /* lo > hi (rejected by the check): pin to lo */
        *hi = *lo;
}

static uint32_t int_code(const mpe_outcfg *c, int64_t y)
{
    int b = mpe_out_bits(c->out);
    uint32_t mask = b >= 32 ? 0xFFFFFFFFu : (1u << b) - 1;
    return (uint32_t)(uint64_t)y & mask;
}

/* Activation and format conversion of an FP32 value for a float output. */
static uint32_t float_out(const mpe_outcfg *c, uint32_t v)
{
    if ((v & 0x7FFFFFFFu) > MPE_F32_PINF)
        v = MPE_F32_QNAN; /* NaN stays NaN, canonical */
    else if (c->relu && (v >> 31))
        v = 0; /* negatives, -0 and -inf become +0 */
    switch (c->out) {
    case MPE_OUT_FP16: return mpe_f32_to_f16(v);
    case MPE_OUT_BF16: return mpe_f32_to_bf16(v);
    default: return v;
    }
}

uint32_t mpe_out_from_int(const mpe_outcfg *c, int64_t acc)
{
    uint64_t a = (uint64_t)acc;
    if (c->has_bias)
        a += (uint64_t)(int64_t)(int32_t)c->bias;
    int64_t v = mpe_sext(a, ACC_BITS); /* 48-bit wrap */
    if (mpe_out_is_float(c->out)) {
        uint32_t f = mpe_f32_from_int(v, 0);
        if (c->rq == MPE_RQ_FLOAT)
            f = mpe_f32_mul(f, c->mult);
        return float_out(c, f);
    }
    int64_t lo, hi, y;
    int_bounds(c, &lo, &hi);
    switch (c->rq) {
    case MPE_RQ_FLOAT: y = mpe_rq_float(v, c->mult, c->zp, lo, hi); break;
    case MPE_RQ_DYADIC:
        y = mpe_rq_dyadic(v, (int32_t)c->mult, c->shift, c->zp, lo, hi);
        break;
    default: y = v + c->zp; break;
    }
    y = y < lo ? lo : (y > hi ? hi : y);
    return int_code(c, y);
}

uint32_t mpe_out_from_f32(const mpe_outcfg *c, uint32_t acc)
{
    uint32_t v = acc;
    if (c->has_bias)
        v = mpe_f32_add(v, c->bias);
    if (c->rq == MPE_RQ_FLOAT)
        v = mpe_f32_mul(v, c->mult);
    if (mpe_out_is_float(c->out))
        return float_out(c, v);
    int64_t lo, hi;
    int_bounds(c, &lo, &hi);
    return int_code(c, mpe_rq_f32_to_int(v, c->zp, lo, hi));
}

mpe_status mpe_out_act_bounds(mpe_act act, int out, int32_t zp, uint32_t y_scale,
                              int32_t *lo, int32_t *hi)
{
    int64_t qmin, qmax;
    if (mpe_out_range(out, &qmin, &qmax) != MPE_OK || zp < qmin || zp > qmax)
        return MPE_ERR_ARG;
    if ((y_scale >> 31) || y_scale == 0 || (y_scale & 0x7F800000u) == 0x7F800000u)
        return MPE_ERR_ARG; /* y_scale must be positive and finite */
    if (qmax > INT32_MAX)
        qmax = INT32_MAX;
    *lo = (int32_t)qmin;
    *hi = (int32_t)qmax;
    if (act == MPE_ACT_RELU || act == MPE_ACT_RELU6)
        *lo = zp;
    if (act == MPE_ACT_RELU6) {
        volatile float six = 6.0f;
        volatile float q = six / mpe_f32_from_bits(y_scale);
        *hi = (int32_t)mpe_rq_f32_to_int(mpe_f32_bits(q), zp, qmin, qmax);
    }
    return MPE_OK;
}

/* ---- FP32 accumulators holding integers (docs/numerics.md section 6) */

static int paths_agree(const mpe_outcfg *c, int64_t v)
{
    return mpe_out_from_int(c, v) == mpe_out_from_f32(c, mpe_f32_from_int(v, 0));
}

/* Every v in [a, b] (both within 2^24); 1, or 0 with the first mismatch. */
static int scan(const mpe_outcfg *c, int64_t a, int64_t b, int64_t *witness)
{
    for (int64_t v = a; v <= b; v++) {
        if (!paths_agree(c, v)) {
            *witness = v;
            return 0;
        }
    }
    return 1;
}

int mpe_out_f32_int_agree(const mpe_outcfg *cfg, int64_t vlo, int64_t vhi, int64_t *witness)
{
    const int64_t lim = (int64_t)1 << 24;
    if (vlo < -lim || vhi > lim)
        return -1;
    mpe_outcfg c = *cfg;
    c.has_bias = 0;
    /* Float outputs: int_to_f32(v) is fp32(v) = v, then the same FP32 product;
     * rq none: RNE(v) = v; dyadic is not defined from FP32 (outcfg_check). */
    if (vlo > vhi || mpe_out_is_float(c.out) || c.rq != MPE_RQ_FLOAT)
        return c.rq == MPE_RQ_DYADIC && vlo <= vhi ? -1 : 1;
    int64_t lo, hi;
    int_bounds(&c, &lo, &hi);
    double M = (double)mpe_f32_from_bits(c.mult);
    if (!(M > 0) || isinf(M)) /* 0, NaN, inf (either sign): no rounding boundary, scan all */
        return vhi - vlo > ((int64_t)1 << 22) ? -1 : scan(&c, vlo, vhi, witness);
    /* The integer path rounds the exact v * M once (RNE), the FP32 path
     * rounds fp32(v * M) again. Rounding to FP32 is monotone and a
     * half-integer t with |t| < 2^22 is an FP32 value, so the results can
     * differ only where fp32(v * M) == t != v * M, which needs
     * |v * M - t| <= ulp(t). Candidates: the v near each t = j + 1/2 where
     * RNE changes inside the output range [lo - zp - 1/2, hi - zp + 1/2];
     * outside it both saturate to the same bound (monotone again). In double,
     * v * M is exact (25 x 24 bits); bounds are compared in double before
     * converting (M may be tiny or huge). */
    int64_t j0 = lo - c.zp - 1, j1 = hi - c.zp;
    double d0 = floor((double)vlo * M) - 2, d1 = ceil((double)vhi * M) + 1;
    if (d0 > (double)j0)
        j0 = d0 > (double)j1 ? j1 + 1 : (int64_t)d0;
    if (d1 < (double)j1)
        j1 = d1 < (double)j0 ? j0 - 1 : (int64_t)d1;
    const int64_t half_lim = (int64_t)1 << 22; /* |t| < 2^22: t is an FP32 value */
    if (j0 <= j1 && (j0 < -half_lim || j1 >= half_lim))
        return -1;
    for (int64_t j = j0; j <= j1; j++) {
        double t = (double)j + 0.5;
        int e;
        frexp(t, &e);
        double ulp = ldexp(1.0, e - 24);
        double a = floor((t - ulp) / M) - 1, b = ceil((t + ulp) / M) + 1;
        a = a < (double)vlo ? (double)vlo : a;
        b = b > (double)vhi ? (double)vhi : b;
        if (a <= b && !scan(&c, (int64_t)a, (int64_t)b, witness))
            return 0;
    }
    return 1;
}
