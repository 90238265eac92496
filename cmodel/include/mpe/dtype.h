/* Operand element types of the PE and the quantizers (docs/numerics.md 2). */
#ifndef MPE_DTYPE_H
#define MPE_DTYPE_H

#include <stdint.h>
#include "mpe/format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MPE_DT_INT,     /* two's complement, bits 1..16 */
    MPE_DT_UINT,    /* unsigned, bits 1..16 */
    MPE_DT_BINARY,  /* 1 bit, b -> 2b-1 */
    MPE_DT_TERNARY, /* 2 bits, two's complement of {-1,0,1}; 0b10 -> -1 */
    MPE_DT_POW2,    /* 4 bits: sign, 3-bit exponent code; e=0 -> 0 else +-2^(e-1) */
    MPE_DT_BFPINT,  /* signed mantissa of `bits` (4..8), implicit 2^-(bits-2) */
    MPE_DT_FP       /* floating-point element, format `fmt` */
} mpe_dtkind;

typedef struct {
    uint8_t kind; /* mpe_dtkind */
    uint8_t bits; /* storage bits of one code */
    uint8_t fmt;  /* mpe_fmt when kind == MPE_DT_FP */
} mpe_dtype;

/* Constructors; they fill `bits` from the kind or the format table. */
mpe_dtype mpe_dt_int(int bits);
mpe_dtype mpe_dt_uint(int bits);
mpe_dtype mpe_dt_binary(void);
mpe_dtype mpe_dt_ternary(void);
mpe_dtype mpe_dt_pow2(void);
mpe_dtype mpe_dt_bfpint(int bits);
mpe_dtype mpe_dt_fp(mpe_fmt f);

/* Nonzero when the type decodes to an integer (every kind but FP and BFPINT
 * is an integer; BFPINT mantissas are integers with an implicit scale). */
int mpe_dt_is_integer(mpe_dtype t);
/* Integer value of a code for INT/UINT/BINARY/TERNARY/POW2/BFPINT (mantissa). */
int32_t mpe_dt_int_value(mpe_dtype t, uint32_t code);
/* Mask of the valid code bits. */
static inline uint32_t mpe_dt_mask(mpe_dtype t)
{
    return t.bits >= 32 ? 0xFFFFFFFFu : ((1u << t.bits) - 1);
}
/* Human-readable name ("int4", "fp8_e4m3", "bfpint8"); static storage. */
const char *mpe_dt_name(mpe_dtype t);
/* Parses a name as printed by mpe_dt_name; 0 on success. */
int mpe_dt_parse(const char *name, mpe_dtype *out);

#ifdef __cplusplus
}
#endif
#endif
