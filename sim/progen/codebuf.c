/* Growable instruction buffer and instruction constructors. */
#include "mpe/codebuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mpe_cb_init(mpe_codebuf *cb)
{
    memset(cb, 0, sizeof *cb);
}

void mpe_cb_free(mpe_codebuf *cb)
{
    free(cb->code);
    mpe_cb_init(cb);
}

long mpe_cb_insn(mpe_codebuf *cb, const mpe_insn *in)
{
    if (cb->err != MPE_OK)
        return -1;
    if (cb->n == cb->cap) {
        size_t cap = cb->cap ? 2 * cb->cap : 64;
        uint8_t *p = realloc(cb->code, cap * MPE_INSN_BYTES);
        if (!p) {
            cb->err = MPE_ERR_NOMEM;
            snprintf(cb->msg, sizeof cb->msg, "out of memory");
            return -1;
        }
        cb->code = p;
        cb->cap = cap;
    }
    mpe_status st = mpe_insn_encode(in, cb->code + cb->n * MPE_INSN_BYTES);
    if (st != MPE_OK) {
        cb->err = st;
        snprintf(cb->msg, sizeof cb->msg, "instruction %zu (%s): a value does not fit its field",
                 cb->n, in->id < MPE_I_COUNT ? mpe_insn_table[in->id].mnemonic : "?");
        return -1;
    }
    return (long)cb->n++;
}

void mpe_cb_patch(mpe_codebuf *cb, long idx, int field, int64_t v)
{
    if (cb->err != MPE_OK || idx < 0 || (size_t)idx >= cb->n)
        return;
    uint8_t *w = cb->code + (size_t)idx * MPE_INSN_BYTES;
    mpe_insn in;
    if (mpe_insn_decode(w, &in) != MPE_OK)
        return;
    in.f[field] = v;
    if (mpe_insn_encode(&in, w) != MPE_OK) {
        cb->err = MPE_ERR_RANGE;
        snprintf(cb->msg, sizeof cb->msg, "instruction %ld: patched value does not fit", idx);
    }
}

static mpe_insn mk(mpe_insn_id id)
{
    mpe_insn in;
    mpe_insn_init(&in, id);
    return in;
}

long mpe_cb_load(mpe_codebuf *cb, int deps, int sp, uint32_t spaddr, int rbase, int64_t mem,
                 uint32_t rows, uint32_t rowbytes, uint32_t stride)
{
    mpe_insn in = mk(MPE_I_LOAD);
    in.f[MPE_F_LOAD_deps] = deps;
    in.f[MPE_F_LOAD_sp] = sp;
    in.f[MPE_F_LOAD_spaddr] = spaddr;
    in.f[MPE_F_LOAD_rbase] = rbase;
    in.f[MPE_F_LOAD_mem] = mem;
    in.f[MPE_F_LOAD_rows] = rows;
    in.f[MPE_F_LOAD_rowbytes] = rowbytes;
    in.f[MPE_F_LOAD_stride] = stride;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_store(mpe_codebuf *cb, int deps, uint32_t spaddr, int rbase, int64_t mem,
                  uint32_t rows, uint32_t rowbytes, uint32_t stride)
{
    mpe_insn in = mk(MPE_I_STORE);
    in.f[MPE_F_STORE_deps] = deps;
    in.f[MPE_F_STORE_spaddr] = spaddr;
    in.f[MPE_F_STORE_rbase] = rbase;
    in.f[MPE_F_STORE_mem] = mem;
    in.f[MPE_F_STORE_rows] = rows;
    in.f[MPE_F_STORE_rowbytes] = rowbytes;
    in.f[MPE_F_STORE_stride] = stride;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_cfgpe(mpe_codebuf *cb, int deps, const mpe_pe_cfg *pe)
{
    mpe_insn in = mk(MPE_I_CFGPE);
    in.f[MPE_F_CFGPE_deps] = deps;
    in.f[MPE_F_CFGPE_mode] = pe->mode;
    in.f[MPE_F_CFGPE_akind] = pe->a.kind;
    in.f[MPE_F_CFGPE_abits] = pe->a.bits;
    in.f[MPE_F_CFGPE_afmt] = pe->a.kind == MPE_DT_FP ? pe->a.fmt : 0;
    in.f[MPE_F_CFGPE_wkind] = pe->w.kind;
    in.f[MPE_F_CFGPE_wbits] = pe->w.bits;
    in.f[MPE_F_CFGPE_wfmt] = pe->w.kind == MPE_DT_FP ? pe->w.fmt : 0;
    in.f[MPE_F_CFGPE_bserial] = pe->both_serial;
    in.f[MPE_F_CFGPE_group] = pe->group;
    in.f[MPE_F_CFGPE_sfmt] = pe->scale_fmt;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_cfgout(mpe_codebuf *cb, int deps, int rq, int out, int bias, int relu, int32_t lo,
                   int32_t hi)
{
    mpe_insn in = mk(MPE_I_CFGOUT);
    in.f[MPE_F_CFGOUT_deps] = deps;
    in.f[MPE_F_CFGOUT_rq] = rq;
    in.f[MPE_F_CFGOUT_out] = out;
    in.f[MPE_F_CFGOUT_bias] = bias;
    in.f[MPE_F_CFGOUT_relu] = relu;
    in.f[MPE_F_CFGOUT_lo] = lo;
    in.f[MPE_F_CFGOUT_hi] = hi;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_cfggemm(mpe_codebuf *cb, int deps, uint32_t mt, uint32_t nt, uint32_t ks,
                    uint32_t akt, uint32_t wkt, uint32_t okt)
{
    mpe_insn in = mk(MPE_I_CFGGEMM);
    in.f[MPE_F_CFGGEMM_deps] = deps;
    in.f[MPE_F_CFGGEMM_mt] = mt;
    in.f[MPE_F_CFGGEMM_nt] = nt;
    in.f[MPE_F_CFGGEMM_ks] = ks;
    in.f[MPE_F_CFGGEMM_akt] = akt;
    in.f[MPE_F_CFGGEMM_wkt] = wkt;
    in.f[MPE_F_CFGGEMM_okt] = okt;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_matmul(mpe_codebuf *cb, int deps, uint32_t a, uint32_t w, uint32_t o, uint32_t p,
                   uint32_t s)
{
    mpe_insn in = mk(MPE_I_MATMUL);
    in.f[MPE_F_MATMUL_deps] = deps;
    in.f[MPE_F_MATMUL_a] = a;
    in.f[MPE_F_MATMUL_w] = w;
    in.f[MPE_F_MATMUL_o] = o;
    in.f[MPE_F_MATMUL_p] = p;
    in.f[MPE_F_MATMUL_s] = s;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_li(mpe_codebuf *cb, int rd, uint32_t imm)
{
    mpe_insn in = mk(MPE_I_LI);
    in.f[MPE_F_LI_rd] = rd;
    in.f[MPE_F_LI_imm] = imm;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_addi(mpe_codebuf *cb, int rd, int rs, int32_t imm)
{
    mpe_insn in = mk(MPE_I_ADDI);
    in.f[MPE_F_ADDI_rd] = rd;
    in.f[MPE_F_ADDI_rs] = rs;
    in.f[MPE_F_ADDI_imm] = imm;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_dbnz(mpe_codebuf *cb, int rs, uint32_t target)
{
    mpe_insn in = mk(MPE_I_DBNZ);
    in.f[MPE_F_DBNZ_rs] = rs;
    in.f[MPE_F_DBNZ_target] = target;
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_nop(mpe_codebuf *cb)
{
    mpe_insn in = mk(MPE_I_NOP);
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_sync(mpe_codebuf *cb)
{
    mpe_insn in = mk(MPE_I_SYNC);
    return mpe_cb_insn(cb, &in);
}

long mpe_cb_halt(mpe_codebuf *cb)
{
    mpe_insn in = mk(MPE_I_HALT);
    return mpe_cb_insn(cb, &in);
}
