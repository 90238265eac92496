/* mpe asm: assembler source -> .mpeb binary (every section: the code and
 * the directives for the architecture, meta text, tensors and data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/arch.h"
#include "mpe/asm.h"
#include "mpe/binary.h"
#include "tool_io.h"

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe asm PROG.s -o PROG.mpeb [--arch CONFIG]\n");
    if (rc)
        return rc;
    fprintf(f, "Assembles PROG.s (syntax: docs/isa.md section 4) into a binary. The\n"
               "architecture is the source's .arch values over the built-in defaults,\n"
               "or CONFIG (then .arch values must agree with it). Without a .meta\n"
               "directive the meta text is 'producer: mpe asm'.\n"
               "Errors are reported as 'file:line: reason'.\n");
    return rc;
}

/* Assembles `in` (for arch, NULL: the source's) into out; returns the exit
 * status. */
static int assemble(const char *in, const char *out, const mpe_arch *arch)
{
    char *src = tool_read_text("mpe asm", in);
    if (!src)
        return 1;
    mpe_program p;
    char err[512];
    mpe_status st = mpe_asm_program(src, in, arch, &p, err, sizeof err);
    free(src);
    if (st) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* no file name in the meta text: disassembling and assembling again
     * gives the same bytes whatever the files are called */
    if (!p.meta)
        st = mpe_program_set_meta(&p, "producer: mpe asm\n");
    if (!st && p.ninsns == 0) {
        fprintf(stderr, "%s: no instructions\n", in);
        st = MPE_ERR_FORMAT;
    } else if (!st) {
        st = mpe_program_save(&p, out, err, sizeof err);
        if (st)
            fprintf(stderr, "mpe asm: %s\n", err);
    } else {
        fprintf(stderr, "mpe asm: %s\n", mpe_status_str(st));
    }
    mpe_program_free(&p);
    return st ? 1 : 0;
}

int cmd_asm(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *cfg = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, 0);
        if (tool_opt(argv[i], "-o", i + 1 < argc))
            out = argv[++i];
        else if (tool_opt(argv[i], "--arch", i + 1 < argc))
            cfg = argv[++i];
        else if (argv[i][0] == '-' || in)
            return usage(stderr, 2);
        else
            in = argv[i];
    }
    if (!in || !out)
        return usage(stderr, 2);
    mpe_arch arch;
    mpe_arch_default(&arch);
    char err[512];
    if (cfg && mpe_arch_load(cfg, &arch, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return assemble(in, out, cfg ? &arch : NULL);
}
