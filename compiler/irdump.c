/* --dump-after: a readable listing of the IR at the current stage. */
#include "comp.h"

#include <string.h>

#include "mpe/format.h"


static void dims(FILE *f, int nd, const int64_t *d)
{
    fputc('[', f);
    for (int i = 0; i < nd; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)d[i]);
    fputc(']', f);
}

static void quant(FILE *f, const ir_quant *q)
{
    if (q->dtype)
        fprintf(f, " q=%s scale=%.9g zp=%d", mpe_ttype_name(q->dtype),
                (double)mpe_f32_from_bits(q->scale), q->zp);
}

static void dump_value(comp *c, FILE *f, int i)
{
    static const char *const kinds[] = {"act", "const", "input"};
    const ir_value *v = &c->v[i];
    fprintf(f, "  %%%d %s %s %s", i, kinds[v->kind], v->name, mpe_ttype_name(v->dtype));
    dims(f, v->ndim, v->dims);
    if (v->dynamic[0])
        fprintf(f, " dynamic(%s)", v->dynamic);
    if (v->view_of >= 0)
        fprintf(f, " view_of=%%%d", v->view_of);
    if (v->nchw)
        fprintf(f, " nchw");
    if (v->im2col_of >= 0)
        fprintf(f, " im2col_of=%s gathered_from=%%%d", c->L[v->im2col_of].name, v->gather_src);
    if (v->is_output)
        fprintf(f, " output");
    quant(f, &v->q);
    if (c->stage >= ST_TILE && v->bytes)
        fprintf(f, " mem=0x%llx+%llu rows=%lld/%lld cols=%lld/%lld cw=%d",
                (unsigned long long)v->addr, (unsigned long long)v->bytes,
                (long long)v->rows, (long long)v->rows_p, (long long)v->cols,
                (long long)v->cols_p, v->cw);
    fputc('\n', f);
}

static void dump_node(comp *c, FILE *f, int i)
{
    const ir_node *n = &c->n[i];
    fprintf(f, "  %s(%s)%s:", n->op, n->name, n->dead ? " dead" : "");
    for (int k = 0; k < n->nin; k++)
        fprintf(f, k ? ", %%%d" : " %%%d", n->in[k]);
    fprintf(f, " ->");
    for (int k = 0; k < n->nout; k++)
        fprintf(f, " %%%d", n->out[k]);
    fputc('\n', f);
}

static const char *ws_name(int k)
{
    static const char *const n[] = {"NxK", "KxN", "nbits"};
    return n[k];
}

static void dump_prec(FILE *f, const ir_layer *L)
{
    const ir_prec *p = &L->prec;
    if (p->grouped) {
        fprintf(f, "    precision: uint%d codes, FP16 scales and zero points per %d\n",
                L->w.bits, L->w.bs);
        return;
    }
    fprintf(f, "    precision: range [%d, %d] int%d", p->lo, p->hi, p->ibits);
    if (p->ubits)
        fprintf(f, " uint%d", p->ubits);
    fprintf(f, "%s%s%s\n", p->binary ? " binary" : "", p->ternary ? " ternary" : "",
            p->pow2 ? " pow2" : "");
}

static void dump_layer(comp *c, FILE *f, int i)
{
    const ir_layer *L = &c->L[i];
    fprintf(f, "  layer %d %s(%s): x=%%%d y=%%%d M=%lld N=%lld K=%lld rows x@%lld y@%lld\n", i,
            L->op, L->name, L->x, L->y, (long long)L->M, (long long)L->N, (long long)L->K,
            (long long)L->xrow0, (long long)L->yrow0);
    fprintf(f, "    act:");
    quant(f, &L->aq);
    fprintf(f, "  weights: %s %%%d base=%lld%s\n", ws_name(L->w.kind), L->w.src,
            (long long)L->w.base, L->w.zp ? " minus zero points" : "");
    fprintf(f, "    out: %s rq=%d bias=%d relu=%d clamp=[%d,%d]", mpe_out_name(L->out), L->rq,
            L->has_bias, L->relu, L->lo, L->hi);
    quant(f, &L->yq);
    if (L->mult)
        fprintf(f, " M[0]=%.9g", (double)mpe_f32_from_bits(L->mult[0]));
    if (L->bias)
        fprintf(f, " bias[0]=%d", L->bias[0]);
    if (L->fbias)
        fprintf(f, " fbias[0]=%.9g", (double)mpe_f32_from_bits(L->fbias[0]));
    fputc('\n', f);
    if (L->is_conv)
        fprintf(f, "    conv: C=%d H=%d W=%d k=%dx%d s=%d,%d d=%d,%d pads=%d,%d,%d,%d -> %dx%d\n",
                L->C, L->H, L->W, L->kh, L->kw, L->sh, L->sw, L->dh, L->dw, L->pt, L->pl,
                L->pb, L->pr, L->OH, L->OW);
    if (L->is_conv && L->cseg)
        fprintf(f, "    im2col: gathered, k = (ky*%d + kx)*%d + c\n", L->kw, L->cseg);
    if (c->stage >= ST_PRECISION)
        dump_prec(f, L);
    if (c->stage >= ST_MODE)
        fprintf(f, "    mode: %s a=%s w=%s group=%d est=%llu cycles (pe %llu) energy=%.2f: %s\n",
                mpe_mode_name((mpe_mode)L->cfg.mode), mpe_dt_name(L->cfg.a),
                mpe_dt_name(L->cfg.w), L->cfg.group, (unsigned long long)L->cost.cycles,
                (unsigned long long)L->cost.pe_cycles, L->cost.energy, L->why);
    if (c->stage >= ST_TILE) {
        const ir_tiling *t = &L->t;
        fprintf(f, "    tiling: mp=%lld np=%lld kp=%lld ks=%d mt=%d nt=%d blocks %dx%d "
                "buffers a%d w%d o%d%s%s\n", (long long)t->mp, (long long)t->np,
                (long long)t->kp, t->ks, t->mt, t->nt, t->mblocks, t->nblocks, t->abuf,
                t->wbuf, t->obuf, t->w_resident ? " w-resident" : "",
                t->a_outer ? " m-outer" : " n-outer");
    }
    if (c->stage >= ST_PACK)
        fprintf(f, "    memory: w=0x%llx+%llu p=0x%llx+%llu s=0x%llx+%llu\n",
                (unsigned long long)L->w_addr, (unsigned long long)L->w_bytes,
                (unsigned long long)L->p_addr, (unsigned long long)L->p_bytes,
                (unsigned long long)L->s_addr, (unsigned long long)L->s_bytes);
}

static void dump_io(comp *c, FILE *f, int i)
{
    const ir_io *io = &c->io[i];
    fprintf(f, "  %s %s %s", io->is_input ? "input" : "output", io->name,
            mpe_ttype_name(io->onnx_dtype));
    dims(f, io->ndim, io->dims);
    fprintf(f, " value=%%%d%s%s", io->value, io->layout == IO_IM2COL ? " im2col" : "",
            io->nchw ? " nchw" : "");
    quant(f, &io->q);
    fputc('\n', f);
}

void ir_dump(comp *c, FILE *f)
{
    fprintf(f, "# IR after %s\n", mpe_comp_pass_name(c->stage));
    if (c->stage < ST_FUSE) {
        fprintf(f, "values:\n");
        for (int i = 0; i < c->nv; i++)
            dump_value(c, f, i);
        fprintf(f, "nodes:\n");
        for (int i = 0; i < c->nn; i++)
            dump_node(c, f, i);
        return;
    }
    fprintf(f, "activations:\n");
    for (int i = 0; i < c->nv; i++)
        if (c->v[i].kind != VK_CONST && c->v[i].view_of < 0 &&
            (c->v[i].q.dtype || c->v[i].bytes))
            dump_value(c, f, i);
    fprintf(f, "layers:\n");
    for (int i = 0; i < c->nl; i++)
        dump_layer(c, f, i);
    fprintf(f, "tensors:\n");
    for (int i = 0; i < c->nio; i++)
        dump_io(c, f, i);
    if (c->stage >= ST_SCHEDULE)
        fprintf(f, "program: %d instructions, memory top 0x%llx\n", c->nins,
                (unsigned long long)c->mem_top);
}
