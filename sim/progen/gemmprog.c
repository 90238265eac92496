/* The GEMM program builder (mpe/gemmprog.h): block choice, scratchpad
 * partitions, scale records and the double-buffered token schedule.
 *
 * Extra token pairs (hooks, for tests): each keeps the k-th pop of every
 * counter matched with the k-th push, the push first in program order:
 *   L2C at g: a dummy load pushing L2C opens load group g, a cfggemm popping
 *             L2C precedes matmul g;
 *   C2L at g: a cfggemm pushing C2L precedes matmul g, a dummy load popping
 *             C2L opens load group g + nbuf;
 *   C2S at g: a cfggemm pushing C2S precedes matmul g, a dummy store popping
 *             C2S precedes store g;
 *   S2C at g: a dummy store pushing S2C precedes store g, a cfggemm popping
 *             S2C precedes matmul g + nbuf.
 * Dummy transfers move one beat between scratch_mem and the scratch beats. */
#include "mpe/gemmprog.h"

#include <stdio.h>
#include <string.h>

#include "mpe/binary.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/tensorio.h"

/* Operand bits 1..16 (mpe_isa_container_bits, the ISA's rule). */
uint32_t mpe_container_bits(uint32_t bits)
{
    return mpe_isa_container_bits(bits);
}

static mpe_tdesc tiled_desc(uint32_t rows, uint32_t cols, uint32_t vr, uint32_t lanes)
{
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = MPE_LP_TILED_COUNT;
    d.params[MPE_LP_VR] = (int32_t)vr;
    d.params[MPE_LP_K] = (int32_t)lanes;
    d.params[MPE_LP_MP] = (int32_t)rows;
    d.params[MPE_LP_KP] = (int32_t)cols;
    return d;
}

void mpe_tiled_pack(const uint32_t *codes, uint32_t rows, uint32_t cols, uint32_t vr,
                    uint32_t lanes, uint32_t cw, uint8_t *bytes)
{
    mpe_tdesc d = tiled_desc(rows, cols, vr, lanes);
    for (uint32_t m = 0; m < rows; m++)
        for (uint32_t k = 0; k < cols; k++)
            mpe_code_put(bytes, mpe_tdesc_code_index(&d, m, k), cw, codes[(size_t)m * cols + k]);
}

void mpe_tiled_unpack(const uint8_t *bytes, uint32_t rows, uint32_t cols, uint32_t vr,
                      uint32_t lanes, uint32_t cw, uint32_t *codes)
{
    mpe_tdesc d = tiled_desc(rows, cols, vr, lanes);
    for (uint32_t m = 0; m < rows; m++)
        for (uint32_t k = 0; k < cols; k++)
            codes[(size_t)m * cols + k] = mpe_code_get(bytes, mpe_tdesc_code_index(&d, m, k), cw);
}

/* ---- plan ------------------------------------------------------------------ */

static uint32_t down(uint64_t v, uint32_t a) { return (uint32_t)(v / a * a); }
static uint32_t gcd32(uint32_t a, uint32_t b) { return b ? gcd32(b, a % b) : a; }
static uint32_t lcm32(uint32_t a, uint32_t b) { return a / gcd32(a, b) * b; }
static uint32_t up(uint64_t v, uint32_t a) { return (uint32_t)((v + a - 1) / a * a); }
static uint32_t min32(uint64_t a, uint64_t b) { return (uint32_t)(a < b ? a : b); }

static uint32_t srec_of(const mpe_gemm_plan *pl, uint32_t mt, uint32_t nt)
{
    uint64_t b = pl->scales == 1 ? (uint64_t)pl->kb * (mt * pl->R + nt * pl->C)
                 : pl->scales == 2 ? (uint64_t)pl->kb * nt * pl->C * 4 : 0;
    return up(b, pl->beat);
}

static int fits(const mpe_gemm_plan *pl, uint32_t mt, uint32_t nt, const uint32_t part[5])
{
    uint64_t okt = (uint64_t)nt * pl->C / pl->L;
    return (uint64_t)mt * pl->ks * pl->va <= part[0] && (uint64_t)nt * pl->ks * pl->vw <= part[1] &&
           (uint64_t)mt * okt * pl->vo <= part[2] && (uint64_t)nt * pl->C * 16 <= part[3] &&
           srec_of(pl, mt, nt) <= part[4];
}

/* Load-unit cycles of a group (each load waits mem_latency for its last
 * beat) and its port beats. */
typedef struct {
    double lu, port;
} grp_cost;

static grp_cost group_cost(double beats, double insns, double lat, double store)
{
    grp_cost g = {beats + lat * insns, beats + store};
    return g;
}

static double overlap(double c, grp_cost g)
{
    double t = c > g.lu ? c : g.lu;
    return t > g.port ? t : g.port;
}

/* Estimated cycles of the whole GEMM for blocks of mt x nt tiles and a loop
 * order: the first group's loads (nothing overlaps them), then each matmul
 * overlapped with the next group's loads and the previous block's store
 * (the slowest of the PE array, the load unit and the memory port), then
 * the last store. A group loads the inner operand's block (when there are
 * several), the scale record, and, when the outer block changes, the outer
 * operand's block (with the parameters if it is W). */
static double block_cost(const mpe_gemm_plan *pl, const mpe_gemm_spec *sp, uint32_t mt,
                         uint32_t nt, int w_stationary)
{
    double B = pl->beat, L = pl->lat;
    double mb = (pl->mtiles + mt - 1) / mt, nb = (pl->ntiles + nt - 1) / nt, nmm = mb * nb;
    double a = (double)mt * pl->ks * pl->va / B, w = (double)nt * pl->ks * pl->vw / B;
    double p = (double)nt * pl->C * 16 / B, s = srec_of(pl, mt, nt) / B;
    double o = (double)mt * (nt * pl->C / pl->L) * pl->vo / B;
    int closes = pl->G && pl->G < pl->L ? (int)(pl->L / pl->G) : 1;
    double c = (double)mt * nt * pl->ks * mpe_pe_op_cycles(&sp->pe, closes, (int)pl->ppc) + pl->R + 1;
    double in_b = w_stationary ? a : w + p, in_n = w_stationary ? 1 : 2;
    double out_b = w_stationary ? w + p : a, out_n = w_stationary ? 2 : 1;
    double inner = w_stationary ? mb : nb, outer = w_stationary ? nb : mb;
    double ns = s > 0;
    grp_cost first = group_cost(in_b + out_b + s, in_n + out_n + ns, L, 0);
    grp_cost normal = group_cost((inner > 1) * in_b + s, (inner > 1) * in_n + ns, L, o);
    grp_cost burst = group_cost((inner > 1) * in_b + out_b + s,
                                (inner > 1) * in_n + out_n + ns, L, o);
    double bursts = outer - 1, normals = nmm - 1 - bursts;
    return first.lu + normals * overlap(c, normal) + bursts * overlap(c, burst) + c + o + 2;
}

/* The blocks (and, for MPE_GEMM_AUTO, the loop order) of least estimated
 * time; ties go to the larger block. */
static void choose_blocks(mpe_gemm_plan *pl, const mpe_gemm_spec *sp, const uint32_t part[5])
{
    uint32_t u = pl->L / pl->C;
    uint32_t nmax = down(min32(pl->ntiles, (uint32_t)MPE_FIELD_UMAX(CFGGEMM, nt)), u);
    uint32_t mmax = min32(pl->mtiles, (uint32_t)MPE_FIELD_UMAX(CFGGEMM, mt));
    double best = 0;
    pl->mt = pl->nt = 0;
    for (uint32_t nt = sp->nt ? sp->nt : nmax; nt >= u; nt -= u) {
        for (uint32_t mt = sp->mt ? sp->mt : 1; mt <= (sp->mt ? sp->mt : mmax); mt++) {
            if (!fits(pl, mt, nt, part))
                break;
            for (int ws = 1; ws >= 0; ws--) {
                if ((sp->order == MPE_GEMM_W_STATIONARY && !ws) ||
                    (sp->order == MPE_GEMM_A_STATIONARY && ws))
                    continue;
                double t = block_cost(pl, sp, mt, nt, ws);
                if (!pl->mt || t < best ||
                    (t == best && (uint64_t)mt * nt > (uint64_t)pl->mt * pl->nt)) {
                    best = t;
                    pl->mt = mt;
                    pl->nt = nt;
                    pl->w_stationary = ws;
                }
            }
        }
        if (sp->nt)
            break;
    }
}

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), MPE_ERR_SHAPE)

static mpe_status plan_sizes(const mpe_arch *ar, const mpe_gemm_spec *sp, mpe_gemm_plan *pl,
                             char *err, size_t errlen)
{
    pl->R = ar->rows;
    pl->C = ar->cols;
    pl->L = ar->lanes;
    pl->beat = ar->beat_bytes;
    pl->lat = ar->mem_latency;
    pl->ppc = ar->lut_ppc;
    pl->nbuf = sp->nbuf ? sp->nbuf : 2;
    if (pl->nbuf > 2)
        return FAIL("nbuf must be 1 or 2");
    if (!sp->M || !sp->N || !sp->K || sp->M % pl->R || sp->N % pl->L || sp->K % pl->L)
        return FAIL("GEMM %ux%ux%u: M must be a multiple of rows (%u), N and K of lanes (%u)",
                    sp->M, sp->N, sp->K, pl->R, pl->L);
    pl->ks = sp->K / pl->L;
    if (pl->ks > MPE_FIELD_UMAX(CFGGEMM, ks))
        return FAIL("K = %u needs more than %d k-steps", sp->K, (int)MPE_FIELD_UMAX(CFGGEMM, ks));
    pl->mtiles = sp->M / pl->R;
    pl->ntiles = sp->N / pl->C;
    uint32_t cwa = mpe_container_bits(sp->pe.a.bits), cww = mpe_container_bits(sp->pe.w.bits);
    int ob = mpe_out_bits(sp->out);
    if (!ob)
        return FAIL("unknown output format %u", sp->out);
    pl->va = pl->R * pl->L * cwa / 8;
    pl->vw = pl->C * pl->L * cww / 8;
    pl->vo = pl->R * pl->L * (uint32_t)ob / 8;
    if ((pl->ks * pl->va) % pl->beat || (pl->ks * pl->vw) % pl->beat || pl->vo % pl->beat ||
        (pl->L * 16) % pl->beat)
        return FAIL("a tile row of A or W, or an output vector, is not a whole number of beats");
    if ((sp->a_addr | sp->w_addr | sp->o_addr | sp->p_addr | sp->s_addr) % pl->beat)
        return FAIL("memory addresses must be multiples of the beat (%u)", pl->beat);
    pl->scales = sp->pe.mode == MPE_MODE_BFP ? 1
                 : sp->pe.mode == MPE_MODE_SHIFTADD && sp->pe.group ? 2 : 0;
    pl->G = sp->pe.group;
    if (pl->scales && sp->K % pl->G)
        return FAIL("K = %u is not a multiple of the group %u", sp->K, pl->G);
    pl->kb = pl->scales ? sp->K / pl->G : 0;
    return MPE_OK;
}

mpe_status mpe_gemm_plan_make(const mpe_arch *ar, const mpe_gemm_spec *sp, mpe_gemm_plan *pl,
                              char *err, size_t errlen)
{
    memset(pl, 0, sizeof *pl);
    mpe_status st = plan_sizes(ar, sp, pl, err, errlen);
    if (st != MPE_OK)
        return st;
    uint32_t B = pl->beat, nb = pl->nbuf, res = sp->scratch ? B : 0;
    if (ar->psp_bytes < res + 2 * nb * B || ar->osp_bytes < res + nb * B)
        return FAIL("scratchpads too small");
    /* partitions start at multiples of every vector size any GEMM may use
     * (operands up to 16-bit codes, outputs up to 32-bit), so that GEMMs of
     * different precisions can share the partitions of one token chain */
    uint32_t al = lcm32(lcm32(B, pl->R * pl->L * 4), pl->C * pl->L * 2);
    uint32_t part[5] = {down(ar->asp_bytes / nb, al), down(ar->wsp_bytes / nb, al),
                        down((ar->osp_bytes - res) / nb, al),
                        down((ar->psp_bytes - res) / (2 * nb), al), 0};
    part[4] = part[3];
    choose_blocks(pl, sp, part);
    if (!pl->mt || !pl->nt)
        return FAIL("GEMM %ux%ux%u: one tile row and %u tile columns do not fit the "
                    "scratchpads (mt %u, nt %u requested)", sp->M, sp->N, sp->K,
                    pl->L / pl->C, sp->mt, sp->nt);
    pl->srec = srec_of(pl, pl->mt, pl->nt);
    pl->mblocks = (pl->mtiles + pl->mt - 1) / pl->mt;
    pl->nblocks = (pl->ntiles + pl->nt - 1) / pl->nt;
    pl->nmm = pl->mblocks * pl->nblocks;
    for (uint32_t x = 0; x < nb; x++) {
        pl->asp[x] = x * part[0];
        pl->wsp[x] = x * part[1];
        pl->osp[x] = x * part[2];
        pl->pp[x] = x * part[3];
        pl->ps[x] = nb * part[3] + x * part[4];
    }
    pl->psp_scratch = ar->psp_bytes - B;
    pl->osp_scratch = ar->osp_bytes - B;
    return MPE_OK;
}

void mpe_gemm_block(const mpe_gemm_plan *pl, uint32_t g, uint32_t *i0, uint32_t *mtb,
                    uint32_t *j0, uint32_t *ntb)
{
    uint32_t bi = pl->w_stationary ? g % pl->mblocks : g / pl->nblocks;
    uint32_t bj = pl->w_stationary ? g / pl->mblocks : g % pl->nblocks;
    *i0 = bi * pl->mt;
    *j0 = bj * pl->nt;
    *mtb = min32(pl->mt, pl->mtiles - *i0);
    *ntb = min32(pl->nt, pl->ntiles - *j0);
}

void mpe_gemm_pack_scales(const mpe_gemm_plan *pl, const mpe_gemm_spec *sp,
                          const uint16_t *a_scale, const uint16_t *w_scale,
                          const int16_t *w_zero, uint8_t *out)
{
    if (!pl->scales)
        return;
    memset(out, 0, (size_t)pl->nmm * pl->srec);
    uint32_t R = pl->R, C = pl->C, kb = pl->kb, K = sp->K / pl->G;
    for (uint32_t g = 0; g < pl->nmm; g++) {
        uint32_t i0, mtb, j0, ntb;
        mpe_gemm_block(pl, g, &i0, &mtb, &j0, &ntb);
        uint8_t *rec = out + (size_t)g * pl->srec;
        for (uint32_t b = 0; b < kb; b++) {
            if (pl->scales == 1) {
                for (uint32_t i = 0; i < mtb; i++)
                    for (uint32_t r = 0; r < R; r++)
                        rec[((size_t)i * kb + b) * R + r] =
                            (uint8_t)a_scale[(size_t)((i0 + i) * R + r) * K + b];
            }
            uint8_t *ws = rec + (pl->scales == 1 ? (size_t)mtb * kb * R : 0);
            uint8_t *wz = rec + (size_t)ntb * kb * C * 2;
            for (uint32_t j = 0; j < ntb; j++)
                for (uint32_t c = 0; c < C; c++) {
                    size_t n = (size_t)(j0 + j) * C + c, e = ((size_t)j * kb + b) * C + c;
                    uint16_t v = w_scale[n * K + b];
                    if (pl->scales == 1) {
                        ws[e] = (uint8_t)v;
                        continue;
                    }
                    uint16_t z = w_zero ? (uint16_t)w_zero[n * K + b] : 0;
                    ws[2 * e] = (uint8_t)v;
                    ws[2 * e + 1] = (uint8_t)(v >> 8);
                    wz[2 * e] = (uint8_t)z;
                    wz[2 * e + 1] = (uint8_t)(z >> 8);
                }
        }
    }
}

/* ---- emission ------------------------------------------------------------------ */

typedef struct {
    int sp;
    uint32_t spaddr;
    uint64_t mem, bytes;
} xfer;

/* One contiguous copy as few loads as possible (rows and rowbytes <= their
 * field maxima, 65535). */
static void emit_copy(mpe_codebuf *cb, const xfer *x, uint32_t beat, int deps_first,
                      int deps_last)
{
    uint64_t left = x->bytes, mem = x->mem;
    uint32_t spaddr = x->spaddr;
    int first = 1;
    while (left) {
        const uint64_t rbmax = (uint64_t)MPE_FIELD_UMAX(LOAD, rowbytes);
        const uint64_t rowsmax = (uint64_t)MPE_FIELD_UMAX(LOAD, rows);
        uint32_t rb = down(left < rbmax ? left : rbmax, beat);
        while (left % rb && rb > beat)
            rb -= beat;
        uint64_t rows = left / rb;
        if (rows > rowsmax)
            rows = rowsmax;
        uint64_t n = rows * rb;
        int deps = (first ? deps_first : 0) | (n == left ? deps_last : 0);
        mpe_cb_load(cb, deps, x->sp, spaddr, 0, (int64_t)mem, (uint32_t)rows, rb, rb);
        first = 0;
        left -= n;
        mem += n;
        spaddr += (uint32_t)n;
    }
}

static void emit_gemmcfg(mpe_codebuf *cb, const mpe_gemm_chain *ch, int deps)
{
    mpe_cb_cfggemm(cb, deps, ch->mt, ch->nt, ch->ks, ch->akt, ch->wkt, ch->okt);
}

typedef struct {
    const mpe_arch *ar;
    const mpe_gemm_spec *sp;
    const mpe_gemm_plan *pl;
    mpe_gemm_chain *ch;
    const mpe_gemm_hooks *hk;
    mpe_codebuf *cb;
    int tokens, final;
    int64_t last_a, last_w; /* block loaded last in this GEMM (-1 none) */
    uint32_t abuf, wbuf;
} emitter;

static int want(emitter *e, int kind, uint64_t g)
{
    return e->hk && e->hk->extra && e->tokens && e->hk->extra(e->hk->user, kind, g);
}

static void dummy_load(emitter *e, int deps)
{
    mpe_cb_load(e->cb, deps, 2 /* psp */, e->pl->psp_scratch, 0, (int64_t)e->ch->scratch_mem,
                1, e->pl->beat, e->pl->beat);
}

static void dummy_store(emitter *e, int deps)
{
    mpe_cb_store(e->cb, deps, e->pl->osp_scratch, 0, (int64_t)e->ch->scratch_mem, 1,
                 e->pl->beat, e->pl->beat);
}

/* The loads of group g (local index lg, chain index G). */
static void emit_loads(emitter *e, uint32_t lg, uint64_t G)
{
    const mpe_gemm_plan *pl = e->pl;
    const mpe_gemm_spec *sp = e->sp;
    uint32_t i0, mtb, j0, ntb, bi, bj;
    mpe_gemm_block(pl, lg, &i0, &mtb, &j0, &ntb);
    bi = i0 / pl->mt;
    bj = j0 / pl->nt;
    xfer x[5];
    int n = 0;
    if (e->last_w != bj) {
        e->wbuf = (uint32_t)(e->ch->w_loads++ % pl->nbuf);
        x[n++] = (xfer){1, pl->wsp[e->wbuf], sp->w_addr + (uint64_t)j0 * pl->ks * pl->vw,
                        (uint64_t)ntb * pl->ks * pl->vw};
        x[n++] = (xfer){2, pl->pp[e->wbuf], sp->p_addr + (uint64_t)j0 * pl->C * 16,
                        (uint64_t)ntb * pl->C * 16};
        e->last_w = bj;
    }
    if (e->last_a != bi) {
        e->abuf = (uint32_t)(e->ch->a_loads++ % pl->nbuf);
        x[n++] = (xfer){0, pl->asp[e->abuf], sp->a_addr + (uint64_t)i0 * pl->ks * pl->va,
                        (uint64_t)mtb * pl->ks * pl->va};
        e->last_a = bi;
    }
    if (pl->scales)
        x[n++] = (xfer){2, pl->ps[G % pl->nbuf], sp->s_addr + (uint64_t)lg * pl->srec, pl->srec};
    int pop = e->tokens && G >= pl->nbuf ? MPE_DEP_POP_NEXT : 0;
    for (; e->tokens && e->ch->pend_c2l[G % 4]; e->ch->pend_c2l[G % 4]--)
        dummy_load(e, MPE_DEP_POP_NEXT);
    if (want(e, MPE_GX_L2C, G)) {
        dummy_load(e, MPE_DEP_PUSH_NEXT | pop);
        pop = 0;
    }
    for (int k = 0; k < n; k++)
        emit_copy(e->cb, &x[k], pl->beat, k == 0 ? pop : 0,
                  k == n - 1 && e->tokens ? MPE_DEP_PUSH_NEXT : 0);
}

static void emit_matmul(emitter *e, uint32_t lg, uint64_t G, int tail)
{
    const mpe_gemm_plan *pl = e->pl;
    mpe_gemm_chain *ch = e->ch;
    uint32_t i0, mtb, j0, ntb;
    mpe_gemm_block(pl, lg, &i0, &mtb, &j0, &ntb);
    uint32_t okt = ntb * pl->C / pl->L;
    if (ch->mt != mtb || ch->nt != ntb || ch->okt != okt) {
        ch->mt = mtb;
        ch->nt = ntb;
        ch->okt = okt;
        emit_gemmcfg(e->cb, ch, 0);
    }
    if (want(e, MPE_GX_L2C, G))
        emit_gemmcfg(e->cb, ch, MPE_DEP_POP_PREV);
    for (; e->tokens && ch->pend_s2c[G % 4]; ch->pend_s2c[G % 4]--)
        emit_gemmcfg(e->cb, ch, MPE_DEP_POP_NEXT);
    if (!tail && want(e, MPE_GX_C2L, G)) {
        emit_gemmcfg(e->cb, ch, MPE_DEP_PUSH_PREV);
        ch->pend_c2l[(G + pl->nbuf) % 4]++;
    }
    if (want(e, MPE_GX_C2S, G))
        emit_gemmcfg(e->cb, ch, MPE_DEP_PUSH_NEXT);
    int deps = 0;
    if (e->tokens)
        deps = MPE_DEP_POP_PREV | MPE_DEP_PUSH_NEXT | (G >= pl->nbuf ? MPE_DEP_POP_NEXT : 0) | (tail ? 0 : MPE_DEP_PUSH_PREV);
    mpe_cb_matmul(e->cb, deps, pl->asp[e->abuf], pl->wsp[e->wbuf], pl->osp[G % pl->nbuf],
                  pl->pp[e->wbuf], pl->scales ? pl->ps[G % pl->nbuf] : 0);
}

static void emit_store(emitter *e, uint32_t lg, uint64_t G, int tail)
{
    const mpe_gemm_plan *pl = e->pl;
    const mpe_gemm_spec *sp = e->sp;
    uint32_t i0, mtb, j0, ntb;
    mpe_gemm_block(pl, lg, &i0, &mtb, &j0, &ntb);
    uint32_t okt = ntb * pl->C / pl->L, rowv = sp->N / pl->L;
    if (want(e, MPE_GX_C2S, G))
        dummy_store(e, MPE_DEP_POP_PREV);
    if (!tail && want(e, MPE_GX_S2C, G)) {
        dummy_store(e, MPE_DEP_PUSH_PREV);
        e->ch->pend_s2c[(G + pl->nbuf) % 4]++;
    }
    int deps = e->tokens ? MPE_DEP_POP_PREV | (tail ? 0 : MPE_DEP_PUSH_PREV) : 0;
    mpe_cb_store(e->cb, deps, pl->osp[G % pl->nbuf], 0,
                 (int64_t)(sp->o_addr + ((uint64_t)i0 * rowv + j0 * pl->C / pl->L) * pl->vo),
                 mtb, okt * pl->vo, rowv * pl->vo);
}

/* End of a chain: tokens pushed for matmuls/stores of earlier GEMMs that no
 * later group pops (the last nbuf of the chain), and deferred extra pops
 * that fell past the end, are taken back so every counter ends at 0: C2L
 * by re-loading the current parameter block (the same bytes), S2C by a
 * cfggemm. Every such pop follows its push in program order. */
static void flush(emitter *e, uint64_t g0)
{
    const mpe_gemm_plan *pl = e->pl;
    mpe_gemm_chain *ch = e->ch;
    uint64_t lo = ch->g > pl->nbuf ? ch->g - pl->nbuf : 0;
    uint32_t n_c2l = g0 > lo ? (uint32_t)(g0 - lo) : 0, n_s2c = n_c2l;
    for (int k = 0; k < 4; k++) {
        n_c2l += ch->pend_c2l[k];
        n_s2c += ch->pend_s2c[k];
        ch->pend_c2l[k] = ch->pend_s2c[k] = 0;
    }
    uint32_t i0, mtb, j0, ntb;
    mpe_gemm_block(pl, pl->nmm - 1, &i0, &mtb, &j0, &ntb);
    xfer x = {2, pl->pp[e->wbuf], e->sp->p_addr + (uint64_t)j0 * pl->C * 16,
              (uint64_t)ntb * pl->C * 16};
    for (; n_c2l; n_c2l--)
        emit_copy(e->cb, &x, pl->beat, MPE_DEP_POP_NEXT, 0);
    for (; n_s2c; n_s2c--)
        emit_gemmcfg(e->cb, ch, MPE_DEP_POP_NEXT);
}

mpe_status mpe_gemm_emit(const mpe_arch *ar, const mpe_gemm_spec *sp, const mpe_gemm_plan *pl,
                         mpe_gemm_chain *ch, int final, const mpe_gemm_hooks *hooks,
                         mpe_codebuf *cb)
{
    if (!ch->nbuf)
        ch->nbuf = pl->nbuf;
    if (ch->nbuf != pl->nbuf)
        return MPE_ERR_ARG;
    emitter e = {ar, sp, pl, ch, hooks, cb, !sp->sync_only, final, -1, -1, 0, 0};
    if (hooks)
        ch->scratch_mem = hooks->scratch_mem;
    if (sp->sync_only)
        mpe_cb_sync(cb);
    mpe_cb_cfgpe(cb, 0, &sp->pe);
    mpe_cb_cfgout(cb, 0, sp->rq, sp->out, sp->bias, sp->relu, sp->lo, sp->hi);
    ch->ks = ch->akt = ch->wkt = pl->ks;
    ch->mt = ch->nt = ch->okt = 0; /* forces a cfggemm */
    uint64_t g0 = ch->g;
    for (uint32_t lg = 0; lg < pl->nmm; lg++) {
        uint64_t G = e.tokens ? ch->g : 0;
        int tail = e.tokens && final && lg + pl->nbuf >= pl->nmm;
        emit_loads(&e, lg, G);
        if (sp->sync_only)
            mpe_cb_sync(cb);
        emit_matmul(&e, lg, G, tail);
        if (sp->sync_only)
            mpe_cb_sync(cb);
        emit_store(&e, lg, G, tail);
        if (sp->sync_only)
            mpe_cb_sync(cb);
        if (e.tokens)
            ch->g++;
    }
    if (e.tokens && final)
        flush(&e, g0);
    return cb->err;
}
