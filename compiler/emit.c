/* Pass `emit`: instructions encoded with the ISA encoder (mpe_insn_encode),
 * tensor descriptors (binary.h) for the model inputs and outputs, the
 * program assembled into an mpe_program (data records taken over from pack
 * without copying). The .mpeb image itself is produced by mpe_comp_write
 * (mpeb_out.c). */
#include "comp.h"

#include <stdlib.h>
#include <string.h>

#include "mpe/binary.h"

static int encode_code(comp *c, mpe_program *p)
{
    uint8_t *code = malloc((size_t)c->nins * MPE_INSN_BYTES);
    c->insn_layer = malloc((size_t)c->nins * sizeof *c->insn_layer);
    if (!code || !c->insn_layer) {
        free(code);
        return comp_err(c, "out of memory");
    }
    for (int i = 0; i < c->nins; i++)
        c->insn_layer[i] = c->ins[i].layer;
    for (int i = 0; i < c->nins; i++) {
        if (mpe_insn_encode(&c->ins[i].in, code + (size_t)i * MPE_INSN_BYTES) != MPE_OK) {
            free(code);
            return comp_err(c, "internal error: instruction %d (%s) does not encode", i,
                            mpe_insn_table[c->ins[i].in.id].mnemonic);
        }
    }
    p->code = code;
    p->ninsns = (size_t)c->nins;
    return 0;
}

static int tensor_dims(comp *c, const ir_io *io, mpe_tdesc *d)
{
    int nd = io->ndim, skip = 0;
    while (nd - skip > MPE_TDESC_MAX_DIMS && io->dims[skip] == 1)
        skip++;
    if (nd - skip > MPE_TDESC_MAX_DIMS)
        return comp_err(c, "tensor '%s' has rank %d; at most %d is supported", io->name, nd,
                        MPE_TDESC_MAX_DIMS);
    if (nd == 0) {
        d->ndim = 1;
        d->dims[0] = 1;
        return 0;
    }
    d->ndim = (uint8_t)(nd - skip);
    for (int i = skip; i < nd; i++) {
        if (io->dims[i] < 1 || io->dims[i] > UINT32_MAX)
            return comp_err(c, "tensor '%s': dimension %lld is not supported", io->name,
                            (long long)io->dims[i]);
        d->dims[i - skip] = (uint32_t)io->dims[i];
    }
    return 0;
}

static void tensor_layout(comp *c, const ir_io *io, mpe_tdesc *d)
{
    const ir_value *v = &c->v[io->value];
    d->layout = io->layout == IO_IM2COL ? MPE_LAYOUT_IM2COL
                : io->nchw && io->ndim == 4 ? MPE_LAYOUT_TILED_NCHW : MPE_LAYOUT_TILED;
    d->nparams = (uint8_t)mpe_layout_nparams(d->layout);
    d->params[MPE_LP_VR] = (int32_t)c->arch.rows;
    d->params[MPE_LP_K] = (int32_t)c->arch.lanes;
    d->params[MPE_LP_MP] = (int32_t)v->rows_p;
    d->params[MPE_LP_KP] = (int32_t)v->cols_p;
    if (io->layout != IO_IM2COL)
        return;
    const ir_layer *L = &c->L[io->layer];
    int32_t *p = d->params;
    p[MPE_LP_KH] = L->kh; p[MPE_LP_KW] = L->kw; p[MPE_LP_SH] = L->sh; p[MPE_LP_SW] = L->sw;
    p[MPE_LP_PAD_T] = L->pt; p[MPE_LP_PAD_L] = L->pl; p[MPE_LP_PAD_B] = L->pb;
    p[MPE_LP_PAD_R] = L->pr; p[MPE_LP_DH] = L->dh; p[MPE_LP_DW] = L->dw;
}

/* Stored element: the activation type for inputs, the output format of the
 * producing layer for outputs. */
static void tensor_elem(comp *c, const ir_io *io, mpe_tdesc *d)
{
    for (int i = 0; i < c->nl; i++) {
        const ir_layer *L = &c->L[i];
        if (io->is_input && L->x == io->value) {
            d->elem = MPE_ELEM_DTYPE;
            d->dt = L->cfg.a;
            if (d->dt.kind == MPE_DT_BFPINT) /* an int8 code is the MXINT8 element code */
                d->dt = mpe_dt_int(d->dt.bits);
            if (L->aq.dtype) {
                d->has_quant = 1;
                d->scale = io->onnx_dtype == MPE_T_FLOAT ? io->q.scale : L->aq.scale;
                d->zero_point = L->aq.zp;
            }
            return;
        }
        if (!io->is_input && L->y == io->value) {
            d->elem = MPE_ELEM_OUT;
            d->out = (uint8_t)L->out;
            if (!mpe_out_is_float(L->out) && io->q.dtype) {
                d->has_quant = 1;
                d->scale = io->q.scale;
                d->zero_point = io->q.zp;
            }
            return;
        }
    }
}

static int add_tensor(comp *c, mpe_program *p, int i)
{
    const ir_io *io = &c->io[i];
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    /* unique after sanitizing: the k-th repetition gets "#k+1" */
    for (int dup = 0;; dup++) {
        mpe_tdesc_name(io->name, dup, d.name);
        int seen = 0;
        for (size_t k = 0; k < p->ntensors; k++)
            seen |= !strcmp(p->tensors[k].name, d.name);
        if (!seen)
            break;
    }
    d.role = io->is_input ? MPE_ROLE_INPUT : MPE_ROLE_OUTPUT;
    d.ttype = (uint8_t)io->onnx_dtype;
    d.addr = c->v[io->value].addr;
    if (tensor_dims(c, io, &d))
        return -1;
    tensor_layout(c, io, &d);
    tensor_elem(c, io, &d);
    char why[256];
    if (mpe_tdesc_check(&d, &c->arch, why, sizeof why) != MPE_OK)
        return comp_err(c, "internal error: descriptor: %s", why);
    if (mpe_program_add_tensor(p, &d) != MPE_OK)
        return comp_err(c, "out of memory");
    return 0;
}

/* The data records take over the packed blocks (no copy). */
static int move_data(comp *c, mpe_program *p)
{
    p->data = calloc((size_t)(c->nblob ? c->nblob : 1), sizeof *p->data);
    if (!p->data)
        return comp_err(c, "out of memory");
    for (int i = 0; i < c->nblob; i++) {
        p->data[i].addr = c->blob[i].addr;
        p->data[i].len = c->blob[i].len;
        p->data[i].bytes = c->blob[i].data;
        c->blob[i].data = NULL;
    }
    p->ndata = (size_t)c->nblob;
    c->nblob = 0;
    return 0;
}

/* Instructions [lo, hi) of layer li; -1 when it has none or they are not
 * one run (the layer table then is left out). */
static int layer_pcs(const comp *c, int li, int *lo, int *hi)
{
    *lo = *hi = -1;
    for (int i = 0; i < c->nins; i++) {
        if (c->ins[i].layer != li)
            continue;
        if (*hi >= 0 && *hi != i)
            return -1;
        if (*lo < 0)
            *lo = i;
        *hi = i + 1;
    }
    return *lo < 0 ? -1 : 0;
}

/* The layer lines of mpe/progmeta.h; nothing when a layer's instructions
 * are not one run following the previous layer's. */
static void meta_layers(const comp *c, FILE *f)
{
    int lo, hi, end = 0;
    for (int i = 0; i < c->nl; end = hi, i++)
        if (layer_pcs(c, i, &lo, &hi) || lo < end)
            return;
    for (int i = 0; i < c->nl; i++) {
        layer_pcs(c, i, &lo, &hi);
        fprintf(f, "layer %d %d %d %llu %llu ", i, lo, hi,
                (unsigned long long)c->L[i].cost.cycles,
                (unsigned long long)c->L[i].cost.pe_cycles);
        for (const char *s = c->L[i].name; *s; s++)
            fputc((unsigned char)*s < 0x20 ? '_' : *s, f);
        fputc('\n', f);
    }
}

/* Producer, model, the cycle estimate and the layer table (mpe/progmeta.h). */
static int meta(comp *c, mpe_program *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return comp_err(c, "out of memory");
    uint64_t total = 0;
    for (int i = 0; i < c->nl; i++)
        total += c->L[i].cost.cycles;
    fprintf(f, "producer mpe compile\nmodel %s\nlayers %d\nestimated_cycles %llu\n",
            c->o.model_path, c->nl, (unsigned long long)total);
    meta_layers(c, f);
    int bad = fclose(f) != 0;
    bad = bad || mpe_program_set_meta(p, text) != MPE_OK;
    free(text);
    return bad ? comp_err(c, "out of memory") : 0;
}

int pass_emit(comp *c)
{
    mpe_program *p = calloc(1, sizeof *p);
    if (!p)
        return comp_err(c, "out of memory");
    mpe_program_init(p);
    p->arch = c->arch;
    c->prog = p;
    if (encode_code(c, p) || meta(c, p))
        return -1;
    for (int i = 0; i < c->nio; i++)
        if (add_tensor(c, p, i))
            return -1;
    return move_data(c, p);
}
