/* Text of a whole binary: every section as assembler source (docs/isa.md
 * section 4), which mpe_asm_program reads back to the same program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

static uint64_t data_bytes(const mpe_program *p)
{
    uint64_t n = 0;
    for (size_t i = 0; i < p->ndata; i++)
        n += p->data[i].len;
    return n;
}

static void print_data(FILE *f, const mpe_program *p, unsigned flags)
{
    if (!p->ndata)
        return;
    fprintf(f, "\n# data: %zu record%s, %llu bytes%s\n", p->ndata, p->ndata == 1 ? "" : "s",
            (unsigned long long)data_bytes(p),
            flags & MPE_DISASM_NO_DATA ? " (not shown: this text does not assemble to the "
                                         "same binary)" : "");
    for (size_t i = 0; !(flags & MPE_DISASM_NO_DATA) && i < p->ndata; i++)
        mpe_asm_print_data(f, &p->data[i], (flags & MPE_DISASM_PC) != 0);
}

int mpe_disasm_program_write(FILE *f, const mpe_program *p, const mpe_disasm_opts *o)
{
    fprintf(f, "# %s: %zu instructions, ISA version %d, architecture CRC 0x%08x\n",
            o->title ? o->title : "program", p->ninsns, MPE_ISA_VERSION, mpe_arch_crc(&p->arch));
    mpe_asm_print_arch(f, &p->arch);
    mpe_asm_print_meta(f, p->meta);
    for (size_t i = 0; i < p->ntensors; i++)
        mpe_asm_print_tensor(f, &p->tensors[i]);
    fputc('\n', f);
    if (mpe_disasm_code(f, p->code, p->ninsns, o->flags, o->note, o->user))
        return -1;
    print_data(f, p, o->flags);
    return 0;
}

char *mpe_disasm_program(const mpe_program *p, const char *title, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    mpe_disasm_opts o = {title, flags, NULL, NULL};
    int bad = mpe_disasm_program_write(f, p, &o);
    if (fclose(f) || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}
