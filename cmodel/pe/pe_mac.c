/* MAC baseline (docs/numerics.md 5.5): one multiplier per lane,
 * acc += sum_k a_k * w_k into the wrapping int48 accumulator. One cycle. */
#include "pe_int.h"

int mpe_pe_mac_op(mpe_pe *pe, const mpe_pe_op *op)
{
    int32_t x[MPE_PE_MAX_LANES];
    int lanes = pe->lanes;
    int w_sg = pe->cfg.w.kind == MPE_DT_INT;
    mpe_pe_decode_acts(pe, op->a, x);
    for (int c = 0; c < pe->cols; c++) {
        const uint16_t *w = op->w + (size_t)c * lanes;
        int64_t dot = 0;
        for (int k = 0; k < lanes; k++)
            dot += (int64_t)x[k] * pe_int_dec(w_sg, pe->cfg.w.bits, w[k]);
        pe->acc[c] = pe_acc_add(pe->acc[c], dot);
    }
    return 1;
}
