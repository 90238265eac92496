/* Integer-only IEEE binary32 arithmetic (RNE) for the PE and output stage. */
#include "mpe/fp32.h"

static uint32_t enc32(mpe_xval v)
{
    return mpe_fp_encode(MPE_FMT_FP32, v, MPE_RNE, 0, 0);
}

uint32_t mpe_f32_from_int(__int128 v, int exp)
{
    return enc32(mpe_xval_from_i128(v, exp));
}

int mpe_f32_split(uint32_t a, int *sign, uint32_t *mant, int *exp)
{
    mpe_xval v = mpe_fp_unpack(MPE_FMT_FP32, a);
    if (v.cls == MPE_XV_INF || v.cls == MPE_XV_NAN)
        return -1;
    *sign = v.sign;
    *mant = (uint32_t)v.mant;
    *exp = v.cls == MPE_XV_ZERO ? 0 : v.exp;
    return 0;
}

uint32_t mpe_f32_add(uint32_t a, uint32_t b)
{
    mpe_xval x = mpe_fp_unpack(MPE_FMT_FP32, a);
    mpe_xval y = mpe_fp_unpack(MPE_FMT_FP32, b);
    if (x.cls == MPE_XV_NAN || y.cls == MPE_XV_NAN)
        return MPE_F32_QNAN;
    if (x.cls == MPE_XV_INF || y.cls == MPE_XV_INF) {
        if (x.cls == MPE_XV_INF && y.cls == MPE_XV_INF && x.sign != y.sign)
            return MPE_F32_QNAN;
        return x.cls == MPE_XV_INF ? a : b;
    }
    if (x.cls == MPE_XV_ZERO && y.cls == MPE_XV_ZERO)
        return (x.sign && y.sign) ? 0x80000000u : 0;
    if (x.cls == MPE_XV_ZERO)
        return b;
    if (y.cls == MPE_XV_ZERO)
        return a;
    /* Order so that x has the larger exponent of its lowest bit. */
    if (y.exp > x.exp) {
        mpe_xval t = x;
        x = y;
        y = t;
    }
    int d = x.exp - y.exp;
    __int128 sx = x.sign ? -(__int128)x.mant : (__int128)x.mant;
    __int128 sy = y.sign ? -(__int128)y.mant : (__int128)y.mant;
    if (d <= 60)
        return mpe_f32_from_int(sx * ((__int128)1 << d) + sy, y.exp);
    /* y lies far below x's last bit: keep it as a sticky unit. */
    return mpe_f32_from_int(sx * ((__int128)1 << 60) + (y.sign ? -1 : 1),
                            x.exp - 60);
}

uint32_t mpe_f32_mul(uint32_t a, uint32_t b)
{
    mpe_xval x = mpe_fp_unpack(MPE_FMT_FP32, a);
    mpe_xval y = mpe_fp_unpack(MPE_FMT_FP32, b);
    int sign = x.sign ^ y.sign;
    if (x.cls == MPE_XV_NAN || y.cls == MPE_XV_NAN)
        return MPE_F32_QNAN;
    if (x.cls == MPE_XV_INF || y.cls == MPE_XV_INF) {
        if (x.cls == MPE_XV_ZERO || y.cls == MPE_XV_ZERO)
            return MPE_F32_QNAN;
        return sign ? MPE_F32_NINF : MPE_F32_PINF;
    }
    if (x.cls == MPE_XV_ZERO || y.cls == MPE_XV_ZERO)
        return sign ? 0x80000000u : 0;
    mpe_xval p = {MPE_XV_FINITE, sign, x.mant * y.mant, x.exp + y.exp};
    return enc32(p);
}

uint16_t mpe_f32_to_f16(uint32_t a)
{
    return (uint16_t)mpe_fp_encode(MPE_FMT_FP16, mpe_fp_unpack(MPE_FMT_FP32, a),
                                   MPE_RNE, 0, 0);
}

uint16_t mpe_f32_to_bf16(uint32_t a)
{
    return (uint16_t)mpe_fp_encode(MPE_FMT_BF16, mpe_fp_unpack(MPE_FMT_FP32, a),
                                   MPE_RNE, 0, 0);
}

static int64_t clamp_i128(__int128 q, int64_t lo, int64_t hi)
{
    if (q < lo)
        return lo;
    if (q > hi)
        return hi;
    return (int64_t)q;
}

int64_t mpe_round_scaled(int64_t v, uint32_t m, int exp, mpe_round r,
                         int64_t lo, int64_t hi)
{
    __int128 p = (__int128)v * (__int128)m; /* |p| < 2^95 */
    if (p == 0)
        return clamp_i128(0, lo, hi);
    if (exp >= 0) {
        /* |p| >= 1, so |p * 2^exp| >= 2^exp: beyond 2^64 it saturates. */
        if (exp >= 64)
            return p > 0 ? hi : lo;
        __int128 lim = (__int128)1 << (126 - exp);
        if (p >= lim || p <= -lim)
            return p > 0 ? hi : lo;
        return clamp_i128(p * ((__int128)1 << exp), lo, hi);
    }
    int s = -exp;
    if (s > 120)
        return clamp_i128(0, lo, hi); /* |p| < 2^95 < 2^(s-1): rounds to 0 */
    unsigned __int128 mag = p < 0 ? (unsigned __int128)0 - (unsigned __int128)p
                                  : (unsigned __int128)p;
    unsigned __int128 qq = mag >> s;
    unsigned __int128 rem = mag - (qq << s);
    unsigned __int128 half = (unsigned __int128)1 << (s - 1);
    if (rem > half || (rem == half && (r == MPE_RNA || (qq & 1))))
        qq++;
    return clamp_i128(p < 0 ? -(__int128)qq : (__int128)qq, lo, hi);
}
