/* Bit-exact FP32 arithmetic on raw bit patterns, integer-only, round to
 * nearest even, canonical NaN 0x7FC00000. This is the arithmetic of the PE's
 * FP32 accumulator and of the output stage (docs/numerics.md section 4). */
#ifndef MPE_FP32_H
#define MPE_FP32_H

#include <stdint.h>
#include "mpe/format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_F32_QNAN 0x7FC00000u
#define MPE_F32_PINF 0x7F800000u
#define MPE_F32_NINF 0xFF800000u

/* RNE(v * 2^exp) as FP32 bits. v == 0 gives +0. */
uint32_t mpe_f32_from_int(__int128 v, int exp);
/* IEEE 754 binary32 addition and multiplication, RNE. */
uint32_t mpe_f32_add(uint32_t a, uint32_t b);
uint32_t mpe_f32_mul(uint32_t a, uint32_t b);
/* FP32 -> FP16 / BF16 with RNE (IEEE overflow to inf, NaN kept quiet). */
uint16_t mpe_f32_to_f16(uint32_t a);
uint16_t mpe_f32_to_bf16(uint32_t a);

/* Rounds exact (v * m * 2^exp) to an integer with rounding r, saturating
 * to [lo, hi]. Used by requantization: v the accumulator, m*2^exp the
 * FP32 multiplier. Returns the saturated integer. */
int64_t mpe_round_scaled(int64_t v, uint32_t m, int exp, mpe_round r,
                         int64_t lo, int64_t hi);
/* Splits finite FP32 bits into sign, 24-bit integer mantissa, exponent:
 * value = (-1)^sign * mant * 2^exp. Returns 0 for finite, -1 otherwise. */
int mpe_f32_split(uint32_t a, int *sign, uint32_t *mant, int *exp);

#ifdef __cplusplus
}
#endif
#endif
