/* Quantizers: float32 tensors to codes plus scale data, and back.
 * docs/numerics.md section 3 is the specification of this file.
 *
 * Formats (one table in quant_spec.c; `mpe quant --help` prints it):
 *   int2..int8 (symmetric), uint2..uint8 (asymmetric), ternary, pow2:
 *       FP32 scale per tensor, per channel (axis) or per group of the last
 *       axis (16..256); uintN also a uint8 zero point per scale.
 *   mxint8, mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3, mxfp4:
 *       OCP MX v1.0, e8m0 scale per block of 32.
 *   nvfp4: E2M1, ue4m3 scale per 16, FP32 tensor scale.
 *   bfp16, bfp12: 8-/4-bit mantissas, 8-bit shared exponent per block (8..64).
 *   fp16, bf16: element-wise.
 * Blocks and groups run along the last axis and never cross a row. */
#ifndef MPE_QUANT_H
#define MPE_QUANT_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/dtype.h"
#include "mpe/format.h"
#include "mpe/status.h"
#include "mpe/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MPE_QK_INT,     /* intN symmetric, FP32 scale */
    MPE_QK_UINT,    /* uintN asymmetric, FP32 scale + zero point */
    MPE_QK_TERNARY, /* absmean ternary, FP32 scale */
    MPE_QK_POW2,    /* sign + power of two, FP32 scale */
    MPE_QK_MX,      /* OCP MX: e8m0 scale per 32 */
    MPE_QK_NVFP4,   /* E2M1, ue4m3 per 16, FP32 tensor scale */
    MPE_QK_BFP,     /* classic BFP: 8-bit shared exponent, bfpint mantissas */
    MPE_QK_FLOAT    /* fp16 / bf16 element-wise */
} mpe_qkind;

/* What to quantize to and how. */
typedef struct {
    uint8_t kind;   /* mpe_qkind */
    uint8_t round;  /* mpe_round: RNE (default) or RNA */
    mpe_dtype elem; /* element code type (int4, bfpint8, fp8_e4m3, ...) */
    int32_t group;  /* block/group along the last axis; 0 = none */
    int32_t axis;   /* per-channel axis (integer family), -1 = none */
} mpe_qspec;

/* One row of the format table. */
typedef struct {
    const char *name;  /* "int4", "mxfp4", ... */
    uint8_t kind;      /* mpe_qkind */
    mpe_dtype elem;
    int16_t group_def; /* default block/group, 0 = none */
    int16_t group_min; /* allowed --group range; min == max: fixed */
    int16_t group_max;
    uint8_t axis_ok;   /* per-channel scales allowed */
    const char *summary;
} mpe_qformat;

/* Number of formats and the i-th format (NULL past the end). */
int mpe_qformat_count(void);
const mpe_qformat *mpe_qformat_at(int i);
const mpe_qformat *mpe_qformat_find(const char *name);
/* Fills *s with the format's defaults (RNE, default group, no axis). */
mpe_status mpe_qspec_parse(const char *name, mpe_qspec *s);
/* Name of the spec's format ("int4"); "?" when not in the table. */
const char *mpe_qspec_name(const mpe_qspec *s);
/* Checks a spec against a tensor shape: group range, axis, last axis a
 * multiple of the block. MPE_OK or an error with a one-line reason. */
mpe_status mpe_qspec_check(const mpe_qspec *s, int ndim, const int64_t *dims,
                           char *err, size_t errlen);

/* A quantized tensor. Codes are in the low bits of a uint16_t each.
 * scales[] holds FP32 bits (integer family) or e8m0 / ue4m3 codes
 * (MX, BFP, NVFP4); element i uses scales[mpe_qt_scale_index(q, i)]. */
typedef struct {
    mpe_qspec spec;
    int ndim;
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    size_t count;
    uint16_t *codes;
    size_t nscales;
    uint32_t *scales;
    uint8_t *zero_points; /* uintN only (else NULL), one per scale */
    uint32_t tensor_scale; /* NVFP4 FP32 tensor scale bits, else 1.0f */
} mpe_qtensor;

/* Allocates a zeroed quantized tensor for spec and shape (checked). */
mpe_status mpe_qt_alloc(mpe_qtensor *q, const mpe_qspec *s, int ndim,
                        const int64_t *dims, char *err, size_t errlen);
void mpe_qt_free(mpe_qtensor *q);
/* Index into scales[] of element i (C order). */
size_t mpe_qt_scale_index(const mpe_qtensor *q, size_t i);

/* Quantizes x (count = product of dims) into *q (allocated here).
 * Errors: bad spec/shape, and non-finite input for the integer family
 * (MX, BFP, NVFP4 and fp16/bf16 define NaN/inf handling). */
mpe_status mpe_quantize(const mpe_qspec *s, const float *x, int ndim,
                        const int64_t *dims, mpe_qtensor *q, char *err,
                        size_t errlen);
/* Dequantizes every element into y[count] (FP32, section 3). */
mpe_status mpe_dequantize(const mpe_qtensor *q, float *y);
/* FP32 bits of element i's dequantized value. */
uint32_t mpe_qt_dequant_elem(const mpe_qtensor *q, size_t i);

/* ---- building blocks (used above, exported for tests and the compiler) --- */

/* ONNX QuantizeLinear of one value: clamp(round(x / scale) + zp, qmin, qmax)
 * with x / scale an FP32 division. NaN gives clamp(zp). */
int32_t mpe_q_linear(float x, float scale, int32_t zp, int32_t qmin,
                     int32_t qmax, mpe_round r);
/* ONNX DequantizeLinear: (q - zp) * scale in FP32; returns FP32 bits. */
uint32_t mpe_dq_linear(int32_t q, int32_t zp, float scale);
/* Rounds a float to an integer and clamps to [lo, hi]; NaN gives 0 clamped. */
int64_t mpe_q_round_f32(float v, mpe_round r, int64_t lo, int64_t hi);
/* floor(log2(|x|)) read from the FP32 bits (x finite, non-zero). */
int mpe_q_floor_log2(uint32_t fbits);

/* Integer-family slice statistics, accumulated in index order
 * (section 3.1): largest |x|, min(0, min x), max(0, max x), FP32 sum of |x|. */
typedef struct {
    float amax, min, max;
    uint32_t abssum; /* FP32 bits */
    size_t n;
} mpe_qstats;
void mpe_qstats_init(mpe_qstats *st);
void mpe_qstats_add(mpe_qstats *st, float x);
/* Scale (FP32 bits) and zero point of a slice. */
typedef struct {
    uint32_t scale;
    int32_t zp;
} mpe_qparams;
mpe_qparams mpe_q_int_params(const mpe_qspec *s, const mpe_qstats *st);
/* Code of one finite value with the slice's parameters. */
uint16_t mpe_q_int_code(const mpe_qspec *s, mpe_qparams p, float x);
/* Dequantized FP32 bits of an integer-family code. */
uint32_t mpe_q_int_dequant(const mpe_qspec *s, mpe_qparams p, uint16_t code);

/* One MX block (n values, the spec uses 32): returns the e8m0 scale code
 * and writes n element codes (elem: bfpint8 for mxint8, or an fp format). */
uint8_t mpe_mx_block(mpe_dtype elem, const float *v, int n, mpe_round r,
                     uint16_t *codes);
/* One classic BFP block, mantissas of `mbits` (4..8) bits; returns the
 * shared exponent code E. With mbits 8 this is the MXINT8 rule. */
uint8_t mpe_bfp_block(int mbits, const float *v, int n, mpe_round r,
                      uint16_t *codes);
/* Exact value of a block element: dec(code) * 2^(scale - 127) rounded once
 * to FP32; scale 0xFF gives NaN. Returns FP32 bits. */
uint32_t mpe_mx_dequant(mpe_dtype elem, uint16_t code, uint8_t scale);

/* NVFP4 (section 3.3). The tensor scale from the amax of the finite
 * elements; one block of 16 (returns the ue4m3 code); one element. */
uint32_t mpe_nvfp4_tensor_scale(const float *x, size_t n);
uint8_t mpe_nvfp4_block(const float *v, int n, uint32_t st, mpe_round r,
                        uint16_t *codes);
uint32_t mpe_nvfp4_dequant(uint16_t code, uint8_t sb, uint32_t st);

#ifdef __cplusplus
}
#endif
#endif
