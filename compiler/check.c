/* Invariants of the IR, checked after every pass (compile.c). A failure is
 * a compiler bug, reported as an internal error, never bad input. */
#include "comp.h"

#include "mpe/isa.h"


static int check_nodes(comp *c)
{
    for (int i = 0; i < c->nn; i++) {
        const ir_node *n = &c->n[i];
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] < -1 || n->in[k] >= c->nv)
                return comp_err(c, "node %s: bad input index", n->name);
        for (int k = 0; k < n->nout; k++)
            if (n->out[k] < 0 || n->out[k] >= c->nv)
                return comp_err(c, "node %s: bad output index", n->name);
        if (c->stage >= ST_FUSE && !n->dead)
            return comp_err(c, "node %s (%s) survived fuse", n->name, n->op);
    }
    return 0;
}

static int check_layer(comp *c, const ir_layer *L)
{
    if (L->x < 0 || L->x >= c->nv || L->y < 0 || L->y >= c->nv)
        return comp_err(c, "layer %s: bad value index", L->name);
    if (c->v[L->x].kind == VK_CONST || c->v[L->x].view_of >= 0 || c->v[L->y].view_of >= 0)
        return comp_err(c, "layer %s: input/output is not an activation root", L->name);
    if (L->N < 1 || L->K < 1 || L->M < 1 || L->M % c->arch.rows)
        return comp_err(c, "layer %s: bad GEMM shape %lldx%lldx%lld", L->name,
                        (long long)L->M, (long long)L->N, (long long)L->K);
    if (c->stage >= ST_PRECISION && !L->prec.grouped && (L->prec.ibits < 1 || L->prec.ibits > 16))
        return comp_err(c, "layer %s: precision not set", L->name);
    if (c->stage >= ST_MODE && L->cfg.mode >= MPE_MODE_COUNT)
        return comp_err(c, "layer %s: mode not set", L->name);
    if (c->stage >= ST_TILE) {
        const ir_tiling *t = &L->t;
        if (t->ks * (int64_t)c->arch.lanes != t->kp || t->kp < L->K || t->mt < 1 || t->nt < 1)
            return comp_err(c, "layer %s: bad tiling", L->name);
        for (int b = 0; b < 2; b++)
            if (t->a_sp[b] + t->asz > c->arch.asp_bytes || t->w_sp[b] + t->wsz > c->arch.wsp_bytes ||
                t->o_sp[b] + t->osz > c->arch.osp_bytes || t->s_sp[b] + t->ssz > c->arch.psp_bytes ||
                t->p_sp[b] + t->psz > c->arch.psp_bytes)
                return comp_err(c, "layer %s: scratchpad overflow", L->name);
    }
    return 0;
}

static int check_blobs(comp *c)
{
    for (int i = 0; i < c->nblob; i++) {
        const ir_blob *b = &c->blob[i];
        if (b->addr + b->len > c->arch.mem_bytes || b->addr % c->arch.beat_bytes)
            return comp_err(c, "data block %d outside memory or misaligned", i);
        if (i && b->addr < c->blob[i - 1].addr + c->blob[i - 1].len)
            return comp_err(c, "data blocks %d and %d overlap", i - 1, i);
    }
    return 0;
}

int ir_check(comp *c)
{
    if (check_nodes(c))
        return -1;
    for (int i = 0; c->stage >= ST_FUSE && i < c->nl; i++)
        if (check_layer(c, &c->L[i]))
            return -1;
    for (int i = 0; c->stage >= ST_FUSE && i < c->nio; i++)
        if (c->io[i].value < 0 || c->io[i].value >= c->nv || c->v[c->io[i].value].view_of >= 0)
            return comp_err(c, "tensor %s: bad value", c->io[i].name);
    for (int v = 0; c->stage >= ST_LOWER && v < c->nv; v++) {
        const ir_value *g = &c->v[v];
        if (g->im2col_of < 0)
            continue;
        int src = 0;
        for (int i = 0; i < c->nl; i++)
            src |= c->L[i].y == g->gather_src;
        if (g->im2col_of >= c->nl || c->L[g->im2col_of].x != v || !c->L[g->im2col_of].cseg || !src)
            return comp_err(c, "gathered im2col matrix %s: bad consumer or producer", g->name);
    }
    if (c->stage >= ST_PACK && check_blobs(c))
        return -1;
    if (c->stage >= ST_SCHEDULE &&
        (c->nins < 1 || c->ins[c->nins - 1].in.id != MPE_I_HALT || c->nins > (int)c->arch.imem_insns))
        return comp_err(c, "program does not end with halt or exceeds the instruction memory");
    return 0;
}
