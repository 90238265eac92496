/* Structural GEMM: Y = A x W^T computed op by op on one lanes x cols PE
 * (mpe_pe_step). For each tile of `cols` weight rows the weights and their
 * scales are packed once in op order; then every activation row runs K/lanes
 * ops in increasing k, the first with `clear`, and the accumulators are read
 * after the last. */
#include "pe_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const mpe_pe_cfg *cfg;
    const mpe_gemm_args *g;
    int lanes, cols, slots, nblk, nops;
    uint16_t *w;  /* [nops][cols][lanes] */
    uint16_t *ws; /* [nops][cols][slots] */
    int16_t *wz;  /* [nops][cols][slots] */
} gemm_ctx;

/* Block index of slot j of op t. */
static int slot_block(const gemm_ctx *x, int t, int j)
{
    int g = x->cfg->group;
    return (t * x->lanes) / g + (g < x->lanes ? j : 0);
}

/* Packs weight rows n0..n0+cols-1 (missing rows as zero codes). */
static void pack_tile(gemm_ctx *x, int n0)
{
    const mpe_gemm_args *g = x->g;
    for (int t = 0; t < x->nops; t++)
        for (int c = 0; c < x->cols; c++) {
            int n = n0 + c;
            uint16_t *dst = x->w + ((size_t)t * x->cols + c) * x->lanes;
            if (n < g->N)
                memcpy(dst, g->W + (size_t)n * g->K + (size_t)t * x->lanes,
                       sizeof *dst * (size_t)x->lanes);
            else
                memset(dst, 0, sizeof *dst * (size_t)x->lanes);
            for (int j = 0; j < x->slots; j++) {
                size_t i = ((size_t)t * x->cols + c) * x->slots + j;
                size_t b = (size_t)n * x->nblk + slot_block(x, t, j);
                x->ws[i] = n < g->N ? g->w_scale[b] : 0;
                x->wz[i] = (n < g->N && g->w_zero) ? g->w_zero[b] : 0;
            }
        }
}

/* Runs the ops of activation row m against the packed tile at column n0. */
static mpe_status run_row(gemm_ctx *x, mpe_pe *pe, int m, int n0, int64_t *y_int,
                          uint32_t *y_f32, uint64_t *cycles)
{
    const mpe_gemm_args *g = x->g;
    for (int t = 0; t < x->nops; t++) {
        mpe_pe_op op;
        size_t tw = (size_t)t * x->cols;
        op.a = g->A + (size_t)m * g->K + (size_t)t * x->lanes;
        op.w = x->w + tw * x->lanes;
        op.a_scale = (x->slots && g->a_scale) ? g->a_scale + (size_t)m * x->nblk + slot_block(x, t, 0)
                                : NULL;
        op.w_scale = x->ws + tw * x->slots;
        op.w_zero = x->wz + tw * x->slots;
        op.clear = t == 0;
        int cyc = 0;
        mpe_status s = mpe_pe_step(pe, &op, &cyc);
        if (s != MPE_OK)
            return s;
        *cycles += (uint64_t)cyc;
    }
    for (int c = 0; c < x->cols && n0 + c < g->N; c++) {
        size_t i = (size_t)m * g->N + n0 + c;
        if (y_f32)
            y_f32[i] = mpe_pe_acc_f32(pe, c);
        if (y_int)
            y_int[i] = mpe_pe_acc_int(pe, c);
    }
    return MPE_OK;
}

static mpe_status check_args(const mpe_pe_cfg *cfg, int lanes, const mpe_gemm_args *g,
                             const int64_t *y_int, const uint32_t *y_f32)
{
    if (!g || !g->A || !g->W)
        return MPE_ERR_ARG;
    if (g->M < 1 || g->N < 1 || g->K < 1 || g->K % lanes)
        return MPE_ERR_SHAPE;
    if (mpe_pe_cfg_is_float(cfg)) {
        if (g->K % cfg->group)
            return MPE_ERR_SHAPE;
        if (!y_f32 || !g->w_scale || (cfg->mode == MPE_MODE_BFP && !g->a_scale))
            return MPE_ERR_ARG;
    } else if (!y_int) {
        return MPE_ERR_ARG;
    }
    return MPE_OK;
}

mpe_status mpe_gemm_structural(const mpe_pe_cfg *cfg, int lanes, int cols,
                               const mpe_gemm_args *g, int64_t *y_int, uint32_t *y_f32,
                               uint64_t *cycles)
{
    mpe_pe pe;
    mpe_status s = mpe_pe_init(&pe, lanes, cols, cfg);
    if (s == MPE_OK)
        s = check_args(cfg, lanes, g, y_int, y_f32);
    if (s != MPE_OK)
        return s;
    gemm_ctx x = {cfg, g, lanes, cols, mpe_pe_scale_slots(cfg, lanes),
                  cfg->group ? g->K / cfg->group : 0, g->K / lanes, NULL, NULL, NULL};
    size_t nsl = (size_t)x.nops * cols * (x.slots ? x.slots : 1);
    x.w = malloc(sizeof *x.w * (size_t)x.nops * cols * lanes);
    x.ws = malloc(sizeof *x.ws * nsl);
    x.wz = malloc(sizeof *x.wz * nsl);
    uint64_t cyc = 0;
    if (!x.w || !x.ws || !x.wz)
        s = MPE_ERR_NOMEM;
    for (int n0 = 0; s == MPE_OK && n0 < g->N; n0 += cols) {
        pack_tile(&x, n0);
        for (int m = 0; s == MPE_OK && m < g->M; m++)
            s = run_row(&x, &pe, m, n0, y_int, y_f32, &cyc);
    }
    free(x.w);
    free(x.ws);
    free(x.wz);
    if (cycles)
        *cycles = cyc;
    return s;
}
