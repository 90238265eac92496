/* The reference of a generated job: its GEMM computed directly from the
 * job's data (mpe_gemm_fast or mpe_gemm_structural) and the output stage,
 * with no scratchpad, tile loop or timing in between; and the job's outputs
 * read back from the accelerator's memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/le.h"
#include "mpe/outstage.h"
#include "mpe/progen.h"
#include "mpe/tensorio.h"

static uint32_t le32(const uint8_t *p) { return (uint32_t)mpe_get_le(p, 4); }

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

/* ---- job inputs ----------------------------------------------------------------- */

static void drop_data(mpe_program *p, uint64_t addr)
{
    for (size_t i = 0; i < p->ndata; i++)
        if (p->data[i].addr == addr) {
            free(p->data[i].bytes);
            memmove(&p->data[i], &p->data[i + 1], (p->ndata - i - 1) * sizeof p->data[0]);
            p->ndata--;
            return;
        }
}

/* The descriptor of job j's activations as an input: integer types as
 * float32 with scale 1/8 (zero point 1 for unsigned), other types as their
 * values (int8) or raw codes (uint8, FP elements). */
static mpe_tdesc input_desc(const mpe_arch *ar, const mpe_pg_job *job, size_t j)
{
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "x%zu", j);
    d.role = MPE_ROLE_INPUT;
    d.elem = MPE_ELEM_DTYPE;
    d.dt = job->spec.pe.a;
    d.ndim = 2;
    d.dims[0] = job->rows;
    d.dims[1] = job->spec.K;
    d.addr = job->spec.a_addr;
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = MPE_LP_TILED_COUNT;
    d.params[MPE_LP_VR] = (int32_t)ar->rows;
    d.params[MPE_LP_K] = (int32_t)ar->lanes;
    d.params[MPE_LP_MP] = (int32_t)job->rows;
    d.params[MPE_LP_KP] = (int32_t)job->spec.K;
    if (d.dt.kind == MPE_DT_INT || d.dt.kind == MPE_DT_UINT) {
        d.has_quant = 1;
        d.scale = 0x3E000000u; /* 0.125: (q - zp) * scale is exact */
        d.zero_point = d.dt.kind == MPE_DT_UINT;
        d.ttype = MPE_T_FLOAT;
    } else {
        d.ttype = d.dt.kind == MPE_DT_FP ? MPE_T_UINT8 : MPE_T_INT8;
    }
    return d;
}

static void input_value(const mpe_tdesc *d, uint16_t code, mpe_tensor *t, size_t i)
{
    uint8_t *p = t->data;
    if (d->ttype == MPE_T_FLOAT) {
        float x = (float)(mpe_dt_int_value(d->dt, code) - d->zero_point) * 0.125f;
        memcpy(p + 4 * i, &x, 4);
    } else if (d->ttype == MPE_T_UINT8) {
        p[i] = (uint8_t)code;
    } else {
        p[i] = (uint8_t)(int8_t)mpe_dt_int_value(d->dt, code);
    }
}

mpe_status mpe_pg_expose_input(const mpe_arch *ar, mpe_pg *pg, size_t j, mpe_tensor *host)
{
    memset(host, 0, sizeof *host);
    if (j >= pg->njobs)
        return MPE_ERR_ARG;
    const mpe_pg_job *job = &pg->jobs[j];
    mpe_tdesc d = input_desc(ar, job, j);
    int64_t dims[2] = {job->rows, job->spec.K};
    mpe_status st = mpe_tensor_alloc(host, d.ttype, 2, dims);
    if (st != MPE_OK)
        return st;
    for (size_t i = 0; i < host->count; i++)
        input_value(&d, job->A[i], host, i);
    st = mpe_program_add_tensor(&pg->prog, &d);
    if (st == MPE_OK)
        drop_data(&pg->prog, job->spec.a_addr);
    else
        mpe_tensor_free(host);
    return st;
}
