/* Integer-family quantizers (docs/numerics.md 3.1): intN symmetric, uintN
 * asymmetric (ONNX DynamicQuantizeLinear generalised), ternary (absmean),
 * pow2, and ONNX QuantizeLinear / DequantizeLinear of single values.
 * Host floating point appears only as single IEEE binary32 divisions, as
 * the spec defines them; every rounding to an integer is integer code. */
#include <float.h>

#include "mpe/fp32.h"
#include "mpe/quant.h"

_Static_assert(FLT_EVAL_METHOD == 0, "FP32 expressions must be evaluated in FP32");

static float fbits(uint32_t u) { return mpe_f32_from_bits(u); }

static int f32_is_nan(float x)
{
    return (mpe_f32_bits(x) & 0x7FFFFFFFu) > 0x7F800000u;
}

int64_t mpe_q_round_f32(float v, mpe_round r, int64_t lo, int64_t hi)
{
    int sign, exp;
    uint32_t mant;
    uint32_t u = mpe_f32_bits(v);
    if (f32_is_nan(v))
        return 0 < lo ? lo : (0 > hi ? hi : 0);
    if (mpe_f32_split(u, &sign, &mant, &exp) != 0)
        return (u >> 31) ? lo : hi; /* infinity saturates */
    int64_t m = sign ? -(int64_t)mant : (int64_t)mant;
    return mpe_round_scaled(m, 1, exp, r, lo, hi);
}

int32_t mpe_q_linear(float x, float scale, int32_t zp, int32_t qmin,
                     int32_t qmax, mpe_round r)
{
    float v = x / scale;
    int64_t lo = (int64_t)qmin - zp, hi = (int64_t)qmax - zp;
    if (f32_is_nan(v))
        v = 0.0f; /* NaN input (or 0/0) gives the zero point */
    return (int32_t)(mpe_q_round_f32(v, r, lo, hi) + zp);
}

uint32_t mpe_dq_linear(int32_t q, int32_t zp, float scale)
{
    uint32_t d = mpe_f32_from_int((int64_t)q - zp, 0); /* exact below 2^24 */
    return mpe_f32_mul(d, mpe_f32_bits(scale));
}

void mpe_qstats_init(mpe_qstats *st)
{
    st->amax = 0.0f;
    st->min = 0.0f;
    st->max = 0.0f;
    st->abssum = 0;
    st->n = 0;
}

void mpe_qstats_add(mpe_qstats *st, float x)
{
    uint32_t a = mpe_f32_bits(x) & 0x7FFFFFFFu;
    if (a > mpe_f32_bits(st->amax))
        st->amax = fbits(a);
    if (x < st->min)
        st->min = x;
    if (x > st->max)
        st->max = x;
    st->abssum = mpe_f32_add(st->abssum, a);
    st->n++;
}

static int32_t qmax_of(const mpe_qspec *s)
{
    switch (s->kind) {
    case MPE_QK_INT: return (1 << (s->elem.bits - 1)) - 1;
    case MPE_QK_UINT: return (1 << s->elem.bits) - 1;
    case MPE_QK_TERNARY: return 1;
    default: return 64; /* pow2 */
    }
}

/* A scale that came out as zero (amax = 0, or underflow) becomes 1. */
static uint32_t nonzero_scale(float scale)
{
    return scale == 0.0f ? 0x3F800000u : mpe_f32_bits(scale);
}

mpe_qparams mpe_q_int_params(const mpe_qspec *s, const mpe_qstats *st)
{
    mpe_qparams p = {0x3F800000u, 0};
    float qmax = (float)qmax_of(s);
    switch (s->kind) {
    case MPE_QK_UINT: {
        p.scale = nonzero_scale((st->max - st->min) / qmax);
        float z = 0.0f - st->min / fbits(p.scale);
        p.zp = (int32_t)mpe_q_round_f32(z, (mpe_round)s->round, 0, qmax_of(s));
        break;
    }
    case MPE_QK_TERNARY:
        p.scale = nonzero_scale(fbits(st->abssum) / (float)st->n);
        break;
    default: /* int, pow2 */
        p.scale = nonzero_scale(st->amax / qmax);
        break;
    }
    return p;
}

/* Nearest of {0, 1, 2, 4, .., 64} to r >= 0, ties to the larger: 0..7. */
static unsigned pow2_exp_code(float r)
{
    uint32_t u = mpe_f32_bits(r);
    if (!(r >= 0.5f))
        return 0; /* also NaN */
    if (r >= 64.0f)
        return 7;
    if (r < 1.0f)
        return 1; /* [0.5, 1): 1 is nearer than 0, the tie 0.5 goes up */
    int k = mpe_q_floor_log2(u) + (int)((u >> 22) & 1); /* >= 1.5 * 2^k */
    return (unsigned)k + 1;
}

uint16_t mpe_q_int_code(const mpe_qspec *s, mpe_qparams p, float x)
{
    float scale = fbits(p.scale);
    mpe_round r = (mpe_round)s->round;
    int32_t q;
    switch (s->kind) {
    case MPE_QK_UINT:
        q = mpe_q_linear(x, scale, p.zp, 0, qmax_of(s), r);
        break;
    case MPE_QK_POW2: {
        float mag = fbits(mpe_f32_bits(x) & 0x7FFFFFFFu);
        unsigned e = pow2_exp_code(mag / scale);
        return (uint16_t)(e ? ((mpe_f32_bits(x) >> 31) << 3) | e : 0);
    }
    default: /* int, ternary */
        q = mpe_q_linear(x, scale, 0, -qmax_of(s), qmax_of(s), r);
        break;
    }
    return (uint16_t)((uint32_t)q & mpe_dt_mask(s->elem));
}

uint32_t mpe_q_int_dequant(const mpe_qspec *s, mpe_qparams p, uint16_t code)
{
    int32_t v = mpe_dt_int_value(s->elem, code);
    return mpe_dq_linear(v, p.zp, fbits(p.scale));
}
