/* NVFP4 (docs/numerics.md 3.3): E2M1 elements, one ue4m3 scale per block of
 * 16, one FP32 tensor scale. Every step is an FP32 operation: divisions on
 * the host (single IEEE operations), products with the integer FP32 code. */
#include <float.h>

#include "mpe/fp32.h"
#include "mpe/quant.h"

_Static_assert(FLT_EVAL_METHOD == 0, "FP32 expressions must be evaluated in FP32");

#define E2M1_X_UE4M3_MAX 2688.0f /* 6 * 448 */

static float fbits(uint32_t u) { return mpe_f32_from_bits(u); }

static uint32_t abs_bits(float x) { return mpe_f32_bits(x) & 0x7FFFFFFFu; }

uint32_t mpe_nvfp4_tensor_scale(const float *x, size_t n)
{
    uint32_t amax = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = abs_bits(x[i]);
        if (a < 0x7F800000u && a > amax)
            amax = a;
    }
    float st = fbits(amax) / E2M1_X_UE4M3_MAX;
    return st == 0.0f ? 0x3F800000u : mpe_f32_bits(st); /* amax 0 or underflow */
}

/* FP32 bits of a decoded ue4m3 / e2m1 code (exact). */
static uint32_t dec32(mpe_fmt f, uint32_t code)
{
    mpe_xval v = mpe_fp_unpack(f, code);
    if (v.cls == MPE_XV_NAN)
        return MPE_F32_QNAN;
    if (v.cls == MPE_XV_ZERO)
        return v.sign ? 0x80000000u : 0;
    int64_t m = v.sign ? -(int64_t)v.mant : (int64_t)v.mant;
    return mpe_f32_from_int(m, v.exp);
}

uint8_t mpe_nvfp4_block(const float *v, int n, uint32_t st, mpe_round r,
                        uint16_t *codes)
{
    uint32_t amax = 0;
    int special = 0;
    for (int i = 0; i < n; i++) {
        codes[i] = 0;
        uint32_t a = abs_bits(v[i]);
        special |= a >= 0x7F800000u;
        if (a > amax)
            amax = a;
    }
    if (special)
        return 0x7F; /* NaN scale, zero elements */
    float sv = (fbits(amax) / 6.0f) / fbits(st);
    uint8_t sb = (uint8_t)mpe_fp_from_float(MPE_FMT_UE4M3, sv, 0, MPE_RNE, 1, 0);
    float d = fbits(mpe_f32_mul(dec32(MPE_FMT_UE4M3, sb), st));
    if (d == 0.0f)
        return sb;
    for (int i = 0; i < n; i++)
        codes[i] = (uint16_t)mpe_fp_from_float(MPE_FMT_E2M1, v[i] / d, 0, r, 1, 0);
    return sb;
}

uint32_t mpe_nvfp4_dequant(uint16_t code, uint8_t sb, uint32_t st)
{
    uint32_t p = mpe_f32_mul(dec32(MPE_FMT_E2M1, code), dec32(MPE_FMT_UE4M3, sb));
    return mpe_f32_mul(p, st);
}
