/* Text of a whole binary: the code as assembler source, everything else
 * (architecture, meta, tensor descriptors, data records) as comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mpe/asm.h"
#include "mpe/outstage.h"
#include "mpe/tensor.h"

/* Prints `text` with every line prefixed by "#   ". */
static void comment_lines(FILE *f, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        fprintf(f, "#   %.*s\n", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

static void print_tensor(FILE *f, const mpe_tdesc *d)
{
    uint64_t bytes = 0;
    mpe_tdesc_bytes(d, &bytes);
    fprintf(f, "#   %s %s: host %s, stored %s, shape [",
            d->role == MPE_ROLE_INPUT ? "input" : "output", d->name, mpe_ttype_name(d->ttype),
            d->elem == MPE_ELEM_OUT ? mpe_out_name(d->out) : mpe_dt_name(d->dt));
    for (int i = 0; i < d->ndim; i++)
        fprintf(f, "%s%u", i ? "," : "", d->dims[i]);
    fprintf(f, "], at 0x%llx (%llu bytes), layout %s", (unsigned long long)d->addr,
            (unsigned long long)bytes, mpe_layout_name(d->layout));
    for (int i = 0; i < d->nparams; i++)
        fprintf(f, "%s%d", i ? "," : " {", d->params[i]);
    fprintf(f, "%s", d->nparams ? "}" : "");
    if (d->has_quant)
        fprintf(f, ", scale 0x%08x, zero point %d", d->scale, d->zero_point);
    fprintf(f, "\n");
}

static void print_data(FILE *f, const mpe_data_rec *r, int dump)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    for (uint64_t i = 0; i < r->len; i += 1u << 30) /* zlib takes 32-bit lengths */
        crc = crc32(crc, r->bytes + i, (uInt)(r->len - i < (1u << 30) ? r->len - i : 1u << 30));
    fprintf(f, "#   0x%llx: %llu bytes, crc32 0x%08lx\n", (unsigned long long)r->addr,
            (unsigned long long)r->len, (unsigned long)crc);
    for (uint64_t i = 0; dump && i < r->len; i += 16) {
        fprintf(f, "#     %08llx:", (unsigned long long)(r->addr + i));
        for (uint64_t j = i; j < i + 16 && j < r->len; j++)
            fprintf(f, " %02x", r->bytes[j]);
        fprintf(f, "\n");
    }
}

static int print_code(FILE *f, const mpe_program *p, unsigned flags)
{
    char *code = mpe_disasm(p->code, p->ninsns, flags & MPE_DISASM_PC);
    if (!code)
        return -1;
    fputs(code, f);
    free(code);
    return 0;
}

char *mpe_disasm_program(const mpe_program *p, const char *title, unsigned flags)
{
    char *buf = NULL, arch[MPE_ARCH_TEXT_MAX];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    mpe_arch_format(&p->arch, arch, sizeof arch);
    fprintf(f, "# %s: %zu instructions, ISA version %d, architecture CRC 0x%08x\n# architecture:\n",
            title, p->ninsns, MPE_ISA_VERSION, mpe_arch_crc(&p->arch));
    comment_lines(f, arch);
    if (p->meta) {
        fprintf(f, "# meta:\n");
        comment_lines(f, p->meta);
    }
    int bad = print_code(f, p, flags);
    if (p->ntensors)
        fprintf(f, "# tensors:\n");
    for (size_t i = 0; i < p->ntensors; i++)
        print_tensor(f, &p->tensors[i]);
    if (p->ndata)
        fprintf(f, "# data: %zu records\n", p->ndata);
    for (size_t i = 0; i < p->ndata; i++)
        print_data(f, &p->data[i], (flags & MPE_DISASM_DATA) != 0);
    if (fclose(f) || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}
