/* Internals of the PE model shared by cmodel/pe*.c and cmodel/gemm*.c
 * (not part of the installed API). docs/numerics.md section 5. */
#ifndef MPE_PE_INT_H
#define MPE_PE_INT_H

#include <stddef.h>

#include "mpe/format.h"
#include "mpe/fp32.h"
#include "mpe/pe.h"

#define PE_ACC_MASK ((1ull << MPE_ACC_BITS) - 1)

/* ---- pe.c */
/* Operand types and flags of a configuration (no lanes/group shape). */
mpe_status mpe_pe_cfg_types_check(const mpe_pe_cfg *cfg, char *msg, unsigned msglen);

/* v << s on the two's complement bits (defined for negative v). */
static inline int64_t pe_shl(int64_t v, unsigned s)
{
    return (int64_t)((uint64_t)v << s);
}
/* Value of an intN (is_signed) or uintN code; higher code bits ignored. */
static inline int32_t pe_int_dec(int is_signed, unsigned bits, uint32_t code)
{
    if (is_signed)
        return (int32_t)mpe_sext(code, bits);
    return (int32_t)(code & ((1u << bits) - 1));
}
/* Adds v to an int48 accumulator (modulo 2^48). */
static inline uint64_t pe_acc_add(uint64_t acc, int64_t v)
{
    return (acc + (uint64_t)v) & PE_ACC_MASK;
}
/* Decodes the activation codes of an op (intN/uintN) into x[lanes]. */
void mpe_pe_decode_acts(const mpe_pe *pe, const uint16_t *a, int32_t *x);

/* The groups (shift-add) or blocks (bfp) an op touches, in lane order:
 * lanes [lo, hi), the scale slot, and whether the op closes the group. */
typedef struct {
    int lo, hi, slot, close;
} pe_seg;
/* Splits the op into segments and advances pe->gpos; returns the count.
 * group < lanes: lanes/group segments, each closing; otherwise one segment
 * of all lanes, closing when the group's lanes are complete. */
int mpe_pe_segments(mpe_pe *pe, pe_seg *seg);

/* ---- one structural op per mode; each returns the op's cycles */
int mpe_pe_mac_op(mpe_pe *pe, const mpe_pe_op *op);
int mpe_pe_lut_op(mpe_pe *pe, const mpe_pe_op *op);
int mpe_pe_sa_op(mpe_pe *pe, const mpe_pe_op *op);
int mpe_pe_bfp_op(mpe_pe *pe, const mpe_pe_op *op);
int mpe_pe_bs_op(mpe_pe *pe, const mpe_pe_op *op);

/* ---- pe_shiftadd.c: closing a group (shared with the fast path) */
/* FP32 value of a closed group: int_to_f32(v * m_s, e_s) for the FP16
 * scale s = (-1)^sign m_s 2^e_s; inf/NaN scales per docs/numerics.md 5.2. */
uint32_t mpe_pe_sa_group_value(int64_t v, uint16_t scale);

/* ---- pe_bfp.c: element decode and block close (shared with the fast path) */
typedef struct {
    uint8_t sign, nan, inf;
    uint8_t eoff;  /* exponent offset above the format's LSB exponent */
    uint32_t mant; /* integer mantissa magnitude (0 for zero, NaN, inf) */
} pe_elem;
pe_elem mpe_pe_bfp_decode(mpe_dtype t, uint32_t code);
/* Adds one lane's exact product to *d (in units of 2^(La+Lw)) and returns
 * its special flags (1 NaN, 2 +inf, 4 -inf). */
static inline unsigned pe_bfp_lane(pe_elem a, pe_elem w, __int128 *d)
{
    uint64_t prod = ((uint64_t)a.mant * w.mant) << (a.eoff + w.eoff);
    *d += (a.sign ^ w.sign) ? -(__int128)prod : (__int128)prod;
    if (!(a.nan | a.inf | w.nan | w.inf))
        return 0;
    int a_zero = !a.nan && !a.inf && a.mant == 0;
    int w_zero = !w.nan && !w.inf && w.mant == 0;
    int nan = a.nan | w.nan | (a.inf & w_zero) | (w.inf & a_zero);
    if (nan)
        return 1;
    return (a.sign ^ w.sign) ? 4 : 2; /* an inf product */
}
/* A block scale: mant * 2^exp exactly (e8m0: 1 * 2^(c-127); ue4m3 its
 * mantissa and exponent, mant 0 for zero), or NaN. */
typedef struct {
    uint8_t nan, mant;
    int16_t exp;
} pe_scale;
pe_scale mpe_pe_bfp_scale(mpe_fmt f, unsigned code);
/* FP32 value of a closed block: exact D, its special flags, the scales. */
uint32_t mpe_pe_bfp_block_value(const mpe_pe_cfg *cfg, __int128 d, unsigned spec, pe_scale sa,
                            pe_scale sw);

/* ---- pe_lut.c */
/* T(idx) from the half table: idx[3] ? -H[~idx[2:0]] : H[idx[2:0]]. */
static inline int32_t pe_lut_lookup(const int32_t h[8], unsigned idx)
{
    return (idx & 8) ? -h[~idx & 7] : h[idx & 7];
}

#endif
