/* Bit-serial mode (docs/numerics.md 5.4). Activations enter one bit-plane
 * per cycle, LSB first; the weights are applied in parallel: cycle p adds
 * sum_k (bit_p(a_k) ? w_k : 0) << p, subtracted for the MSB plane of signed
 * activations. Both-serial (Loom): cycle (p, q), p outer, adds
 * popcount_k(bit_p(a_k) & bit_q(w_k)) << (p + q), negated when exactly one
 * of the two planes is the MSB of a signed operand. */
#include "pe_int.h"

/* m[p]: bit k set when bit p of lane k's code is set. */
static void plane_masks(const uint16_t *code, int lanes, int bits, uint64_t *m)
{
    for (int p = 0; p < bits; p++)
        m[p] = 0;
    for (int k = 0; k < lanes; k++)
        for (int p = 0; p < bits; p++)
            m[p] |= (uint64_t)((code[k] >> p) & 1) << k;
}

static int64_t act_serial_column(const mpe_pe *pe, const uint64_t *am, const uint16_t *wc)
{
    mpe_dtype a = pe->cfg.a, w = pe->cfg.w;
    int32_t wv[MPE_PE_MAX_LANES];
    uint64_t acc = 0;
    for (int k = 0; k < pe->lanes; k++)
        wv[k] = pe_int_dec(w.kind == MPE_DT_INT, w.bits, wc[k]);
    for (int p = 0; p < a.bits; p++) { /* one activation plane per cycle */
        int64_t sum = 0;
        for (uint64_t m = am[p]; m; m &= m - 1) /* AND gates + adder tree */
            sum += wv[__builtin_ctzll(m)];
        int64_t term = pe_shl(sum, (unsigned)p);
        if (a.kind == MPE_DT_INT && p == a.bits - 1)
            term = -term;
        acc += (uint64_t)term;
    }
    return (int64_t)acc;
}

static int64_t both_serial_column(const mpe_pe *pe, const uint64_t *am, const uint16_t *wc)
{
    mpe_dtype a = pe->cfg.a, w = pe->cfg.w;
    uint64_t wm[16], acc = 0;
    plane_masks(wc, pe->lanes, w.bits, wm);
    for (int p = 0; p < a.bits; p++)
        for (int q = 0; q < w.bits; q++) { /* one plane pair per cycle */
            int64_t term = pe_shl(__builtin_popcountll(am[p] & wm[q]), (unsigned)(p + q));
            int a_msb = a.kind == MPE_DT_INT && p == a.bits - 1;
            int w_msb = w.kind == MPE_DT_INT && q == w.bits - 1;
            acc += (uint64_t)(a_msb ^ w_msb ? -term : term);
        }
    return (int64_t)acc;
}

int mpe_pe_bs_op(mpe_pe *pe, const mpe_pe_op *op)
{
    uint64_t am[16];
    plane_masks(op->a, pe->lanes, pe->cfg.a.bits, am);
    for (int c = 0; c < pe->cols; c++) {
        const uint16_t *wc = op->w + (size_t)c * pe->lanes;
        int64_t inc = pe->cfg.both_serial ? both_serial_column(pe, am, wc)
                                          : act_serial_column(pe, am, wc);
        pe->acc[c] = pe_acc_add(pe->acc[c], inc);
    }
    return mpe_pe_op_cycles(&pe->cfg, 0, pe->lut_ppc);
}
