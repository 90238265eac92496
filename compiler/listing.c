/* --emit-asm: the finished program printed by the disassembler
 * (mpe_disasm_program_write: architecture, meta text, tensors, code, data),
 * with comments naming each layer, its mode and tiling. `mpe asm` reads it
 * back to the same binary. */
#include "comp.h"

#include "mpe/asm.h"

static void layer_comment(const comp *c, FILE *f, int li)
{
    const ir_layer *L = &c->L[li];
    fprintf(f, "# layer %d '%s' (%s): %lld x %lld x %lld, mode %s, a %s, w %s%s, out %s\n",
            li, L->name, L->op, (long long)L->Mreal, (long long)L->N, (long long)L->K,
            mpe_mode_name((mpe_mode)L->cfg.mode), mpe_dt_name(L->cfg.a),
            mpe_dt_name(L->cfg.w), L->cfg.group ? " grouped" : "", mpe_out_name(L->out));
    fprintf(f, "#   tiles mt=%d nt=%d ks=%d, %d x %d blocks, estimated %llu cycles\n",
            L->t.mt, L->t.nt, L->t.ks, L->t.mblocks, L->t.nblocks,
            (unsigned long long)L->cost.cycles);
}

/* A layer's comment before its first instruction (and again where it
 * resumes after another layer's). */
static void layer_note(void *user, size_t pc, FILE *f)
{
    const comp *c = user;
    int li = c->ins[pc].layer;
    if (li < 0 || (pc > 0 && c->ins[pc - 1].layer == li))
        return;
    if (pc > 0)
        fputc('\n', f);
    layer_comment(c, f, li);
}

int comp_write_listing(comp *c, const char *path)
{
    mpe_outfile out;
    if (comp_out_open(c, &out, path))
        return -1;
    FILE *f = out.f;
    char title[600];
    snprintf(title, sizeof title, "mpe compile %s, %d layer%s", c->o.model_path, c->nl,
             c->nl == 1 ? "" : "s");
    mpe_disasm_opts o = {title, 0, layer_note, c};
    if (mpe_disasm_program_write(f, c->prog, &o)) {
        mpe_out_abort(&out);
        return comp_err(c, "%s: out of memory", path);
    }
    return comp_out_close(c, &out);
}
