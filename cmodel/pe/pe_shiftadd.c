/* Shift-add mode (docs/numerics.md 5.2). Lane products without a
 * multiplier: a pow2 weight is one shift (and a sign), an intB/uintB weight
 * adds x << i for every set bit i (the bit B-1 term subtracted for intB).
 * Without groups the lane products go into the int48 accumulator. With
 * groups the exact group sums P_g = sum q x and S_g = sum x are closed into
 * the FP32 accumulator: v = P_g - z_g S_g, value = int_to_f32(v * m_s, e_s)
 * for the FP16 scale (-1)^sign m_s 2^e_s, then one FP32 addition. */
#include "pe_int.h"

/* x * q by shifts and adds. */
static int64_t sa_product(mpe_dtype w, int32_t x, uint32_t q)
{
    if (w.kind == MPE_DT_POW2) {
        unsigned e = q & 7;
        int64_t p = e ? pe_shl(x, e - 1) : 0;
        return (q & 8) ? -p : p;
    }
    int64_t p = 0;
    for (unsigned i = 0; i < w.bits; i++)
        if ((q >> i) & 1) {
            int64_t t = pe_shl(x, i);
            p = (w.kind == MPE_DT_INT && i == w.bits - 1u) ? p - t : p + t;
        }
    return p;
}

/* Sum of the lane products of lanes [lo, hi) of one column. */
static int64_t lane_sum(const mpe_pe *pe, const int32_t *x, const uint16_t *w, int lo,
                        int hi)
{
    int64_t s = 0;
    for (int k = lo; k < hi; k++)
        s += sa_product(pe->cfg.w, x[k], w[k]);
    return s;
}

uint32_t mpe_pe_sa_group_value(int64_t v, uint16_t scale)
{
    mpe_xval s = mpe_fp_unpack(MPE_FMT_FP16, scale);
    if (s.cls == MPE_XV_NAN)
        return MPE_F32_QNAN;
    if (s.cls == MPE_XV_INF) {
        if (v == 0)
            return MPE_F32_QNAN;
        return ((v < 0) ^ s.sign) ? MPE_F32_NINF : MPE_F32_PINF;
    }
    __int128 vm = (__int128)v * (__int128)s.mant; /* zero scale: mant 0 */
    return mpe_f32_from_int(s.sign ? -vm : vm, s.exp);
}

/* Closes the open group of column c with the op's slot `slot`. */
static void close_group(mpe_pe *pe, const mpe_pe_op *op, int c, int slot)
{
    int slots = mpe_pe_scale_slots(&pe->cfg, pe->lanes);
    int64_t z = op->w_zero ? op->w_zero[c * slots + slot] : 0;
    int64_t v = (int64_t)pe->gacc[c] - z * pe->gsum;
    uint32_t val = mpe_pe_sa_group_value(v, op->w_scale[c * slots + slot]);
    pe->facc[c] = mpe_f32_add(pe->facc[c], val);
    pe->gacc[c] = 0;
}

static void grouped_op(mpe_pe *pe, const mpe_pe_op *op, const int32_t *x,
                       const pe_seg *seg, int nseg)
{
    for (int i = 0; i < nseg; i++) { /* one closing group per cycle */
        for (int k = seg[i].lo; k < seg[i].hi; k++)
            pe->gsum += x[k];
        for (int c = 0; c < pe->cols; c++) {
            const uint16_t *w = op->w + (size_t)c * pe->lanes;
            pe->gacc[c] += lane_sum(pe, x, w, seg[i].lo, seg[i].hi);
            if (seg[i].close)
                close_group(pe, op, c, seg[i].slot);
        }
        if (seg[i].close)
            pe->gsum = 0;
    }
}

int mpe_pe_sa_op(mpe_pe *pe, const mpe_pe_op *op)
{
    int32_t x[MPE_PE_MAX_LANES];
    pe_seg seg[MPE_PE_MAX_LANES];
    mpe_pe_decode_acts(pe, op->a, x);
    if (pe->cfg.group == 0) {
        for (int c = 0; c < pe->cols; c++) {
            const uint16_t *w = op->w + (size_t)c * pe->lanes;
            pe->acc[c] = pe_acc_add(pe->acc[c], lane_sum(pe, x, w, 0, pe->lanes));
        }
        return 1;
    }
    int nseg = mpe_pe_segments(pe, seg);
    grouped_op(pe, op, x, seg, nseg);
    return mpe_pe_op_cycles(&pe->cfg, seg[0].close ? nseg : 0, pe->lut_ppc);
}
