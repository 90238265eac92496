/* Tiling (used by choose_mode for every candidate mode) and pass `tile`
 * (the chosen tiling, activation layouts in external memory).
 *
 * A layer is a GEMM of M (padded to R) x N x K. One matmul instruction
 * computes mt x nt PE tiles over all ks = kp / lanes k-steps (complete dot
 * products), so an N block holds nt*C complete weight columns (a multiple of
 * `lanes` except the last, so that output vectors are whole) and an M block
 * mt*R complete activation rows. Blocks are double buffered when two fit;
 * when every block of an operand fits it is loaded once (resident). Among
 * the block sizes that fit, the one with the smallest estimated cycle count
 * (cost.c) wins. */
#include "comp.h"

#include <string.h>

static int64_t rup(int64_t x, int64_t m)
{
    return (x + m - 1) / m * m;
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint32_t lcm32(uint32_t a, uint32_t b)
{
    return a / gcd32(a, b) * b;
}

/* Operand bits 1..16 (mpe_isa_container_bits, the ISA's rule). */
int cw_of_bits(int bits)
{
    return (int)mpe_isa_container_bits((uint32_t)bits);
}

int out_cw(int out)
{
    return mpe_out_bits(out);
}

/* Vector sizes in bytes. */
static void vec_sizes(comp *c, const ir_tiling *t, uint32_t *va, uint32_t *vw, uint32_t *vo)
{
    uint32_t R = c->arch.rows, C = c->arch.cols, K = c->arch.lanes;
    *va = R * K * (uint32_t)t->a_cw / 8;
    *vw = C * K * (uint32_t)t->w_cw / 8;
    *vo = R * K * (uint32_t)t->o_cw / 8;
}

/* Bytes of the parameter block of nt tile columns (records, then grouped
 * scales and zero points, or the bfp block scales of mt tile rows and nt
 * tile columns), padded for DMA and the 16-byte alignment of p. */
uint32_t param_block_bytes(comp *c, const mpe_pe_cfg *cfg, const ir_tiling *t, int nt)
{
    uint32_t C = c->arch.cols, beat = c->arch.beat_bytes;
    uint64_t b = (uint64_t)nt * C * 16;
    if (cfg->mode == MPE_MODE_SHIFTADD && cfg->group)
        b += (uint64_t)nt * (uint64_t)(t->kp / cfg->group) * C * 4;
    if (cfg->mode == MPE_MODE_BFP) /* A scales [i][b][r] then W scales [j][b][c] */
        b += (uint64_t)(t->kp / cfg->group) * ((uint64_t)t->mt * c->arch.rows + (uint64_t)nt * C);
    return (uint32_t)rup((int64_t)b, lcm32(beat, 16));
}

/* Block sizes of (mt, nt), aligned for DMA and operand alignment. */
static void block_sizes(comp *c, const mpe_pe_cfg *cfg, ir_tiling *t)
{
    uint32_t va, vw, vo, beat = c->arch.beat_bytes;
    vec_sizes(c, t, &va, &vw, &vo);
    uint32_t okt = (uint32_t)((t->nt * (int64_t)c->arch.cols + c->arch.lanes - 1) / c->arch.lanes);
    t->asz = (uint32_t)rup((int64_t)t->mt * t->ks * va, lcm32(beat, va));
    t->wsz = (uint32_t)rup((int64_t)t->nt * t->ks * vw, lcm32(beat, vw));
    t->psz = param_block_bytes(c, cfg, t, t->nt);
    t->osz = (uint32_t)rup((int64_t)t->mt * okt * vo, lcm32(beat, vo));
    t->ssz = 0;
}

/* Buffers and residency for the current (mt, nt); 0 if it fits. */
static int place(comp *c, const mpe_pe_cfg *cfg, ir_tiling *t)
{
    const mpe_arch *a = &c->arch;
    block_sizes(c, cfg, t);
    t->mblocks = (int)((t->mp / a->rows + t->mt - 1) / t->mt);
    t->nblocks = (int)((t->np / a->cols + t->nt - 1) / t->nt);
    uint64_t wall = (uint64_t)t->wsz * t->nblocks, pall = (uint64_t)t->psz * t->nblocks;
    /* residency only pays when a block would be loaded again */
    t->w_resident = t->mblocks > 1 && wall <= a->wsp_bytes && pall <= a->psp_bytes;
    t->a_resident = t->nblocks > 1 && (uint64_t)t->asz * t->mblocks <= a->asp_bytes;
    t->wbuf = t->w_resident ? 1 : (2 * (uint64_t)t->wsz <= a->wsp_bytes &&
                                   2 * (uint64_t)t->psz <= a->psp_bytes) ? 2 : 1;
    t->abuf = t->a_resident ? 1 : 2 * (uint64_t)t->asz <= a->asp_bytes ? 2 : 1;
    t->obuf = 2 * (uint64_t)t->osz <= a->osp_bytes ? 2 : 1;
    if (t->wsz > a->wsp_bytes || t->psz > a->psp_bytes || t->asz > a->asp_bytes ||
        t->osz > a->osp_bytes)
        return -1;
    uint64_t A = (uint64_t)t->asz * t->mblocks, W = (uint64_t)t->wsz * t->nblocks;
    t->a_outer = t->w_resident || (!t->a_resident && A + W * t->mblocks <= W + A * t->nblocks);
    for (int b = 0; b < 2; b++) {
        t->a_sp[b] = b < t->abuf ? b * t->asz : 0;
        t->w_sp[b] = b < t->wbuf ? b * t->wsz : 0;
        t->p_sp[b] = b < t->wbuf ? b * t->psz : 0;
        t->s_sp[b] = t->p_sp[b];
        t->o_sp[b] = b < t->obuf ? b * t->osz : 0;
    }
    return 0;
}

/* Geometry that does not depend on the block sizes. */
static int geometry(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, ir_tiling *t,
                    char *why, size_t len)
{
    const mpe_arch *a = &c->arch;
    memset(t, 0, sizeof *t);
    t->a_cw = cw_of_bits(cfg->a.bits);
    t->w_cw = cw_of_bits(cfg->w.bits);
    t->o_cw = out_cw(L->out);
    int64_t kstep = a->lanes;
    if (cfg->group > a->lanes)
        kstep = cfg->group;
    t->kp = rup(L->K, kstep);
    t->ks = (int)(t->kp / a->lanes);
    t->mp = L->M;
    t->np = rup(L->N, a->lanes);
    uint32_t va, vw, vo;
    vec_sizes(c, t, &va, &vw, &vo);
    if (va % a->beat_bytes || vo % a->beat_bytes) {
        snprintf(why, len, "activation vectors of %u bytes are not a multiple of beat_bytes %u",
                 va, a->beat_bytes);
        return -1;
    }
    if (t->ks > MPE_FIELD_UMAX(CFGGEMM, ks)) {
        snprintf(why, len, "K=%lld needs %d k-steps, more than a matmul allows (%d)",
                 (long long)L->K, t->ks, (int)MPE_FIELD_UMAX(CFGGEMM, ks));
        return -1;
    }
    return 0;
}

/* Candidate sizes: powers of two times `unit` up to `max`, and max. */
static int candidates(int unit, int max, int *out)
{
    int n = 0;
    for (int v = unit; v < max && n < 14; v *= 2)
        out[n++] = v;
    out[n++] = max;
    return n;
}

int tile_layer(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, ir_tiling *t, char *why,
               size_t len)
{
    const mpe_arch *a = &c->arch;
    ir_tiling g;
    if (geometry(c, L, cfg, &g, why, len))
        return -1;
    int q = (int)(a->lanes / a->cols);
    int tn = (int)(g.np / a->cols), tm = (int)(g.mp / a->rows);
    /* nt and mt fields (insns.def); the nt bound is the field maximum rounded
     * down to a multiple of 4 (1020), as the tiler has always used it. */
    int ntlim = (int)MPE_FIELD_UMAX(CFGGEMM, nt) / 4 * 4;
    int mtlim = (int)MPE_FIELD_UMAX(CFGGEMM, mt);
    int ntmax = (int)rup(tn, q) > ntlim ? ntlim / q * q : (int)rup(tn, q);
    int mtmax = tm > mtlim ? mtlim : tm;
    int nts[16], mts[16];
    int nn = candidates(q, ntmax, nts), nm = candidates(1, mtmax, mts);
    ir_cost best = {0};
    int found = 0;
    for (int i = 0; i < nn; i++) {
        for (int j = 0; j < nm; j++) {
            ir_tiling cand = g;
            cand.nt = nts[i] < tn ? nts[i] : tn;
            cand.mt = mts[j];
            ir_cost cost;
            if (place(c, cfg, &cand) || cost_sim(c, L, cfg, &cand, &cost))
                continue;
            if (!found || cost.cycles < best.cycles) {
                best = cost;
                *t = cand;
                found = 1;
            }
        }
    }
    if (!found) {
        uint32_t va, vw, vo;
        vec_sizes(c, &g, &va, &vw, &vo);
        snprintf(why, len, "K=%lld is too large: one block of %d weight columns needs %llu "
                 "bytes (weight scratchpad %u), one row block %llu bytes (activation "
                 "scratchpad %u)", (long long)L->K, q * a->cols,
                 (unsigned long long)q * g.ks * vw, a->wsp_bytes,
                 (unsigned long long)g.ks * va, a->asp_bytes);
        return -1;
    }
    return 0;
}

/* Odd layers keep their weight and parameter buffers at the top of the WSP
 * and PSP, so that the first blocks of layer i+1 can be loaded while layer i
 * still computes (schedule.c prefetches them when the regions are disjoint). */
static void place_top(comp *c, ir_tiling *t)
{
    uint32_t va, vw, vo, beat = c->arch.beat_bytes;
    vec_sizes(c, t, &va, &vw, &vo);
    uint32_t aw = lcm32(beat, vw), ap = lcm32(beat, 16);
    uint32_t nw = (uint32_t)(t->w_resident ? t->nblocks : t->wbuf);
    uint32_t wbase = (c->arch.wsp_bytes - nw * t->wsz) / aw * aw;
    uint32_t pbase = (c->arch.psp_bytes - nw * t->psz) / ap * ap;
    for (int b = 0; b < t->wbuf; b++) {
        t->w_sp[b] = wbase + (uint32_t)b * t->wsz;
        t->p_sp[b] = t->s_sp[b] = pbase + (uint32_t)b * t->psz;
    }
}

/* Memory layout of an activation matrix: rows padded per batch to R,
 * columns padded to the widest consumer's kp. */
static void value_layout(comp *c, int v, int cw, int64_t cols_p)
{
    ir_value *x = &c->v[v];
    int64_t rows, cols;
    ir_matrix(x, &rows, &cols);
    x->rows = rows;
    x->rows_p = rup(rows, c->arch.rows);
    x->cols = cols;
    if (cols_p > x->cols_p)
        x->cols_p = cols_p;
    if (x->cols_p < rup(cols, c->arch.lanes))
        x->cols_p = rup(cols, c->arch.lanes);
    x->cw = cw;
}

int pass_tile(comp *c)
{
    for (int i = 0; i < c->nl; i++) {
        ir_layer *L = &c->L[i];
        char why[300];
        if (tile_layer(c, L, &L->cfg, &L->t, why, sizeof why))
            return comp_err(c, "layer '%s' (%s): %s", L->name, L->op, why);
        if (i % 2)
            place_top(c, &L->t);
    }
    for (int i = 0; i < c->nl; i++) {
        ir_layer *L = &c->L[i];
        value_layout(c, L->y, L->t.o_cw, 0);
        if (L->is_conv && c->v[L->x].kind == VK_INPUT) { /* the im2col matrix */
            ir_value *x = &c->v[L->x];
            x->rows = L->Mreal;
            x->rows_p = L->M;
            x->cols = L->K;
            x->cols_p = L->t.kp;
            x->cw = L->t.a_cw;
        } else {
            value_layout(c, L->x, L->t.a_cw, L->t.kp);
        }
    }
    for (int i = 0; i < c->nl; i++) {
        ir_value *y = &c->v[c->L[i].y];
        if (c->L[i].t.o_cw != y->cw)
            return comp_err(c, "internal: output container mismatch");
    }
    return 0;
}
