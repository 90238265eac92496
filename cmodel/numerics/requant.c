/* Requantization primitives: the ONNX float multiplier (exact product, one
 * rounding), FP32 -> integer, gemmlowp fixed point (SRDHM, RDBPOT) and the
 * real -> (M0, shift) conversion. docs/numerics.md section 6. */
#include "mpe/outstage.h"

#include <float.h>
#include <string.h>

#include "mpe/fp32.h"

/* The ONNX multiplier is defined in IEEE binary32: no excess precision. */
_Static_assert(FLT_EVAL_METHOD == 0, "FP32 expressions must be evaluated in FP32");

#define BIG ((int64_t)1 << 62) /* beyond every output range, with room for + zp */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

uint32_t mpe_rq_float_multiplier(uint32_t a_scale, uint32_t b_scale, uint32_t y_scale)
{
    volatile float ab = mpe_f32_from_bits(a_scale) * mpe_f32_from_bits(b_scale);
    volatile float m = ab / mpe_f32_from_bits(y_scale);
    return mpe_f32_bits(m);
}

/* RNE(s * mant * 2^exp), s = +-1 or an int48 value, mant < 2^24, clipped to
 * [-BIG, BIG]. Exponents >= 40 with a nonzero product exceed BIG anyway; the
 * guard also keeps mpe_round_scaled's left shift inside 128 bits. */
static int64_t round_exact(int64_t v, uint32_t mant, int exp)
{
    if (v == 0 || mant == 0)
        return 0;
    if (exp >= 40)
        return v < 0 ? -BIG : BIG;
    return mpe_round_scaled(v, mant, exp, MPE_RNE, -BIG, BIG);
}

int64_t mpe_rq_float(int64_t v, uint32_t m_f32, int32_t zp, int64_t qmin, int64_t qmax)
{
    int sign, exp;
    uint32_t mant;
    int64_t r;
    if (mpe_f32_split(m_f32, &sign, &mant, &exp) == 0) {
        r = round_exact(sign ? -v : v, mant, exp);
    } else if ((m_f32 & 0x7FFFFFFFu) == MPE_F32_PINF && v != 0) {
        r = ((v < 0) != (int)(m_f32 >> 31)) ? -BIG : BIG; /* +-inf */
    } else {
        r = 0; /* NaN: the zero point */
    }
    return clamp64(r + zp, qmin, qmax);
}

int64_t mpe_rq_f32_to_int(uint32_t x, int32_t zp, int64_t qmin, int64_t qmax)
{
    int sign, exp;
    uint32_t mant;
    int64_t r;
    if (mpe_f32_split(x, &sign, &mant, &exp) == 0)
        r = round_exact(sign ? -1 : 1, mant, exp);
    else if ((x & 0x7FFFFFFFu) == MPE_F32_PINF)
        r = (x >> 31) ? -BIG : BIG;
    else
        r = 0; /* NaN */
    return clamp64(r + zp, qmin, qmax);
}

int32_t mpe_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* truncating */
}

int32_t mpe_rdbpot(int32_t x, int exponent)
{
    if (exponent <= 0)
        return x;
    if (exponent > 31)
        exponent = 31;
    int64_t mask = ((int64_t)1 << exponent) - 1;
    int64_t rem = (int64_t)((uint64_t)(int64_t)x & (uint64_t)mask);
    int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    /* (x - rem) is a multiple of 2^exponent: exact floor(x / 2^exponent). */
    int64_t floor_q = ((int64_t)x - rem) / ((int64_t)1 << exponent);
    return (int32_t)(floor_q + (rem > threshold ? 1 : 0));
}

int64_t mpe_rq_dyadic(int64_t acc, int32_t m0, int shift, int32_t zp,
                      int64_t qmin, int64_t qmax)
{
    if (shift < -31)
        shift = -31;
    if (shift > 31)
        shift = 31;
    int64_t x = clamp64(acc, INT32_MIN, INT32_MAX);
    if (shift < 0) /* |x| < 2^31, so x * 2^31 fits */
        x = clamp64(x * ((int64_t)1 << -shift), INT32_MIN, INT32_MAX);
    int32_t y = mpe_srdhm((int32_t)x, m0);
    y = mpe_rdbpot(y, shift);
    return clamp64((int64_t)y + zp, qmin, qmax);
}

mpe_status mpe_rq_quantize_multiplier(double real, int32_t *m0, int *shift)
{
    uint64_t u;
    memcpy(&u, &real, sizeof u);
    unsigned be = (unsigned)(u >> 52) & 0x7FF;
    uint64_t mant = u & (((uint64_t)1 << 52) - 1);
    *m0 = 0;
    *shift = 0;
    if (be == 0x7FF || ((u >> 63) && (be || mant)))
        return MPE_ERR_RANGE; /* inf, NaN, negative (-0 is zero) */
    if (be == 0 && mant == 0)
        return MPE_OK;
    int e2 = be ? (int)be - 1075 : -1074; /* real = mant * 2^e2 */
    if (be)
        mant |= (uint64_t)1 << 52;
    int n = 64 - __builtin_clzll(mant);
    int e = e2 + n; /* frexp: real = q * 2^e, q = mant / 2^n in [0.5, 1) */
    uint64_t q;     /* round(q * 2^31), half away from zero */
    if (n <= 31)
        q = mant << (31 - n);
    else
        q = (mant + ((uint64_t)1 << (n - 32))) >> (n - 31);
    if (q == (uint64_t)1 << 31) {
        q >>= 1;
        e++;
    }
    if (e < -31)
        return MPE_OK; /* flush to (0, 0) as TFLite does */
    if (e > 31)
        return MPE_ERR_RANGE;
    *m0 = (int32_t)q;
    *shift = -e;
    return MPE_OK;
}

mpe_status mpe_rq_quantize_multiplier_f32(uint32_t real_f32, int32_t *m0, int *shift)
{
    return mpe_rq_quantize_multiplier((double)mpe_f32_from_bits(real_f32), m0, shift);
}
