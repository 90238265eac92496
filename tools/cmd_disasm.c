/* mpe disasm: prints a .mpeb binary as assembler source; the architecture,
 * meta text, tensor descriptors and data sections follow as comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cmd.h"
#include "mpe/asm.h"
#include "mpe/binary.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/tensor.h"

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

/* Prints `text` with every line prefixed by "# " and `indent`. */
static void comment_lines(const char *text, const char *indent)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        printf("# %s%.*s\n", indent, (int)n, text);
        text += n + (text[n] == '\n');
    }
}

static void print_elem(const mpe_tdesc *d)
{
    if (d->elem == MPE_ELEM_OUT)
        printf("%s", mpe_out_name(d->out));
    else
        printf("%s", mpe_dt_name(d->dt));
}

static void print_tensor(const mpe_tdesc *d)
{
    uint64_t bytes = 0;
    mpe_tdesc_bytes(d, &bytes);
    printf("#   %s %s: host %s, stored ", d->role == MPE_ROLE_INPUT ? "input" : "output", d->name,
           mpe_ttype_name(d->ttype));
    print_elem(d);
    printf(", shape [");
    for (int i = 0; i < d->ndim; i++)
        printf("%s%u", i ? "," : "", d->dims[i]);
    printf("], at 0x%llx (%llu bytes), layout %s", (unsigned long long)d->addr,
           (unsigned long long)bytes, mpe_layout_name(d->layout));
    if (d->nparams) {
        printf(" {");
        for (int i = 0; i < d->nparams; i++)
            printf("%s%d", i ? "," : "", d->params[i]);
        printf("}");
    }
    if (d->has_quant)
        printf(", scale 0x%08x zero point %d", d->scale, d->zero_point);
    printf("\n");
}

static void print_data(const mpe_data_rec *r, int dump)
{
    printf("#   0x%llx: %llu bytes, crc32 0x%08lx\n", (unsigned long long)r->addr,
           (unsigned long long)r->len, crc32(0L, r->bytes, (uInt)r->len));
    for (uint64_t i = 0; dump && i < r->len; i += 16) {
        printf("#     %08llx:", (unsigned long long)(r->addr + i));
        for (uint64_t j = i; j < i + 16 && j < r->len; j++)
            printf(" %02x", r->bytes[j]);
        printf("\n");
    }
}

static void print_program(const char *path, const mpe_program *p, unsigned flags, int dump)
{
    char arch[MPE_ARCH_TEXT_MAX];
    mpe_arch_format(&p->arch, arch, sizeof arch);
    printf("# %s: %zu instructions, ISA version %d, architecture CRC 0x%08x\n", path, p->ninsns,
           MPE_ISA_VERSION, mpe_arch_crc(&p->arch));
    printf("# architecture:\n");
    comment_lines(arch, "  ");
    if (p->meta) {
        printf("# meta:\n");
        comment_lines(p->meta, "  ");
    }
    char *text = mpe_disasm(p->code, p->ninsns, flags);
    if (text)
        fputs(text, stdout);
    free(text);
    if (p->ntensors)
        printf("# tensors:\n");
    for (size_t i = 0; i < p->ntensors; i++)
        print_tensor(&p->tensors[i]);
    if (p->ndata)
        printf("# data: %zu records\n", p->ndata);
    for (size_t i = 0; i < p->ndata; i++)
        print_data(&p->data[i], dump);
}

int cmd_disasm(int argc, char **argv)
{
    const char *in = NULL, *cfg = NULL;
    unsigned flags = 0;
    int dump = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, 0);
        if (!strcmp(argv[i], "--pc"))
            flags |= MPE_DISASM_PC;
        else if (!strcmp(argv[i], "--data"))
            dump = 1;
        else if (!strcmp(argv[i], "--arch") && i + 1 < argc)
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
        print_program(in, &p, flags, dump);
    }
    mpe_program_free(&p);
    return rc;
}
