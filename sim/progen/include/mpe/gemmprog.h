/* GEMM programs: Y = outstage(A[M][K] x W[N][K]^T) as an accelerator
 * instruction stream (docs/isa.md), blocked so that each matmul computes an
 * (mt*R) x (nt*C) block over the whole K, with double-buffered loads and
 * stores overlapping the compute through dependency tokens (VTA style):
 *
 *   for each block g (in loop order):
 *     loads of group g   first pops C2L (g >= nbuf: matmul g-nbuf is done),
 *                        last pushes L2C
 *     matmul g           pops L2C, pops S2C (g >= nbuf: store g-nbuf done),
 *                        pushes C2L and C2S
 *     store g            pops C2S, pushes S2C
 *
 * Every k-th pop of a counter is matched by a k-th push that precedes it in
 * program order, which makes the stream deadlock-free. Scratchpads are cut
 * into nbuf fixed partitions, so several GEMMs can share one token chain.
 *
 * Memory layouts (byte addresses, beat aligned):
 *   A  tiled activations [M/R][K/L] vectors of R x L codes (docs/isa.md 3)
 *   W  tiled weights     [N/C][K/L] vectors of C x L codes
 *   Y  tiled outputs     [M/R][N/L] vectors of R x L output codes
 *   P  N output-parameter records of 16 bytes, in column order
 *   S  block scales: one record of `srec` bytes per matmul g, holding the
 *      PSP image at matmul.s (mpe_gemm_pack_scales builds it).
 * Shapes must be padded by the caller: M % R == 0, N % L == 0, K % L == 0. */
#ifndef MPE_GEMMPROG_H
#define MPE_GEMMPROG_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/arch.h"
#include "mpe/codebuf.h"
#include "mpe/pe.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { MPE_GEMM_AUTO, MPE_GEMM_W_STATIONARY, MPE_GEMM_A_STATIONARY };

typedef struct {
    mpe_pe_cfg pe;
    uint8_t rq, out, bias, relu; /* cfgout */
    int32_t lo, hi;
    uint32_t M, N, K;
    uint64_t a_addr, w_addr, o_addr, p_addr, s_addr;
    uint32_t mt, nt;   /* tiles per block; 0 = chosen by a cost estimate */
    uint8_t order;     /* MPE_GEMM_* (AUTO: chosen with the blocks) */
    uint8_t nbuf;      /* 1 or 2 buffers per scratchpad (0 = 2) */
    uint8_t sync_only; /* no tokens: sync around every phase (no overlap) */
    uint8_t scratch;   /* reserve the last beat of the PSP and OSP (hooks) */
} mpe_gemm_spec;

typedef struct {
    uint32_t R, C, L, beat, lat, nbuf, ppc; /* ppc: arch lut_ppc */
    uint32_t ks, kb, G;         /* k-steps, scale blocks along K, group */
    uint32_t mtiles, ntiles;    /* M/R, N/C */
    uint32_t mt, nt;            /* full block, in tiles */
    uint32_t mblocks, nblocks, nmm;
    int w_stationary;           /* N blocks outer, M blocks inner */
    int scales;                 /* 0 none, 1 bfp, 2 grouped shiftadd */
    uint32_t va, vw, vo;        /* vector bytes */
    uint32_t srec;              /* bytes of one scale record (0 if none) */
    uint32_t asp[2], wsp[2], osp[2], pp[2], ps[2]; /* partitions */
    uint32_t psp_scratch, osp_scratch;             /* scratch beats */
} mpe_gemm_plan;

/* Chooses blocks and partitions; MPE_ERR_SHAPE with a reason when the GEMM
 * cannot be expressed (padding, alignment, a tile row too large). */
mpe_status mpe_gemm_plan_make(const mpe_arch *ar, const mpe_gemm_spec *sp, mpe_gemm_plan *pl,
                              char *err, size_t errlen);
/* Block of matmul g (0..nmm-1): first tile row/column and their counts. */
void mpe_gemm_block(const mpe_gemm_plan *pl, uint32_t g, uint32_t *i0, uint32_t *mtb,
                    uint32_t *j0, uint32_t *ntb);
/* The nmm * srec bytes of scale records from logical arrays:
 * a_scale[M][K/G] (bfp), w_scale[N][K/G] (bfp codes / shiftadd FP16 bits),
 * w_zero[N][K/G] (shiftadd; NULL = 0). */
void mpe_gemm_pack_scales(const mpe_gemm_plan *pl, const mpe_gemm_spec *sp,
                          const uint16_t *a_scale, const uint16_t *w_scale,
                          const int16_t *w_zero, uint8_t *out);

/* Token chain shared by the GEMMs of one program. Zero-initialize. */
typedef struct {
    uint64_t g;                 /* matmuls emitted in token mode */
    uint64_t a_loads, w_loads;
    uint32_t nbuf;
    uint32_t pend_c2l[4], pend_s2c[4]; /* deferred extra pops, by group % 4 */
    uint32_t mt, nt, ks, akt, wkt, okt; /* the last cfggemm */
    uint64_t scratch_mem;       /* from the hooks (deferred extras use it) */
} mpe_gemm_chain;

/* Optional variations for testing the token machinery: extra push/pop
 * pairs that keep every pop matched (see gemmprog.c). `extra` must be a pure
 * function of (kind, g) (it may be asked twice); scratch_mem is a beat of
 * memory nobody reads; the spec must reserve the scratch beats. */
enum { MPE_GX_L2C, MPE_GX_C2L, MPE_GX_C2S, MPE_GX_S2C, MPE_GX_COUNT };
typedef struct {
    int (*extra)(void *user, int kind, uint64_t g);
    void *user;
    uint64_t scratch_mem;
} mpe_gemm_hooks;

/* Appends the GEMM (configuration, groups; no halt). `final`: the last GEMM
 * of the chain (its last matmuls and stores push no tokens nobody pops). */
mpe_status mpe_gemm_emit(const mpe_arch *ar, const mpe_gemm_spec *sp, const mpe_gemm_plan *pl,
                         mpe_gemm_chain *ch, int final, const mpe_gemm_hooks *hooks,
                         mpe_codebuf *cb);

/* Tiled layout (docs/isa.md 3) of a row-major code matrix [rows][cols]
 * (rows % vr == 0, cols % lanes == 0) with codes of cw bits: pack into /
 * unpack from `bytes` (rows * cols * cw / 8 bytes). */
void mpe_tiled_pack(const uint32_t *codes, uint32_t rows, uint32_t cols, uint32_t vr,
                    uint32_t lanes, uint32_t cw, uint8_t *bytes);
void mpe_tiled_unpack(const uint8_t *bytes, uint32_t rows, uint32_t cols, uint32_t vr,
                      uint32_t lanes, uint32_t cw, uint32_t *codes);
/* Container width of an operand code (docs/isa.md 3): 1, 2, 4, 8 or 16. */
uint32_t mpe_container_bits(uint32_t bits);

#ifdef __cplusplus
}
#endif
#endif
