/* --emit-asm: the program in the disassembler's syntax (mpe_insn_format),
 * with comments naming each layer, its mode and tiling, and the tensors.
 * `mpe asm` reads it back to the same code. */
#include "comp.h"

#include "mpe/asm.h"

static void layer_comment(comp *c, FILE *f, int li)
{
    const ir_layer *L = &c->L[li];
    fprintf(f, "\n# layer %d '%s' (%s): %lld x %lld x %lld, mode %s, a %s, w %s%s, out %s\n",
            li, L->name, L->op, (long long)L->Mreal, (long long)L->N, (long long)L->K,
            mpe_mode_name((mpe_mode)L->cfg.mode), mpe_dt_name(L->cfg.a),
            mpe_dt_name(L->cfg.w), L->cfg.group ? " grouped" : "", mpe_out_name(L->out));
    fprintf(f, "#   tiles mt=%d nt=%d ks=%d, %d x %d blocks, estimated %llu cycles\n",
            L->t.mt, L->t.nt, L->t.ks, L->t.mblocks, L->t.nblocks,
            (unsigned long long)L->cost.cycles);
}

int comp_write_listing(comp *c, const char *path)
{
    mpe_outfile out;
    if (comp_out_open(c, &out, path))
        return -1;
    FILE *f = out.f;
    fprintf(f, "# mpe compile %s: %d layers, %d instructions\n", c->o.model_path, c->nl,
            c->nins);
    for (int i = 0; i < c->nio; i++) {
        const ir_io *io = &c->io[i];
        fprintf(f, "# %s %s at 0x%llx\n", io->is_input ? "input " : "output", io->name,
                (unsigned long long)c->v[io->value].addr);
    }
    int cur = -2;
    for (int i = 0; i < c->nins; i++) {
        if (c->ins[i].layer != cur && c->ins[i].layer >= 0)
            layer_comment(c, f, c->ins[i].layer);
        cur = c->ins[i].layer;
        char buf[512];
        mpe_insn_format(&c->ins[i].in, NULL, buf, sizeof buf);
        fprintf(f, "    %s\n", buf);
    }
    return comp_out_close(c, &out);
}
