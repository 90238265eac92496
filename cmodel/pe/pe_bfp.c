/* BFP mode (docs/numerics.md 5.3). Each element (fp8/fp6/fp4 or a bfpint
 * mantissa) is decoded to sign, integer mantissa and exponent offset above
 * its format's least significant bit L. Per lane the mantissa product is
 * shifted by the summed offsets into the exact block integer
 * D = sum (-1)^(sa^sw) (ma mw) << (ea + ew) (special flags or-ed). When a
 * block closes, D is scaled by the two block scales (e8m0 exponents, or the
 * exact ue4m3 mantissas and exponents), converted to FP32 once and added to
 * the FP32 accumulator. */
#include "pe_int.h"

/* Exponent of the least significant bit of an element type (fp: the
 * minimum subnormal exponent; bfpint b: -(b-2)). */
static int bfp_lsb(mpe_dtype t)
{
    if (t.kind == MPE_DT_BFPINT)
        return 2 - t.bits;
    const mpe_fmt_info *fi = mpe_fmt_get((mpe_fmt)t.fmt);
    return 1 - fi->bias - fi->mbits;
}

pe_elem mpe_pe_bfp_decode(mpe_dtype t, uint32_t code)
{
    pe_elem e = {0, 0, 0, 0, 0};
    if (t.kind == MPE_DT_BFPINT) {
        int32_t v = mpe_dt_int_value(t, code);
        e.sign = v < 0;
        e.mant = (uint32_t)(v < 0 ? -v : v);
        return e;
    }
    mpe_xval x = mpe_fp_unpack((mpe_fmt)t.fmt, code);
    e.sign = (uint8_t)x.sign;
    e.nan = x.cls == MPE_XV_NAN;
    e.inf = x.cls == MPE_XV_INF;
    if (x.cls == MPE_XV_FINITE) {
        e.mant = (uint32_t)x.mant;
        e.eoff = (uint8_t)(x.exp - bfp_lsb(t));
    }
    return e;
}

pe_scale mpe_pe_bfp_scale(mpe_fmt f, unsigned code)
{
    mpe_xval x = mpe_fp_unpack(f, code & 0xFF); /* the low byte carries the code */
    pe_scale s = {x.cls == MPE_XV_NAN, 0, 0};
    if (x.cls == MPE_XV_FINITE) {
        s.mant = (uint8_t)x.mant;
        s.exp = (int16_t)x.exp;
    }
    return s;
}

uint32_t mpe_pe_bfp_block_value(const mpe_pe_cfg *cfg, __int128 d, unsigned spec, pe_scale sa,
                            pe_scale sw)
{
    if (sa.nan || sw.nan || (spec & 1) || (spec & 6) == 6)
        return MPE_F32_QNAN;
    if (spec & 2)
        return MPE_F32_PINF; /* the scales multiply finite sums only */
    if (spec & 4)
        return MPE_F32_NINF;
    __int128 v = d * sa.mant * sw.mant;
    int e = bfp_lsb(cfg->a) + bfp_lsb(cfg->w) + sa.exp + sw.exp;
    return mpe_f32_from_int(v, e);
}

/* ---- decode tables of the op's types (derived data kept in the PE) */

static uint32_t elem_pack(pe_elem e)
{
    return e.sign | (uint32_t)e.nan << 1 | (uint32_t)e.inf << 2 | (uint32_t)e.eoff << 3 |
           e.mant << 8;
}

static pe_elem elem_unpack(uint32_t v)
{
    pe_elem e = {v & 1, (v >> 1) & 1, (v >> 2) & 1, (v >> 3) & 31, v >> 8};
    return e;
}

static uint32_t scale_pack(pe_scale s)
{
    return s.nan | (uint32_t)s.mant << 1 | (uint32_t)(s.exp + 512) << 8;
}

static pe_scale scale_unpack(uint32_t v)
{
    pe_scale s = {v & 1, (v >> 1) & 127, (int16_t)((int)(v >> 8) - 512)};
    return s;
}

static void ensure_tables(mpe_pe *pe)
{
    for (int i = 0; i < 3; i++) {
        mpe_dtype t = i == 0 ? pe->cfg.a : i == 1 ? pe->cfg.w
                                                  : mpe_dt_fp((mpe_fmt)pe->cfg.scale_fmt);
        mpe_dtype *have = &pe->dec_type[i];
        if (have->kind == t.kind && have->bits == t.bits && have->fmt == t.fmt)
            continue;
        for (uint32_t c = 0; c < (1u << t.bits); c++)
            pe->dec[i][c] = i < 2 ? elem_pack(mpe_pe_bfp_decode(t, c))
                                  : scale_pack(mpe_pe_bfp_scale((mpe_fmt)t.fmt, c));
        *have = t;
    }
}

/* ---- the op */

/* Lanes [lo, hi) of column c into the open block; closes it when asked. */
static void block_segment(mpe_pe *pe, const mpe_pe_op *op, const pe_elem *ea, int c,
                          const pe_seg *sg)
{
    const uint16_t *w = op->w + (size_t)c * pe->lanes;
    uint32_t mask = mpe_dt_mask(pe->cfg.w);
    for (int k = sg->lo; k < sg->hi; k++)
        pe->gspec[c] |= (uint8_t)pe_bfp_lane(ea[k], elem_unpack(pe->dec[1][w[k] & mask]),
                                             &pe->gacc[c]);
    if (!sg->close)
        return;
    int slots = mpe_pe_scale_slots(&pe->cfg, pe->lanes);
    pe_scale sa = scale_unpack(pe->dec[2][op->a_scale[sg->slot] & 0xFF]);
    pe_scale sw = scale_unpack(pe->dec[2][op->w_scale[c * slots + sg->slot] & 0xFF]);
    uint32_t v = mpe_pe_bfp_block_value(&pe->cfg, pe->gacc[c], pe->gspec[c], sa, sw);
    pe->facc[c] = mpe_f32_add(pe->facc[c], v);
    pe->gacc[c] = 0;
    pe->gspec[c] = 0;
}

int mpe_pe_bfp_op(mpe_pe *pe, const mpe_pe_op *op)
{
    pe_elem ea[MPE_PE_MAX_LANES];
    pe_seg seg[MPE_PE_MAX_LANES];
    uint32_t mask = mpe_dt_mask(pe->cfg.a);
    ensure_tables(pe);
    for (int k = 0; k < pe->lanes; k++)
        ea[k] = elem_unpack(pe->dec[0][op->a[k] & mask]);
    int nseg = mpe_pe_segments(pe, seg);
    for (int i = 0; i < nseg; i++) /* one closing block per cycle */
        for (int c = 0; c < pe->cols; c++)
            block_segment(pe, op, ea, c, &seg[i]);
    return mpe_pe_op_cycles(&pe->cfg, seg[0].close ? nseg : 0, pe->lut_ppc);
}
