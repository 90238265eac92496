/* The output stage: bias, requantization, activation clamp and output format
 * conversion of one accumulator (int48 or FP32) into one output code.
 * docs/numerics.md section 6 is the specification of this file; the
 * requantization kinds (MPE_RQ_*) and output formats (MPE_OUT_*) are the
 * ISA's (mpe/isa.h, field kinds E_RQ and E_OUT of `cfgout`). */
#ifndef MPE_OUTSTAGE_H
#define MPE_OUTSTAGE_H

#include <stdint.h>
#include "mpe/isa.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One output element's configuration. The first group is per layer (the
 * `cfgout` instruction); the second is per output column (the 16-byte PSP
 * record of docs/isa.md section 3): per-channel arrays are the caller's, who
 * fills the struct for the column at hand. */
typedef struct {
    uint8_t rq;       /* MPE_RQ_NONE, MPE_RQ_FLOAT, MPE_RQ_DYADIC */
    uint8_t out;      /* MPE_OUT_* */
    uint8_t has_bias; /* add `bias` before requantization */
    uint8_t relu;     /* float outputs: ReLU on the FP32 value */
    int32_t lo, hi;   /* integer outputs: clamp, intersected with the format range */
    /* per column */
    uint32_t bias;    /* int32 (two's complement bits), or FP32 bits for an FP32 acc */
    uint32_t mult;    /* MPE_RQ_FLOAT: FP32 bits of M; MPE_RQ_DYADIC: Q31 M0 (int32 bits) */
    int32_t shift;    /* MPE_RQ_DYADIC: right shift, -31..31 (negative: left shift) */
    int32_t zp;       /* integer outputs: zero point, inside the format's range */
} mpe_outcfg;

/* Output format properties. */
int mpe_out_is_float(int out);       /* FP16, BF16, FP32 */
int mpe_out_bits(int out);           /* code width: 4, 8, 16 or 32; 0 if unknown */
/* Integer range of an integer output format; MPE_ERR_ARG for float/unknown. */
mpe_status mpe_out_range(int out, int64_t *qmin, int64_t *qmax);
const char *mpe_out_name(int out);   /* "int8", "fp16", ...; "?" if unknown */

/* A configuration with no bias, no clamp, zero point 0 and M = 1.0 (FP32). */
mpe_outcfg mpe_outcfg_default(int rq, int out);
/* Validates cfg for an integer (acc_is_float = 0) or FP32 accumulator:
 * known rq/out, rq dyadic only from the integer accumulator into an integer
 * format, shift in -31..31, zp inside the format's range, lo <= hi.
 * `msg` (may be NULL) receives a one-line reason. */
mpe_status mpe_outcfg_check(const mpe_outcfg *cfg, int acc_is_float, char *msg,
                            unsigned msglen);

/* The two entry points. The result is the output code in the low bits
 * (mpe_out_bits) of the return value. acc is an int48 accumulator
 * sign-extended to 64 bits (only its low 48 bits are read); acc_f32 is FP32
 * bits. A configuration rejected by mpe_outcfg_check gives an unspecified
 * code (never undefined behaviour). */
uint32_t mpe_out_from_int(const mpe_outcfg *cfg, int64_t acc);
uint32_t mpe_out_from_f32(const mpe_outcfg *cfg, uint32_t acc_f32);
/* Whether the FP32-accumulator path gives the integer path's code for every
 * integer accumulator value v in [vlo, vhi] (|v| <= 2^24, so that the FP32
 * accumulator can hold v exactly): mpe_out_from_f32(cfg, fp32(v)) ==
 * mpe_out_from_int(cfg, v), bias off (cfg->has_bias is ignored: v is the
 * biased value). 1: yes for every v; 0: no, *witness = a v where they differ;
 * -1: not decided (a range outside 2^24, or, for rq float into an integer
 * format, products beyond 2^22 or a non-finite multiplier over more than
 * 2^22 values). docs/numerics.md section 6, "FP32 accumulators holding
 * integers". */
int mpe_out_f32_int_agree(const mpe_outcfg *cfg, int64_t vlo, int64_t vhi, int64_t *witness);

/* ---- activation bounds (for the compiler) -------------------------------- */
typedef enum { MPE_ACT_NONE, MPE_ACT_RELU, MPE_ACT_RELU6 } mpe_act;
/* Integer clamp for an integer output with zero point zp and FP32 scale
 * y_scale (bits): none -> the format range; ReLU -> lo = zp; ReLU6 -> also
 * hi = sat(zp + RNE(6 / y_scale)) (one FP32 division). MPE_ERR_ARG for a float
 * output, a non-positive or non-finite y_scale, or zp outside the range. */
mpe_status mpe_out_act_bounds(mpe_act act, int out, int32_t zp, uint32_t y_scale,
                              int32_t *lo, int32_t *hi);

/* ---- requantization primitives (cmodel/numerics/requant.c) ------------------------ */
/* ONNX multiplier M = fp32(fp32(a_scale * b_scale) / y_scale), two IEEE
 * binary32 operations in that order (as the ONNX reference evaluates
 * `a_scale * b_scale / y_scale` on float32 tensors). Returns FP32 bits. */
uint32_t mpe_rq_float_multiplier(uint32_t a_scale, uint32_t b_scale, uint32_t y_scale);
/* Exact requantization of an integer: sat(RNE(v * M) + zp) into [qmin, qmax],
 * with M FP32 bits (v * M exact, one rounding). NaN M, or inf M with v = 0,
 * gives zp (clamped); inf M saturates by the sign of v * M. */
int64_t mpe_rq_float(int64_t v, uint32_t m_f32, int32_t zp, int64_t qmin, int64_t qmax);
/* FP32 value to integer: sat(RNE(x) + zp); NaN gives zp (clamped), +-inf
 * saturates. */
int64_t mpe_rq_f32_to_int(uint32_t x, int32_t zp, int64_t qmin, int64_t qmax);

/* gemmlowp fixed point. (a*b + nudge) / 2^31 with C truncating division,
 * nudge 2^30 if a*b >= 0 else 1 - 2^30; INT32_MIN * INT32_MIN gives INT32_MAX. */
int32_t mpe_srdhm(int32_t a, int32_t b);
/* x / 2^exponent rounded to nearest, ties away from zero (exponent 0..31;
 * values outside are clamped to that range). */
int32_t mpe_rdbpot(int32_t x, int exponent);
/* Dyadic requantization of an accumulator (any int64): saturate to int32,
 * left shift by -shift with saturation if shift < 0, SRDHM by m0, RDBPOT by
 * shift if shift > 0, then + zp and saturate to [qmin, qmax]. shift is
 * clamped to -31..31. */
int64_t mpe_rq_dyadic(int64_t acc, int32_t m0, int shift, int32_t zp,
                      int64_t qmin, int64_t qmax);
/* Real multiplier -> (m0, shift) with real ~= m0 * 2^(-31 - shift), as
 * TFLite's QuantizeMultiplier (frexp, Q31 mantissa rounded half away from
 * zero, a carry to 2^31 renormalized) but with this file's shift sign
 * (positive = right shift; TFLite's shift is -shift). Computed from the bits
 * of the double, independent of the rounding mode. 0 gives (0, 0); a
 * multiplier below 2^-32 flushes to (0, 0) as in TFLite. MPE_ERR_RANGE for
 * negative, NaN, inf, or multipliers >= 2^31 (shift < -31). */
mpe_status mpe_rq_quantize_multiplier(double real, int32_t *m0, int *shift);
mpe_status mpe_rq_quantize_multiplier_f32(uint32_t real_f32, int32_t *m0, int *shift);

#ifdef __cplusplus
}
#endif
#endif
