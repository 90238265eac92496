/* Pass `choose_mode`: the PE mode of each layer.
 * For every mode that can hold the layer's weights (mode_cfg picks the
 * cheapest weight type of that mode from the effective precision), the
 * layer is tiled and its cycles estimated (tile.c, cost.c). The mode with
 * the fewest estimated cycles wins; estimates within 2% of each other are a
 * tie, broken by the energy proxy below, then by the order mac, shiftadd,
 * lut, bitserial. `--mode M` forces M on every layer (an error naming M and
 * the reason where M cannot hold the weights). bfp runs integer layers as
 * MXINT8 only when forced and proven exact (bfp_exact.c); auto never tries
 * it (it is never faster than mac: same op cycles, plus the scale bytes).
 *
 * Energy proxy, in full-adder bit operations per lane-product, a = activation
 * bits, B = weight bits, C = PE columns:
 *   mac        a * 8                 (an 8 x 8 array multiplier per lane)
 *   shiftadd   a * B, pow2: a + 4    (one shifted add per weight bit; one
 *                                     shift and add for a power of two)
 *   lut        P * (a + 3) / 4 + 24 * (a + 3) / (4 * C)
 *                                    (one (a+3)-bit add per group of 4 lanes
 *                                     and plane; the 8-entry half table, 3
 *                                     adds per entry, shared by C columns)
 *   bitserial  a * B                 (a cycles of B-bit adds per lane)
 *   grouped shiftadd adds 32 / G     (the FP32 group accumulation) */
#include "comp.h"

#include <string.h>

static mpe_dtype act_type(const ir_layer *L)
{
    return L->aq.dtype == MPE_T_INT8 ? mpe_dt_int(8) : mpe_dt_uint(8);
}

static int fail(char *why, size_t len, const char *msg, const ir_prec *p)
{
    snprintf(why, len, msg, p->ibits, p->lo, p->hi);
    return -1;
}

static int cfg_mac(const ir_prec *p, mpe_pe_cfg *cfg, char *why, size_t len)
{
    if (p->ibits <= 8)
        cfg->w = mpe_dt_int(8);
    else if (p->ubits && p->ubits <= 8)
        cfg->w = mpe_dt_uint(8);
    else
        return fail(why, len, "weights need int%d ([%d, %d]); mac takes int8/uint8", p);
    return 0;
}

static int cfg_lut(comp *c, const ir_layer *L, mpe_pe_cfg *cfg, char *why, size_t len)
{
    const ir_prec *p = &L->prec;
    int best = 99;
    if (p->binary && L->K % c->arch.lanes == 0) { /* padding lanes would read garbage */
        cfg->w = mpe_dt_binary();
        return 0;
    }
    if (p->ternary) {
        cfg->w = mpe_dt_ternary();
        best = 2;
    }
    if (p->ubits && p->ubits <= 4 && p->ubits < best) {
        cfg->w = mpe_dt_uint(p->ubits);
        best = p->ubits;
    }
    if (p->ibits <= 4 && p->ibits < best) {
        cfg->w = mpe_dt_int(p->ibits);
        best = p->ibits;
    }
    if (best == 99)
        return fail(why, len, "weights need int%d ([%d, %d]); lut takes at most 4 bits", p);
    return 0;
}

static int cfg_shiftadd(const ir_layer *L, mpe_pe_cfg *cfg, char *why, size_t len)
{
    const ir_prec *p = &L->prec;
    if (p->grouped) {
        cfg->w = mpe_dt_uint(L->w.bits < 2 ? 2 : L->w.bits);
        cfg->group = (uint16_t)L->w.bs;
        cfg->scale_fmt = MPE_FMT_FP16;
        return 0;
    }
    int ib = p->ibits < 2 ? 2 : p->ibits, ub = p->ubits && p->ubits < 2 ? 2 : p->ubits;
    int cw = 99;
    if (ib <= 8) {
        cfg->w = mpe_dt_int(ib);
        cw = cw_of_bits(ib);
    }
    if (ub && ub <= 8 && cw_of_bits(ub) < cw) {
        cfg->w = mpe_dt_uint(ub);
        cw = cw_of_bits(ub);
    }
    if (p->pow2 && 4 <= cw) {
        cfg->w = mpe_dt_pow2();
        cw = 4;
    }
    if (cw == 99)
        return fail(why, len, "weights need int%d ([%d, %d]); shiftadd takes at most 8 bits", p);
    return 0;
}

int mode_cfg(comp *c, const ir_layer *L, int mode, mpe_pe_cfg *cfg, char *why, size_t len)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = (uint8_t)mode;
    cfg->a = act_type(L);
    cfg->scale_fmt = MPE_FMT_E8M0;
    if (L->prec.grouped && mode != MPE_MODE_SHIFTADD) {
        snprintf(why, len, "block-quantized weights with FP16 scales need shiftadd mode");
        return -1;
    }
    int rc;
    switch (mode) {
    case MPE_MODE_MAC: rc = cfg_mac(&L->prec, cfg, why, len); break;
    case MPE_MODE_LUT: rc = cfg_lut(c, L, cfg, why, len); break;
    case MPE_MODE_SHIFTADD: rc = cfg_shiftadd(L, cfg, why, len); break;
    case MPE_MODE_BITSERIAL:
        cfg->w = L->prec.ubits && L->prec.ubits < L->prec.ibits ? mpe_dt_uint(L->prec.ubits)
                                                                : mpe_dt_int(L->prec.ibits);
        rc = 0;
        break;
    default: rc = bfp_cfg(c, L, cfg, why, len); break;
    }
    if (rc)
        return -1;
    char msg[200];
    if (mpe_pe_cfg_check(cfg, (int)c->arch.lanes, msg, sizeof msg) != MPE_OK) {
        snprintf(why, len, "%s", msg);
        return -1;
    }
    return 0;
}

static int planes(const mpe_pe_cfg *cfg)
{
    if (cfg->w.kind == MPE_DT_BINARY)
        return 1;
    if (cfg->w.kind == MPE_DT_TERNARY)
        return 2;
    return cfg->w.bits;
}

double energy_proxy(const mpe_pe_cfg *cfg, int cols)
{
    double a = cfg->a.bits, B = cfg->w.bits;
    switch (cfg->mode) {
    case MPE_MODE_MAC: return a * 8;
    case MPE_MODE_SHIFTADD:
        return (cfg->w.kind == MPE_DT_POW2 ? a + 4 : a * B) + (cfg->group ? 32.0 / cfg->group : 0);
    case MPE_MODE_LUT: return planes(cfg) * (a + 3) / 4 + 24 * (a + 3) / (4.0 * cols);
    default: return a * B;
    }
}

/* Is (cost, e) better than the best so far? */
static int better(const ir_cost *x, const ir_cost *best)
{
    double lo = (double)best->cycles * 0.98, hi = (double)best->cycles * 1.02;
    if ((double)x->cycles < lo)
        return 1;
    if ((double)x->cycles > hi)
        return 0;
    return x->energy < best->energy - 1e-9;
}

static int choose(comp *c, ir_layer *L)
{
    static const int order[] = {MPE_MODE_MAC, MPE_MODE_SHIFTADD, MPE_MODE_LUT,
                                MPE_MODE_BITSERIAL, MPE_MODE_BFP};
    char why[300], reasons[900] = "", tiling[300] = "";
    int found = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int m = order[i];
        if (c->o.mode >= 0 && m != c->o.mode)
            continue;
        if (m == MPE_MODE_BFP && c->o.mode != MPE_MODE_BFP)
            continue; /* integer layers: bfp only when forced (bfp_exact.c) */
        mpe_pe_cfg cfg;
        ir_tiling t;
        ir_cost cost;
        if (mode_cfg(c, L, m, &cfg, why, sizeof why) == 0 &&
            tile_layer(c, L, &cfg, &t, why, sizeof why)) {
            if (!tiling[0])
                snprintf(tiling, sizeof tiling, "%s", why);
            continue;
        }
        int no_cfg = mode_cfg(c, L, m, &cfg, why, sizeof why) != 0;
        if (no_cfg && c->o.mode >= 0)
            return comp_err(c, "layer '%s' (%s): --mode %s cannot run this layer: %s", L->name,
                            L->op, mpe_mode_name((mpe_mode)m), why);
        if (no_cfg || cost_sim(c, L, &cfg, &t, &cost)) {
            const char *mn = mpe_mode_name((mpe_mode)m);
            size_t n = strlen(reasons), k = strlen(mn);
            if (L->prec.grouped && m != MPE_MODE_SHIFTADD)
                continue; /* only shiftadd can: its reason says why not */
            snprintf(reasons + n, sizeof reasons - n, "%s%s%s%s", n ? "; " : "",
                     strncmp(why, mn, k) ? mn : "", strncmp(why, mn, k) ? ": " : "", why);
            continue;
        }
        L->cand[m] = cost;
        L->cand_cfg[m] = cfg;
        L->cand_ok[m] = 1;
        if (!found || better(&cost, &L->cost)) {
            L->cfg = cfg;
            L->t = t;
            L->cost = cost;
            found = 1;
        }
    }
    if (!found && tiling[0])
        return comp_err(c, "layer '%s' (%s): %s", L->name, L->op, tiling);
    if (!found && L->prec.grouped)
        return comp_err(c, "layer '%s' (%s): block-quantized weights need shiftadd mode, which "
                        "cannot run it (%s)", L->name, L->op, reasons);
    if (!found)
        return comp_err(c, "layer '%s' (%s): no PE mode can run it (%s)", L->name, L->op, reasons);
    snprintf(L->why, sizeof L->why, "%s", c->o.mode >= 0 ? "forced by --mode" :
             "fewest estimated cycles (ties within 2%: energy proxy)");
    return 0;
}

int pass_choose_mode(comp *c)
{
    for (int i = 0; i < c->nl; i++)
        if (choose(c, &c->L[i]) || (c->L[i].cfg.mode == MPE_MODE_BFP && bfp_fbias(c, &c->L[i])))
            return -1;
    return 0;
}
