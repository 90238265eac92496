/* Number formats: the format table (formats.def), exact decode, and encode
 * with one rounding from an exact value. All arithmetic is integer; nothing
 * here depends on the host's floating-point rounding mode.
 * docs/numerics.md section 2 is the specification of this file. */
#ifndef MPE_FORMAT_H
#define MPE_FORMAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    MPE_SPECIAL_IEEE,
    MPE_SPECIAL_E4M3,
    MPE_SPECIAL_NONE,
    MPE_SPECIAL_E8M0,
    MPE_SPECIAL_UE4M3
};

typedef enum {
#define X(id, name, bits, ebits, mbits, bias, special, emax) MPE_FMT_##id,
#include "formats.def"
#undef X
    MPE_FMT_COUNT
} mpe_fmt;

typedef struct {
    const char *name;
    uint8_t bits, ebits, mbits;
    int16_t bias;
    uint8_t special;
    int16_t emax_elem;
} mpe_fmt_info;

/* Rounding of a value that falls between two representable numbers. */
typedef enum {
    MPE_RNE = 0, /* round to nearest, ties to even (default everywhere) */
    MPE_RNA = 1  /* round to nearest, ties away from zero */
} mpe_round;

/* Exception flags reported by encoders (or-ed). */
enum {
    MPE_FLAG_INEXACT = 1,
    MPE_FLAG_OVERFLOW = 2,  /* saturated, or became inf/NaN */
    MPE_FLAG_UNDERFLOW = 4, /* tiny and inexact */
    MPE_FLAG_INVALID = 8    /* NaN into a format without NaN */
};

/* An exact value: (-1)^sign * mant * 2^exp, or a special class. */
typedef enum { MPE_XV_ZERO, MPE_XV_FINITE, MPE_XV_INF, MPE_XV_NAN } mpe_xv_class;
typedef struct {
    mpe_xv_class cls;
    int sign;
    uint64_t mant;
    int exp;
} mpe_xval;

const mpe_fmt_info *mpe_fmt_get(mpe_fmt f);
/* Looks a format up by its table name ("fp8_e4m3"); returns 0 on success. */
int mpe_fmt_by_name(const char *name, mpe_fmt *out);

/* Exact decode of a code (low `bits` bits are used). */
mpe_xval mpe_fp_unpack(mpe_fmt f, uint32_t code);
double mpe_fp_decode(mpe_fmt f, uint32_t code);
/* Largest finite magnitude of a format, and its code (positive). */
double mpe_fp_max(mpe_fmt f);
uint32_t mpe_fp_max_code(mpe_fmt f);
/* Canonical NaN code of the format (sign 0); 0 for formats without NaN. */
uint32_t mpe_fp_nan_code(mpe_fmt f);
int mpe_fp_is_nan(mpe_fmt f, uint32_t code);
int mpe_fp_is_inf(mpe_fmt f, uint32_t code);

/* Encodes the exact value v with one rounding.
 * saturate != 0: overflow gives +-max finite; otherwise IEEE formats give
 * +-inf, E4M3 gives NaN, and formats without inf/NaN saturate anyway. */
uint32_t mpe_fp_encode(mpe_fmt f, mpe_xval v, mpe_round r, int saturate,
                       unsigned *flags);
/* Encodes x * 2^exp_shift (exact scaling, one rounding). */
uint32_t mpe_fp_from_float(mpe_fmt f, float x, int exp_shift, mpe_round r,
                           int saturate, unsigned *flags);
uint32_t mpe_fp_from_double(mpe_fmt f, double x, int exp_shift, mpe_round r,
                            int saturate, unsigned *flags);

/* Exact value of a host float/double (no rounding). */
mpe_xval mpe_xval_from_float(float x);
mpe_xval mpe_xval_from_double(double x);
/* Exact value of a signed 128-bit integer times 2^exp; values wider than
 * 64 bits are narrowed with a sticky bit, which keeps every later rounding
 * to <= 62 significant bits exact. */
mpe_xval mpe_xval_from_i128(__int128 v, int exp);

/* Bit-level helpers shared by every module. */
static inline uint32_t mpe_f32_bits(float x)
{
    union { float f; uint32_t u; } c;
    c.f = x;
    return c.u;
}
static inline float mpe_f32_from_bits(uint32_t u)
{
    union { float f; uint32_t u; } c;
    c.u = u;
    return c.f;
}
/* Sign-extends the low `bits` bits of v. */
static inline int64_t mpe_sext(uint64_t v, unsigned bits)
{
    uint64_t m = (bits >= 64) ? ~0ull : ((1ull << bits) - 1);
    uint64_t s = 1ull << (bits - 1);
    v &= m;
    return (int64_t)((v ^ s) - s);
}

#ifdef __cplusplus
}
#endif
#endif
