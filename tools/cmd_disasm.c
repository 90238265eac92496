/* mpe disasm: prints a .mpeb binary as assembler source; the architecture,
 * meta text, tensor descriptors and data sections follow as comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "tool_io.h"
#include "mpe/asm.h"
#include "mpe/binary.h"

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe disasm PROG.mpeb [--pc] [--data] [--arch CONFIG]\n");
    if (rc)
        return rc;
    fprintf(f, "Validates PROG.mpeb and prints it as assembler source that 'mpe asm'\n"
               "reads back to the same code. --pc appends the instruction index to each\n"
               "line, --data hex-dumps the data records, --arch checks that the binary was\n"
               "built for CONFIG.\n");
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
        else if (!strcmp(argv[i], "--data"))
            flags |= MPE_DISASM_DATA;
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
        char *text = mpe_disasm_program(&p, in, flags);
        if (text)
            fputs(text, stdout);
        else
            fprintf(stderr, "mpe disasm: out of memory\n");
        rc = !text;
        free(text);
    }
    mpe_program_free(&p);
    return rc;
}
