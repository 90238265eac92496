/* The PE: mode names, configuration checks, init, op dispatch, group
 * segments (docs/numerics.md section 5). The datapath of each mode lives in
 * pe_mac.c, pe_lut.c, pe_shiftadd.c, pe_bfp.c and pe_bitserial.c. */
#include "pe_int.h"
#include "mpe/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const mode_names[MPE_MODE_COUNT] = {"mac", "lut", "shiftadd",
                                                       "bfp", "bitserial"};

const char *mpe_mode_name(mpe_mode m)
{
    return (unsigned)m < MPE_MODE_COUNT ? mode_names[m] : "?";
}

int mpe_mode_parse(const char *name, mpe_mode *out)
{
    for (int i = 0; i < MPE_MODE_COUNT; i++)
        if (name && !strcmp(name, mode_names[i])) {
            *out = (mpe_mode)i;
            return 0;
        }
    return -1;
}

/* ------------------------------------------------------------ checks */

/* intN/uintN with lo <= N <= hi */
static int is_int(mpe_dtype t, int lo, int hi)
{
    return (t.kind == MPE_DT_INT || t.kind == MPE_DT_UINT) && t.bits >= lo &&
           t.bits <= hi;
}

/* A dtype whose fields are consistent (as built by the mpe_dt_* constructors). */
static int dt_valid(mpe_dtype t)
{
    switch (t.kind) {
    case MPE_DT_INT:
    case MPE_DT_UINT: return t.bits >= 1 && t.bits <= 16;
    case MPE_DT_BINARY: return t.bits == 1;
    case MPE_DT_TERNARY: return t.bits == 2;
    case MPE_DT_POW2: return t.bits == 4;
    case MPE_DT_BFPINT: return t.bits >= 4 && t.bits <= 8;
    case MPE_DT_FP:
        return t.fmt < MPE_FMT_COUNT && mpe_fmt_get((mpe_fmt)t.fmt)->bits == t.bits;
    default: return 0;
    }
}

/* BFP element: an fp8/fp6/fp4 format or a bfpint mantissa. */
static int is_bfp_elem(mpe_dtype t)
{
    if (t.kind == MPE_DT_BFPINT)
        return 1;
    if (t.kind != MPE_DT_FP)
        return 0;
    return t.fmt == MPE_FMT_E4M3 || t.fmt == MPE_FMT_E5M2 || t.fmt == MPE_FMT_E3M2 ||
           t.fmt == MPE_FMT_E2M3 || t.fmt == MPE_FMT_E2M1;
}

static int w_ok(const mpe_pe_cfg *c)
{
    mpe_dtype w = c->w;
    switch (c->mode) {
    case MPE_MODE_MAC: return is_int(w, 8, 8);
    case MPE_MODE_LUT:
        return is_int(w, 1, 4) || w.kind == MPE_DT_BINARY || w.kind == MPE_DT_TERNARY;
    case MPE_MODE_SHIFTADD: return is_int(w, 2, 8) || w.kind == MPE_DT_POW2;
    case MPE_MODE_BFP: return is_bfp_elem(w);
    default: return is_int(w, 1, 16);
    }
}

static int a_ok(const mpe_pe_cfg *c)
{
    switch (c->mode) {
    case MPE_MODE_MAC: return is_int(c->a, 8, 8);
    case MPE_MODE_BFP: return is_bfp_elem(c->a);
    default: return is_int(c->a, 1, 16);
    }
}

static const char *const a_allowed[MPE_MODE_COUNT] = {
    "int8, uint8", "intN/uintN, N = 1..16", "intN/uintN, N = 1..16",
    "fp8_e4m3, fp8_e5m2, fp6_e3m2, fp6_e2m3, fp4_e2m1, bfpint4..8",
    "intN/uintN, N = 1..16"};
static const char *const w_allowed[MPE_MODE_COUNT] = {
    "int8, uint8", "uintB/intB with B = 1..4, binary, ternary",
    "pow2, intB/uintB with B = 2..8",
    "fp8_e4m3, fp8_e5m2, fp6_e3m2, fp6_e2m3, fp4_e2m1, bfpint4..8",
    "intN/uintN, N = 1..16"};

mpe_status mpe_pe_cfg_types_check(const mpe_pe_cfg *c, char *msg, unsigned len)
{
    if (!c)
        return mpe_errf(msg, len, MPE_ERR_ARG, "no configuration");
    if (c->mode >= MPE_MODE_COUNT)
        return mpe_errf(msg, len, MPE_ERR_ARG, "unknown PE mode %u", c->mode);
    const char *mn = mode_names[c->mode];
    if (!dt_valid(c->a) || !a_ok(c))
        return mpe_errf(msg, len, MPE_ERR_ARG, "%s: activations %s not supported (%s)", mn,
                        dt_valid(c->a) ? mpe_dt_name(c->a) : "(malformed type)",
                        a_allowed[c->mode]);
    if (!dt_valid(c->w) || !w_ok(c))
        return mpe_errf(msg, len, MPE_ERR_ARG, "%s: weights %s not supported (%s)", mn,
                        dt_valid(c->w) ? mpe_dt_name(c->w) : "(malformed type)",
                        w_allowed[c->mode]);
    if (c->both_serial && c->mode != MPE_MODE_BITSERIAL)
        return mpe_errf(msg, len, MPE_ERR_ARG, "%s: both_serial is a bitserial option", mn);
    if (c->both_serial > 1)
        return mpe_errf(msg, len, MPE_ERR_ARG, "bitserial: both_serial must be 0 or 1");
    if (c->group && c->mode != MPE_MODE_SHIFTADD && c->mode != MPE_MODE_BFP)
        return mpe_errf(msg, len, MPE_ERR_ARG, "%s: group %u given, the mode has no groups", mn,
                        c->group);
    if (c->mode == MPE_MODE_BFP && c->scale_fmt != MPE_FMT_E8M0 && c->scale_fmt != MPE_FMT_UE4M3)
        return mpe_errf(msg, len, MPE_ERR_ARG, "bfp: scale format must be e8m0 or ue4m3");
    if (c->mode == MPE_MODE_SHIFTADD && c->group && c->scale_fmt != MPE_FMT_FP16)
        return mpe_errf(msg, len, MPE_ERR_ARG, "shiftadd: group scales must be fp16");
    return MPE_OK;
}

mpe_status mpe_pe_dims_check(int lanes, int cols, char *msg, unsigned len)
{
    if (lanes < 4 || lanes > MPE_PE_MAX_LANES || lanes % 4)
        return mpe_errf(msg, len, MPE_ERR_SHAPE, "lanes %d: must be a multiple of 4 in 4..%d",
                        lanes, MPE_PE_MAX_LANES);
    if (cols < 1 || cols > MPE_PE_MAX_COLS)
        return mpe_errf(msg, len, MPE_ERR_SHAPE, "cols %d: must be in 1..%d", cols,
                        MPE_PE_MAX_COLS);
    return MPE_OK;
}

mpe_status mpe_pe_cfg_check(const mpe_pe_cfg *c, int lanes, char *msg, unsigned len)
{
    mpe_status s = mpe_pe_cfg_types_check(c, msg, len);
    if (s != MPE_OK)
        return s;
    if ((s = mpe_pe_dims_check(lanes, 1, msg, len)) != MPE_OK)
        return s;
    if (c->mode == MPE_MODE_BFP && c->group == 0)
        return mpe_errf(msg, len, MPE_ERR_SHAPE, "bfp: block size (group) must be >= 1");
    if (c->group > MPE_PE_MAX_GROUP)
        return mpe_errf(msg, len, MPE_ERR_SHAPE, "%s: group %u larger than %d", mode_names[c->mode],
                        c->group, MPE_PE_MAX_GROUP);
    if (c->group && lanes % c->group && c->group % lanes)
        return mpe_errf(msg, len, MPE_ERR_SHAPE,
                        "%s: group %u neither divides nor is a multiple of %d lanes",
                        mode_names[c->mode], c->group, lanes);
    return MPE_OK;
}

int mpe_pe_cfg_is_float(const mpe_pe_cfg *c)
{
    return c->mode == MPE_MODE_BFP || (c->mode == MPE_MODE_SHIFTADD && c->group);
}

int mpe_lut_planes(mpe_dtype w)
{
    switch (w.kind) {
    case MPE_DT_BINARY: return 1;
    case MPE_DT_TERNARY: return 2;
    case MPE_DT_INT:
    case MPE_DT_UINT: return w.bits;
    default: return 0;
    }
}

int mpe_lut_ppc_valid(int ppc)
{
    return ppc == 1 || ppc == 2 || ppc == 4;
}

int mpe_lut_op_cycles(mpe_dtype w, int ppc)
{
    return (mpe_lut_planes(w) + ppc - 1) / ppc;
}

int mpe_pe_op_cycles(const mpe_pe_cfg *c, int closes, int lut_ppc)
{
    switch (c->mode) {
    case MPE_MODE_LUT: return mpe_lut_op_cycles(c->w, lut_ppc > 0 ? lut_ppc : 1);
    case MPE_MODE_SHIFTADD:
    case MPE_MODE_BFP: return closes > 1 ? closes : 1;
    case MPE_MODE_BITSERIAL: return c->both_serial ? c->a.bits * c->w.bits : c->a.bits;
    default: return 1;
    }
}

int mpe_pe_scale_slots(const mpe_pe_cfg *c, int lanes)
{
    if (!mpe_pe_cfg_is_float(c) || c->group == 0)
        return 0;
    return c->group < lanes ? lanes / c->group : 1;
}

/* ------------------------------------------------------------ state */

mpe_status mpe_pe_init(mpe_pe *pe, int lanes, int cols, const mpe_pe_cfg *cfg)
{
    if (!pe)
        return MPE_ERR_ARG;
    mpe_status s = mpe_pe_dims_check(lanes, cols, NULL, 0);
    if (s == MPE_OK)
        s = mpe_pe_cfg_check(cfg, lanes, NULL, 0);
    if (s != MPE_OK)
        return s;
    memset(pe, 0, sizeof *pe);
    pe->lanes = lanes;
    pe->cols = cols;
    pe->lut_ppc = 1;
    pe->cfg = *cfg;
    return MPE_OK;
}

static void clear_state(mpe_pe *pe)
{
    for (int c = 0; c < pe->cols; c++) {
        pe->acc[c] = 0;
        pe->facc[c] = 0;
        pe->gacc[c] = 0;
        pe->gspec[c] = 0;
    }
    pe->gsum = 0;
    pe->gpos = 0;
}

static int op_arrays_ok(const mpe_pe *pe, const mpe_pe_op *op)
{
    if (!op->a || !op->w)
        return 0;
    if (mpe_pe_cfg_is_float(&pe->cfg) && !op->w_scale)
        return 0;
    return pe->cfg.mode != MPE_MODE_BFP || op->a_scale;
}

mpe_status mpe_pe_step(mpe_pe *pe, const mpe_pe_op *op, int *cycles)
{
    static int (*const mode_op[MPE_MODE_COUNT])(mpe_pe *, const mpe_pe_op *) = {
        mpe_pe_mac_op, mpe_pe_lut_op, mpe_pe_sa_op, mpe_pe_bfp_op, mpe_pe_bs_op};
    if (!pe || !op)
        return MPE_ERR_ARG;
    mpe_status s = mpe_pe_dims_check(pe->lanes, pe->cols, NULL, 0);
    if (s == MPE_OK)
        s = mpe_pe_cfg_check(&pe->cfg, pe->lanes, NULL, 0);
    if (s != MPE_OK)
        return s;
    if (!op_arrays_ok(pe, op))
        return MPE_ERR_ARG;
    if (op->clear)
        clear_state(pe);
    int n = mode_op[pe->cfg.mode](pe, op);
    pe->cycles += (uint64_t)n;
    pe->ops++;
    if (cycles)
        *cycles = n;
    return MPE_OK;
}

mpe_status mpe_pe_set_lut_ppc(mpe_pe *pe, int ppc)
{
    if (!pe || !mpe_lut_ppc_valid(ppc))
        return MPE_ERR_ARG;
    pe->lut_ppc = ppc;
    return MPE_OK;
}

int64_t mpe_pe_acc_int(const mpe_pe *pe, int c)
{
    return mpe_sext(pe->acc[c], MPE_ACC_BITS);
}

uint32_t mpe_pe_acc_f32(const mpe_pe *pe, int c)
{
    return pe->facc[c];
}

/* ------------------------------------------------------------ helpers */

void mpe_pe_decode_acts(const mpe_pe *pe, const uint16_t *a, int32_t *x)
{
    int sg = pe->cfg.a.kind == MPE_DT_INT;
    for (int k = 0; k < pe->lanes; k++)
        x[k] = pe_int_dec(sg, pe->cfg.a.bits, a[k]);
}

int mpe_pe_segments(mpe_pe *pe, pe_seg *seg)
{
    int g = pe->cfg.group, n = 0;
    if (g < pe->lanes) {
        for (int lo = 0; lo < pe->lanes; lo += g, n++) {
            seg[n].lo = lo;
            seg[n].hi = lo + g;
            seg[n].slot = n;
            seg[n].close = 1;
        }
        return n;
    }
    pe->gpos += pe->lanes;
    seg[0].lo = 0;
    seg[0].hi = pe->lanes;
    seg[0].slot = 0;
    seg[0].close = pe->gpos >= g;
    if (seg[0].close)
        pe->gpos = 0;
    return 1;
}
