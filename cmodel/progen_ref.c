/* The reference of a generated job: its GEMM computed directly from the
 * job's data (mpe_gemm_fast or mpe_gemm_structural) and the output stage,
 * with no scratchpad, tile loop or timing in between; and the job's outputs
 * read back from the accelerator's memory. */
#include <stdlib.h>

#include "mpe/outstage.h"
#include "mpe/progen.h"

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static mpe_outcfg column_cfg(const mpe_gemm_spec *s, const uint8_t *rec)
{
    mpe_outcfg oc = mpe_outcfg_default(s->rq, s->out);
    oc.has_bias = s->bias;
    oc.relu = s->relu;
    oc.lo = s->lo;
    oc.hi = s->hi;
    oc.bias = le32(rec);
    oc.mult = le32(rec + 4);
    oc.shift = (int8_t)rec[8];
    oc.zp = (int32_t)le32(rec + 12);
    return oc;
}

mpe_status mpe_pg_expected(const mpe_arch *ar, const mpe_pg_job *j, int structural,
                           uint32_t *codes)
{
    const mpe_gemm_spec *s = &j->spec;
    size_t n = (size_t)j->rows * s->N;
    int64_t *yi = calloc(n, sizeof *yi);
    uint32_t *yf = calloc(n, sizeof *yf);
    if (!yi || !yf) {
        free(yi);
        free(yf);
        return MPE_ERR_NOMEM;
    }
    int bfp = s->pe.mode == MPE_MODE_BFP, sa = s->pe.mode == MPE_MODE_SHIFTADD && s->pe.group;
    mpe_gemm_args g = {(int)j->rows, (int)s->N, (int)s->K, j->A, j->W,
                       bfp ? j->a_scale : NULL, bfp || sa ? j->w_scale : NULL,
                       sa ? j->w_zero : NULL};
    mpe_status st = structural
                        ? mpe_gemm_structural(&s->pe, (int)ar->lanes, (int)ar->cols, &g, yi, yf,
                                              NULL)
                        : mpe_gemm_fast(&s->pe, &g, yi, yf);
    int fl = mpe_pe_cfg_is_float(&s->pe);
    for (uint32_t c = 0; st == MPE_OK && c < s->N; c++) {
        mpe_outcfg oc = column_cfg(s, j->params + (size_t)c * 16);
        for (uint32_t m = 0; m < j->rows; m++) {
            size_t e = (size_t)m * s->N + c;
            codes[e] = fl ? mpe_out_from_f32(&oc, yf[e]) : mpe_out_from_int(&oc, yi[e]);
        }
    }
    free(yi);
    free(yf);
    return st;
}

mpe_status mpe_pg_actual(const mpe_accel *acc, const mpe_pg_job *j, uint32_t *codes)
{
    const mpe_arch *ar = mpe_accel_arch(acc);
    const mpe_gemm_spec *s = &j->spec;
    uint32_t cw = (uint32_t)mpe_out_bits(s->out);
    size_t bytes = (size_t)j->rows * s->N * cw / 8;
    uint8_t *b = malloc(bytes ? bytes : 1);
    if (!b)
        return MPE_ERR_NOMEM;
    mpe_status st = mpe_accel_mem_read(acc, s->o_addr, b, bytes);
    if (st == MPE_OK)
        mpe_tiled_unpack(b, j->rows, s->N, ar->rows, ar->lanes, cw, codes);
    free(b);
    return st;
}
