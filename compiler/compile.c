/* The compiler driver: the passes in order, an invariant check after each,
 * the IR dump after the pass named by --dump-after (QBE style). */
#include "comp.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(comp *c);
} passes[] = {
    {"import", pass_import},       {"fold", pass_fold},
    {"fuse", pass_fuse},           {"lower_conv", pass_lower_conv},
    {"precision", pass_precision}, {"choose_mode", pass_choose_mode},
    {"tile", pass_tile},           {"pack", pass_pack},
    {"schedule", pass_schedule},   {"emit", pass_emit},
};
#define NPASSES ((int)(sizeof passes / sizeof passes[0]))

int mpe_comp_npasses(void)
{
    return NPASSES;
}

const char *mpe_comp_pass_name(int i)
{
    return i >= 0 && i < NPASSES ? passes[i].name : NULL;
}

comp *mpe_comp_new(const mpe_comp_opts *o)
{
    comp *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->o = *o;
    c->stage = -1;
    const char **fields[5] = {&c->o.model_path, &c->o.arch_path, &c->o.dump_after,
                              &c->o.asm_path, &c->o.report_path};
    for (int i = 0; i < 5; i++) {
        if (!*fields[i])
            continue;
        c->strs[i] = comp_strdup(*fields[i]);
        if (!c->strs[i]) {
            mpe_comp_free(c);
            return NULL;
        }
        *fields[i] = c->strs[i];
    }
    return c;
}

static int load_arch(comp *c)
{
    char why[256];
    if (!c->o.arch_path) {
        mpe_arch_default(&c->arch);
        return 0;
    }
    if (mpe_arch_load(c->o.arch_path, &c->arch, why, sizeof why) != MPE_OK)
        return comp_err(c, "%s", why);
    return 0;
}

int mpe_comp_run(comp *c)
{
    if (c->o.dump_after) {
        int ok = 0;
        for (int i = 0; i < NPASSES; i++)
            ok |= !strcmp(passes[i].name, c->o.dump_after);
        if (!ok)
            return comp_err(c, "--dump-after: unknown pass '%s'", c->o.dump_after);
    }
    if (load_arch(c))
        return -1;
    for (int i = 0; i < NPASSES; i++) {
        if (passes[i].run(c))
            return -1;
        c->stage = i;
        if (ir_check(c)) {
            char msg[IR_ERRLEN];
            snprintf(msg, sizeof msg, "%s", c->err);
            return comp_err(c, "internal error: invariant broken after pass %s: %s",
                            passes[i].name, msg);
        }
        if (c->o.dump_after && !strcmp(c->o.dump_after, passes[i].name))
            ir_dump(c, c->o.dump_file ? c->o.dump_file : stdout);
    }
    return 0;
}

int mpe_comp_write(comp *c, const char *path)
{
    if (!c->prog)
        return comp_err(c, "nothing compiled");
    if (c->o.asm_path && comp_write_listing(c, c->o.asm_path))
        return -1;
    if (c->o.report_path && comp_write_report(c, c->o.report_path))
        return -1;
    return path ? comp_write_mpeb(c, path) : 0;
}

const char *mpe_comp_error(const comp *c)
{
    return c->err;
}

const mpe_program *mpe_comp_program(const comp *c)
{
    return c->prog;
}

int mpe_comp_nlayers(const comp *c)
{
    return c->stage >= ST_MODE ? c->nl : 0;
}

void mpe_comp_layer_info(const comp *c, int i, mpe_comp_layer *out)
{
    const ir_layer *L = &c->L[i];
    out->name = L->name;
    out->op = L->op;
    out->M = L->Mreal;
    out->N = L->N;
    out->K = L->K;
    out->mode = mpe_mode_name((mpe_mode)L->cfg.mode);
    if (L->cfg.group)
        snprintf(out->wtype, sizeof out->wtype, "%s g%d", mpe_dt_name(L->cfg.w), L->cfg.group);
    else
        snprintf(out->wtype, sizeof out->wtype, "%s", mpe_dt_name(L->cfg.w));
    out->wlo = L->prec.lo;
    out->whi = L->prec.hi;
    out->est_cycles = L->cost.cycles;
    out->pe_cycles = L->cost.pe_cycles;
}

const int *mpe_comp_insn_layers(const comp *c, size_t *n)
{
    *n = c->insn_layer ? (size_t)c->nins : 0;
    return c->insn_layer;
}

void mpe_comp_free(comp *c)
{
    if (!c)
        return;
    free(c->insn_layer);
    for (int i = 0; i < 5; i++)
        free(c->strs[i]);
    ir_free(c);
    if (c->model)
        onnx__model_proto__free_unpacked(c->model, NULL);
    if (c->prog) {
        mpe_program_free(c->prog);
        free(c->prog);
    }
    free(c);
}
