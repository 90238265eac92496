/* Block quantizers with a power-of-two shared scale (docs/numerics.md 3.2,
 * 3.4): OCP MX (e8m0 scale per 32) and classic BFP (8-bit shared exponent).
 * MXINT8 is the BFP rule with 8-bit mantissas. Integer code only: the
 * scale exponent is read from the FP32 bits of the block maximum and each
 * element is the exact quotient V / X rounded once by the format encoder. */
#include "mpe/fp32.h"
#include "mpe/quant.h"

int mpe_q_floor_log2(uint32_t fbits)
{
    uint32_t e = (fbits >> 23) & 0xFF;
    uint32_t m = fbits & 0x7FFFFFu;
    if (e)
        return (int)e - 127;
    return (31 - __builtin_clz(m)) - 149; /* subnormal: m * 2^-149, m != 0 */
}

/* Scans a block: 1 if it holds NaN or inf, else 0 with *amax the bits of the
 * largest magnitude (0 for an all-zero block, negative zeros included). */
static int block_scan(const float *v, int n, uint32_t *amax)
{
    uint32_t a = 0;
    for (int i = 0; i < n; i++) {
        uint32_t u = mpe_f32_bits(v[i]) & 0x7FFFFFFFu;
        if (u >= 0x7F800000u)
            return 1;
        if (u > a)
            a = u;
    }
    *amax = a;
    return 0;
}

/* Shared scale code: floor(log2(amax)) - emax, clamped to [-127, 127], +127. */
static uint8_t shared_code(uint32_t amax, int emax)
{
    int e = mpe_q_floor_log2(amax) - emax;
    if (e < -127)
        e = -127;
    if (e > 127)
        e = 127;
    return (uint8_t)(e + 127);
}

/* Special blocks: NaN/inf -> 0xFF, all zero -> 0; elements zero. Returns 1
 * when the block was special and *code is final. */
static int special_block(const float *v, int n, int emax, uint16_t *codes,
                         uint8_t *code)
{
    uint32_t amax = 0;
    int special = block_scan(v, n, &amax);
    if (!special && amax) {
        *code = shared_code(amax, emax);
        return 0;
    }
    for (int i = 0; i < n; i++)
        codes[i] = 0;
    *code = special ? 0xFF : 0;
    return 1;
}

uint8_t mpe_bfp_block(int mbits, const float *v, int n, mpe_round r,
                      uint16_t *codes)
{
    uint8_t E;
    if (special_block(v, n, 0, codes, &E))
        return E;
    int64_t lim = ((int64_t)1 << (mbits - 1)) - 1;
    int shift = (mbits - 2) - ((int)E - 127);
    for (int i = 0; i < n; i++) {
        int sign, exp;
        uint32_t mant;
        mpe_f32_split(mpe_f32_bits(v[i]), &sign, &mant, &exp);
        int64_t m = sign ? -(int64_t)mant : (int64_t)mant;
        int64_t q = mpe_round_scaled(m, 1, exp + shift, r, -lim, lim);
        codes[i] = (uint16_t)((uint64_t)q & (((uint64_t)1 << mbits) - 1));
    }
    return E;
}

uint8_t mpe_mx_block(mpe_dtype elem, const float *v, int n, mpe_round r,
                     uint16_t *codes)
{
    if (elem.kind == MPE_DT_BFPINT)
        return mpe_bfp_block(elem.bits, v, n, r, codes); /* mxint8: emax 0 */
    mpe_fmt f = (mpe_fmt)elem.fmt;
    uint8_t X;
    if (special_block(v, n, mpe_fmt_get(f)->emax_elem, codes, &X))
        return X;
    for (int i = 0; i < n; i++)
        codes[i] = (uint16_t)mpe_fp_from_float(f, v[i], 127 - (int)X, r, 1, 0);
    return X;
}

uint32_t mpe_mx_dequant(mpe_dtype elem, uint16_t code, uint8_t scale)
{
    if (scale == 0xFF)
        return MPE_F32_QNAN;
    int se = (int)scale - 127;
    if (elem.kind == MPE_DT_BFPINT) {
        int64_t m = mpe_sext(code, elem.bits);
        return m ? mpe_f32_from_int(m, se - (elem.bits - 2)) : 0;
    }
    mpe_xval x = mpe_fp_unpack((mpe_fmt)elem.fmt, code);
    switch (x.cls) {
    case MPE_XV_NAN: return MPE_F32_QNAN;
    case MPE_XV_INF: return x.sign ? MPE_F32_NINF : MPE_F32_PINF;
    case MPE_XV_ZERO: return x.sign ? 0x80000000u : 0;
    default: break;
    }
    int64_t m = x.sign ? -(int64_t)x.mant : (int64_t)x.mant;
    return mpe_f32_from_int(m, x.exp + se);
}
