/* Number formats: table lookup, exact decode, encode with one rounding. */
#include "mpe/format.h"

#include <string.h>

static const mpe_fmt_info fmt_table[MPE_FMT_COUNT] = {
#define X(id, name, bits, ebits, mbits, bias, special, emax) \
    {name, bits, ebits, mbits, bias, special, emax},
#include "mpe/formats.def"
#undef X
};

const mpe_fmt_info *mpe_fmt_get(mpe_fmt f)
{
    if ((unsigned)f >= MPE_FMT_COUNT)
        return 0;
    return &fmt_table[f];
}

int mpe_fmt_by_name(const char *name, mpe_fmt *out)
{
    for (int i = 0; i < MPE_FMT_COUNT; i++)
        if (strcmp(fmt_table[i].name, name) == 0) {
            *out = (mpe_fmt)i;
            return 0;
        }
    return -1;
}

static int has_sign(const mpe_fmt_info *fi)
{
    return fi->special != MPE_SPECIAL_E8M0 && fi->special != MPE_SPECIAL_UE4M3;
}

static unsigned exp_all_ones(const mpe_fmt_info *fi)
{
    return (1u << fi->ebits) - 1;
}

mpe_xval mpe_fp_unpack(mpe_fmt f, uint32_t code)
{
    const mpe_fmt_info *fi = &fmt_table[f];
    mpe_xval v = {MPE_XV_ZERO, 0, 0, 0};
    uint32_t mmask = (1u << fi->mbits) - 1;
    code &= (fi->bits == 32) ? 0xFFFFFFFFu : ((1u << fi->bits) - 1);

    if (fi->special == MPE_SPECIAL_E8M0) {
        if (code == 0xFF) {
            v.cls = MPE_XV_NAN;
            return v;
        }
        v.cls = MPE_XV_FINITE;
        v.mant = 1;
        v.exp = (int)code - 127;
        return v;
    }
    if (fi->special == MPE_SPECIAL_UE4M3)
        code &= 0x7F; /* the sign bit of an unsigned scale is ignored */

    unsigned sbit = has_sign(fi) ? (code >> (fi->ebits + fi->mbits)) & 1 : 0;
    unsigned e = (code >> fi->mbits) & exp_all_ones(fi);
    uint32_t m = code & mmask;
    v.sign = (int)sbit;

    if (fi->special == MPE_SPECIAL_IEEE && e == exp_all_ones(fi)) {
        v.cls = m ? MPE_XV_NAN : MPE_XV_INF;
        return v;
    }
    if ((fi->special == MPE_SPECIAL_E4M3 || fi->special == MPE_SPECIAL_UE4M3) &&
        e == exp_all_ones(fi) && m == mmask) {
        v.cls = MPE_XV_NAN;
        return v;
    }
    if (e == 0) {
        if (m == 0)
            return v; /* signed zero */
        v.cls = MPE_XV_FINITE;
        v.mant = m;
        v.exp = 1 - fi->bias - fi->mbits;
        return v;
    }
    v.cls = MPE_XV_FINITE;
    v.mant = m | (1u << fi->mbits);
    v.exp = (int)e - fi->bias - fi->mbits;
    return v;
}

static double ldexp_exact(double m, int e)
{
    /* m * 2^e without libm: repeated exact scaling by powers of two. */
    while (e > 0) {
        int s = e > 60 ? 60 : e;
        m *= (double)(1ull << s);
        e -= s;
    }
    while (e < 0) {
        int s = -e > 60 ? 60 : -e;
        m /= (double)(1ull << s);
        e += s;
    }
    return m;
}

static double xval_to_double(mpe_xval v)
{
    double r;
    switch (v.cls) {
    case MPE_XV_ZERO: r = 0.0; break;
    case MPE_XV_INF: r = __builtin_inf(); break;
    case MPE_XV_NAN: return __builtin_nan("");
    default: r = ldexp_exact((double)v.mant, v.exp); break;
    }
    return v.sign ? -r : r;
}

double mpe_fp_decode(mpe_fmt f, uint32_t code)
{
    return xval_to_double(mpe_fp_unpack(f, code));
}

uint32_t mpe_fp_max_code(mpe_fmt f)
{
    const mpe_fmt_info *fi = &fmt_table[f];
    uint32_t mmask = (1u << fi->mbits) - 1;
    switch (fi->special) {
    case MPE_SPECIAL_IEEE: return ((exp_all_ones(fi) - 1) << fi->mbits) | mmask;
    case MPE_SPECIAL_E4M3:
    case MPE_SPECIAL_UE4M3: return (exp_all_ones(fi) << fi->mbits) | (mmask - 1);
    case MPE_SPECIAL_E8M0: return 0xFE;
    default: return (exp_all_ones(fi) << fi->mbits) | mmask;
    }
}

double mpe_fp_max(mpe_fmt f)
{
    return mpe_fp_decode(f, mpe_fp_max_code(f));
}

uint32_t mpe_fp_nan_code(mpe_fmt f)
{
    const mpe_fmt_info *fi = &fmt_table[f];
    switch (fi->special) {
    case MPE_SPECIAL_IEEE:
        return (exp_all_ones(fi) << fi->mbits) | (1u << (fi->mbits - 1));
    case MPE_SPECIAL_E4M3:
    case MPE_SPECIAL_UE4M3: return 0x7F;
    case MPE_SPECIAL_E8M0: return 0xFF;
    default: return 0;
    }
}

int mpe_fp_is_nan(mpe_fmt f, uint32_t code)
{
    return mpe_fp_unpack(f, code).cls == MPE_XV_NAN;
}

int mpe_fp_is_inf(mpe_fmt f, uint32_t code)
{
    return mpe_fp_unpack(f, code).cls == MPE_XV_INF;
}

static int bitlen64(uint64_t x)
{
    return x ? 64 - __builtin_clzll(x) : 0;
}

/* Rounds mant * 2^-shift (shift > 0) to an integer. */
static uint64_t round_shift(uint64_t mant, int shift, mpe_round r, int *inexact)
{
    if (shift > 64) {
        *inexact = mant != 0;
        return 0;
    }
    uint64_t q, rem, half;
    if (shift == 64) {
        q = 0;
        rem = mant;
        half = 1ull << 63;
    } else {
        q = mant >> shift;
        rem = mant & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    }
    *inexact = rem != 0;
    if (rem > half || (rem == half && (r == MPE_RNA || (q & 1))))
        q++;
    return q;
}

static uint32_t sign_bit(const mpe_fmt_info *fi, int sign)
{
    return (has_sign(fi) && sign) ? 1u << (fi->ebits + fi->mbits) : 0;
}

static uint32_t overflow_code(mpe_fmt f, int sign, int saturate)
{
    const mpe_fmt_info *fi = &fmt_table[f];
    if (!saturate && fi->special == MPE_SPECIAL_IEEE)
        return sign_bit(fi, sign) | (exp_all_ones(fi) << fi->mbits);
    if (!saturate && fi->special == MPE_SPECIAL_E4M3)
        return sign_bit(fi, sign) | mpe_fp_nan_code(f);
    return sign_bit(fi, sign) | mpe_fp_max_code(f);
}

static uint32_t encode_e8m0(mpe_xval v, mpe_round r, unsigned *flags)
{
    (void)r;
    if (v.cls == MPE_XV_NAN || v.cls == MPE_XV_INF || v.sign) {
        *flags |= MPE_FLAG_INVALID;
        return 0xFF;
    }
    if (v.cls == MPE_XV_ZERO) {
        *flags |= MPE_FLAG_UNDERFLOW | MPE_FLAG_INEXACT;
        return 0;
    }
    /* Nearest power of two, ties (1.5 * 2^e) upward. */
    int n = bitlen64(v.mant);
    int e = v.exp + n - 1;
    if (n >= 2) {
        uint64_t frac = v.mant & ((1ull << (n - 1)) - 1);
        uint64_t half = 1ull << (n - 2);
        if (frac)
            *flags |= MPE_FLAG_INEXACT;
        if (frac >= half)
            e++;
    }
    if (e > 127) {
        *flags |= MPE_FLAG_OVERFLOW;
        return 0xFE;
    }
    if (e < -127) {
        *flags |= MPE_FLAG_UNDERFLOW | MPE_FLAG_INEXACT;
        return 0;
    }
    return (uint32_t)(e + 127);
}

uint32_t mpe_fp_encode(mpe_fmt f, mpe_xval v, mpe_round r, int saturate,
                       unsigned *flags)
{
    const mpe_fmt_info *fi = &fmt_table[f];
    unsigned dummy = 0;
    if (!flags)
        flags = &dummy;
    if (fi->special == MPE_SPECIAL_E8M0)
        return encode_e8m0(v, r, flags);

    int sign = v.sign;
    if (!has_sign(fi) && sign && v.cls != MPE_XV_ZERO && v.cls != MPE_XV_NAN) {
        /* Negative into an unsigned format: clamps to +0. */
        *flags |= MPE_FLAG_INVALID;
        return 0;
    }
    if (v.cls == MPE_XV_NAN) {
        if (fi->special == MPE_SPECIAL_NONE) {
            *flags |= MPE_FLAG_INVALID;
            return 0;
        }
        return sign_bit(fi, sign) | mpe_fp_nan_code(f);
    }
    if (v.cls == MPE_XV_INF) {
        *flags |= MPE_FLAG_OVERFLOW;
        return overflow_code(f, sign, saturate);
    }
    if (v.cls == MPE_XV_ZERO || v.mant == 0)
        return sign_bit(fi, sign);

    int emin = 1 - fi->bias;
    int n = bitlen64(v.mant);
    int e_msb = v.exp + n - 1;
    int te = e_msb > emin ? e_msb : emin;
    int q = te - fi->mbits;
    int shift = q - v.exp;
    uint64_t R;
    int inexact = 0;
    if (shift <= 0)
        R = v.mant << -shift; /* at most mbits+1 bits, see docs */
    else
        R = round_shift(v.mant, shift, r, &inexact);
    if (inexact)
        *flags |= MPE_FLAG_INEXACT;
    if (R >> (fi->mbits + 1)) { /* rounding carried into a new binade */
        R >>= 1;
        q++;
    }
    if (R == 0) {
        *flags |= MPE_FLAG_UNDERFLOW;
        return sign_bit(fi, sign);
    }
    uint32_t code;
    if (R < (1ull << fi->mbits)) {
        if (inexact)
            *flags |= MPE_FLAG_UNDERFLOW;
        code = (uint32_t)R; /* subnormal: exponent field 0 */
    } else {
        long be = (long)q + fi->mbits + fi->bias;
        uint32_t maxc = mpe_fp_max_code(f);
        uint32_t mmask = (1u << fi->mbits) - 1;
        long maxe = (long)(maxc >> fi->mbits);
        uint32_t m = (uint32_t)R & mmask;
        if (be > maxe || (be == maxe && m > (maxc & mmask))) {
            *flags |= MPE_FLAG_OVERFLOW | MPE_FLAG_INEXACT;
            return overflow_code(f, sign, saturate);
        }
        code = ((uint32_t)be << fi->mbits) | m;
    }
    return sign_bit(fi, sign) | code;
}

mpe_xval mpe_xval_from_float(float x)
{
    uint32_t u = mpe_f32_bits(x);
    return mpe_fp_unpack(MPE_FMT_FP32, u);
}

mpe_xval mpe_xval_from_double(double x)
{
    union { double d; uint64_t u; } c;
    c.d = x;
    mpe_xval v = {MPE_XV_ZERO, (int)(c.u >> 63), 0, 0};
    unsigned e = (unsigned)(c.u >> 52) & 0x7FF;
    uint64_t m = c.u & ((1ull << 52) - 1);
    if (e == 0x7FF) {
        v.cls = m ? MPE_XV_NAN : MPE_XV_INF;
        return v;
    }
    if (e == 0 && m == 0)
        return v;
    v.cls = MPE_XV_FINITE;
    if (e == 0) {
        v.mant = m;
        v.exp = 1 - 1023 - 52;
    } else {
        v.mant = m | (1ull << 52);
        v.exp = (int)e - 1023 - 52;
    }
    return v;
}

mpe_xval mpe_xval_from_i128(__int128 x, int exp)
{
    mpe_xval v = {MPE_XV_ZERO, 0, 0, 0};
    if (x == 0)
        return v;
    unsigned __int128 m;
    if (x < 0) {
        v.sign = 1;
        m = (unsigned __int128)0 - (unsigned __int128)x;
    } else {
        m = (unsigned __int128)x;
    }
    v.cls = MPE_XV_FINITE;
    while (m >> 63) { /* narrow to 63 bits, keep a sticky bit */
        unsigned sticky = (unsigned)(m & 1);
        m = (m >> 1) | sticky;
        exp++;
    }
    v.mant = (uint64_t)m;
    v.exp = exp;
    return v;
}

static uint32_t encode_scaled(mpe_fmt f, mpe_xval v, int exp_shift, mpe_round r,
                              int saturate, unsigned *flags)
{
    if (v.cls == MPE_XV_FINITE)
        v.exp += exp_shift;
    return mpe_fp_encode(f, v, r, saturate, flags);
}

uint32_t mpe_fp_from_float(mpe_fmt f, float x, int exp_shift, mpe_round r,
                           int saturate, unsigned *flags)
{
    return encode_scaled(f, mpe_xval_from_float(x), exp_shift, r, saturate, flags);
}

uint32_t mpe_fp_from_double(mpe_fmt f, double x, int exp_shift, mpe_round r,
                            int saturate, unsigned *flags)
{
    return encode_scaled(f, mpe_xval_from_double(x), exp_shift, r, saturate, flags);
}
