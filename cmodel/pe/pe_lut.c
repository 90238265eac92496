/* LUT mode (docs/numerics.md 5.1). The activations of each group of four
 * lanes build an 8-entry half table in the op's first cycle; then one weight
 * bit-plane per cycle forms, per column and group, the 4-bit index from the
 * four lanes' plane bits and looks the table up by symmetry. The plane sums
 * are shifted into the column's twice-dot, the last plane adds the
 * correction term, and half of the (even) twice-dot enters the int48
 * accumulator. Also the lossy int8-table variant mpe_lut_dot_q8. */
#include "pe_int.h"

#include <float.h>

_Static_assert(FLT_EVAL_METHOD == 0, "FP32 expressions must be evaluated in FP32");

#define LUT_MAX_GROUPS (MPE_PE_MAX_LANES / 4)

/* The half table of one group of four activations. */
static void lut_half_table(const int32_t *x, int32_t h[8])
{
    /* pair tables p01[b0 + 2 b1] and p23[b2]; b3 = 0, so x3 enters negated */
    const int32_t p01[4] = {-x[0] - x[1], x[0] - x[1], -x[0] + x[1], x[0] + x[1]};
    const int32_t p23[2] = {-x[2] - x[3], x[2] - x[3]};
    for (int k = 0; k < 8; k++)
        h[k] = p01[k & 3] + p23[k >> 2];
}

/* Bit of weight code q in plane i. Ternary has two bipolar planes:
 * a = (q != -1), b = (q == +1), so +1 -> (1,1), 0 -> (1,0), -1 -> (0,0). */
static unsigned plane_bit(mpe_dtype w, uint32_t q, int i)
{
    switch (w.kind) {
    case MPE_DT_BINARY: return q & 1;
    case MPE_DT_TERNARY: return i == 0 ? !(q & 2) : (!(q & 2) && (q & 1));
    default: return (q >> i) & 1;
    }
}

/* Index of group g (lanes 4g..4g+3) in a plane: b0 + 2 b1 + 4 b2 + 8 b3. */
static unsigned group_index(mpe_dtype w, const uint16_t *q, int plane)
{
    unsigned idx = 0;
    for (int j = 0; j < 4; j++)
        idx |= plane_bit(w, q[j], plane) << j;
    return idx;
}

/* The plane's term of the twice-dot: uintB P << i, intB the same but
 * subtracted for the MSB plane, binary P << 1, ternary P. */
static int64_t plane_term(mpe_dtype w, int i, int64_t p)
{
    switch (w.kind) {
    case MPE_DT_BINARY: return pe_shl(p, 1);
    case MPE_DT_TERNARY: return p;
    case MPE_DT_INT: return i == w.bits - 1 ? -pe_shl(p, (unsigned)i) : pe_shl(p, (unsigned)i);
    default: return pe_shl(p, (unsigned)i);
    }
}

/* The correction added with the last plane: uintB (S << B) - S, intB -S. */
static int64_t correction(mpe_dtype w, int64_t s)
{
    if (w.kind == MPE_DT_UINT)
        return pe_shl(s, w.bits) - s;
    if (w.kind == MPE_DT_INT)
        return -s;
    return 0;
}

/* Plane sums P_i = sum_g T_g(idx_i,g) of one column, from half tables h. */
static void plane_sums(const int32_t (*h)[8], int groups, mpe_dtype w,
                       const uint16_t *q, int64_t *p)
{
    int np = mpe_lut_planes(w);
    for (int i = 0; i < np; i++) { /* one plane per cycle */
        p[i] = 0;
        for (int g = 0; g < groups; g++)
            p[i] += pe_lut_lookup(h[g], group_index(w, q + 4 * g, i));
    }
}

static int64_t planes_twice(mpe_dtype w, const int64_t *p)
{
    int64_t t = 0;
    for (int i = 0; i < mpe_lut_planes(w); i++)
        t += plane_term(w, i, p[i]);
    return t;
}

int mpe_pe_lut_op(mpe_pe *pe, const mpe_pe_op *op)
{
    int32_t x[MPE_PE_MAX_LANES], h[LUT_MAX_GROUPS][8];
    int groups = pe->lanes / 4;
    mpe_dtype w = pe->cfg.w;
    int64_t s = 0, p[16];
    mpe_pe_decode_acts(pe, op->a, x);
    for (int g = 0; g < groups; g++) { /* cycle 0: tables */
        lut_half_table(x + 4 * g, h[g]);
        s -= h[g][0]; /* H[0] = -(x0 + x1 + x2 + x3) */
    }
    for (int c = 0; c < pe->cols; c++) {
        plane_sums((const int32_t(*)[8])h, groups, w, op->w + (size_t)c * pe->lanes, p);
        int64_t twice = planes_twice(w, p) + correction(w, s);
        pe->acc[c] = pe_acc_add(pe->acc[c], twice / 2); /* even: exact */
    }
    return mpe_pe_op_cycles(&pe->cfg, 0, pe->lut_ppc);
}

/* ------------------------------------------------ int8 tables (lossy) */

/* clamp(RNE(fp32(h) / scale), -127, 127), one FP32 division. */
static int32_t quant_entry(int32_t h, float scale)
{
    float q = (float)h / scale;
    int sign, exp;
    uint32_t mant;
    mpe_f32_split(mpe_f32_bits(q), &sign, &mant, &exp);
    return (int32_t)mpe_round_scaled(sign ? -(int64_t)mant : (int64_t)mant, 1, exp,
                                     MPE_RNE, -127, 127);
}

static float q8_scale(mpe_dtype a, int K, const uint16_t *x)
{
    int64_t amax = 0;
    for (int g = 0; g < K; g += 4) {
        int64_t s = 0;
        for (int j = 0; j < 4; j++) {
            int32_t v = pe_int_dec(a.kind == MPE_DT_INT, a.bits, x[g + j]);
            s += v < 0 ? -v : v;
        }
        amax = s > amax ? s : amax;
    }
    return amax ? (float)amax / 127.0f : 1.0f; /* amax < 2^19: exact in FP32 */
}

mpe_status mpe_lut_dot_q8(mpe_dtype a, mpe_dtype w, int K, const uint16_t *x,
                          const uint16_t *wc, uint32_t *out, uint32_t *lut_scale)
{
    mpe_pe_cfg cfg = {MPE_MODE_LUT, a, w, 0, 0, 0};
    if (mpe_pe_cfg_types_check(&cfg, NULL, 0) != MPE_OK || K < 4 || K > 65536 || K % 4 ||
        !x || !wc || !out)
        return MPE_ERR_ARG;
    float scale = q8_scale(a, K, x);
    int64_t p[16] = {0}, s = 0;
    for (int g = 0; g < K; g += 4) {
        int32_t v[4], h[1][8];
        int64_t pq[16];
        for (int j = 0; j < 4; j++)
            v[j] = pe_int_dec(a.kind == MPE_DT_INT, a.bits, x[g + j]);
        lut_half_table(v, h[0]);
        s -= h[0][0];
        for (int k = 0; k < 8; k++)
            h[0][k] = quant_entry(h[0][k], scale);
        plane_sums((const int32_t(*)[8])h, 1, w, wc + g, pq);
        for (int i = 0; i < mpe_lut_planes(w); i++)
            p[i] += pq[i];
    }
    uint32_t sb = mpe_f32_bits(scale);
    uint32_t y = mpe_f32_mul(sb, mpe_f32_from_int(planes_twice(w, p), 0));
    y = mpe_f32_add(y, mpe_f32_from_int(correction(w, s), 0));
    *out = mpe_f32_mul(y, 0x3F000000u); /* halving */
    if (lut_scale)
        *lut_scale = sb;
    return MPE_OK;
}
