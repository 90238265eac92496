/* mpe disasm: prints a .mpeb binary as assembler source, every section
 * (architecture, meta text, tensors, code, data) as the directives and
 * instructions that 'mpe asm' reads back to the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "tool_io.h"
#include "mpe/asm.h"
#include "mpe/binary.h"

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe disasm PROG.mpeb [--pc] [--no-data] [--arch CONFIG]\n");
    if (rc)
        return rc;
    fprintf(f, "Validates PROG.mpeb and prints it as assembler source that 'mpe asm'\n"
               "reads back to the same binary. --pc appends the instruction index to each\n"
               "instruction and the address to each data line, --no-data leaves the data\n"
               "records out (the text then assembles to another binary), --arch checks\n"
               "that the binary was built for CONFIG.\n");
    return rc;
}

int cmd_disasm(int argc, char **argv)
{
    const char *in = NULL, *cfg = NULL;
    unsigned flags = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, 0);
        if (!strcmp(argv[i], "--pc"))
            flags |= MPE_DISASM_PC;
        else if (!strcmp(argv[i], "--no-data"))
            flags |= MPE_DISASM_NO_DATA;
        else if (tool_opt(argv[i], "--arch", i + 1 < argc))
            cfg = argv[++i];
        else if (argv[i][0] == '-' || in)
            return usage(stderr, 2);
        else
            in = argv[i];
    }
    if (!in)
        return usage(stderr, 2);
    mpe_program p;
    char err[512];
    if (mpe_program_load(in, &p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = 0;
    mpe_arch want;
    if (cfg && mpe_arch_load(cfg, &want, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        rc = 1;
    } else if (cfg && mpe_program_check_arch(&p, &want, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", in, err);
        rc = 1;
    } else {
        mpe_disasm_opts o = {in, flags, NULL, NULL};
        rc = mpe_disasm_program_write(stdout, &p, &o) ? 1 : 0;
        if (rc)
            fprintf(stderr, "mpe disasm: out of memory\n");
    }
    mpe_program_free(&p);
    return rc;
}
