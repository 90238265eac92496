/* mpe isa-doc: regenerates the encoding tables of docs/isa.md section 7 (the
 * text between the BEGIN/END GENERATED ENCODINGS markers) from the ISA
 * tables; --check only reports whether the file is stale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/isa.h"
#include "tool_io.h"

#define BEGIN_MARK "<!-- BEGIN GENERATED ENCODINGS -->\n"
#define END_MARK "<!-- END GENERATED ENCODINGS -->"


static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe isa-doc [--check] docs/isa.md\n");
    if (rc)
        return rc;
    fprintf(f, "Rewrites the text between '" BEGIN_MARK "' and '" END_MARK "'\n"
               "with the encoding tables generated from isa/insns.def. With --check the\n"
               "file is not written; the exit status is 1 when it is stale.\n");
    return rc;
}

static void bits(FILE *f, int lsb, int width)
{
    if (width == 1)
        fprintf(f, "| [%d] ", lsb);
    else
        fprintf(f, "| [%d:%d] ", lsb + width - 1, lsb);
}

static void kind_cell(FILE *f, const mpe_field_info *fi)
{
    int64_t lo, hi;
    mpe_field_range(fi, &lo, &hi);
    switch (fi->kind) {
    case MPE_FK_U:
    case MPE_FK_S: fprintf(f, "%s %lld..%lld", fi->kind == MPE_FK_U ? "U" : "S",
                           (long long)lo, (long long)hi); break;
    case MPE_FK_R: fprintf(f, "R r0..r%d", MPE_NUM_REGS - 1); break;
    default: fprintf(f, "%s", mpe_field_kind_name(fi->kind));
    }
}

static void summary_table(FILE *f)
{
    fprintf(f, "| opcode | mnemonic | unit | summary |\n|---|---|---|---|\n");
    for (int i = 0; i < MPE_I_COUNT; i++)
        fprintf(f, "| 0x%02X | `%s` | %s | %s |\n", mpe_insn_table[i].opcode,
                mpe_insn_table[i].mnemonic, mpe_unit_id(mpe_insn_table[i].unit),
                mpe_insn_table[i].summary);
}

static void enum_table(FILE *f)
{
    fprintf(f, "\n| kind | values |\n|---|---|\n| DEPS | bit 0 `pop_prev`, bit 1 `pop_next`, "
               "bit 2 `push_prev`, bit 3 `push_next` |\n");
    for (int k = MPE_FK_E_SP; k <= MPE_FK_E_OUT; k++) {
        fprintf(f, "| %s |", mpe_field_kind_name(k));
        for (int v = 0; v < mpe_isa_enum_count(k); v++)
            fprintf(f, "%s %d `%s`", v ? "," : "", v, mpe_isa_enum_name(k, v));
        fprintf(f, " |\n");
    }
}

/* One instruction: its fields sorted by lsb, gaps listed as reserved. */
static void insn_table(FILE *f, int id)
{
    const mpe_insn_info *in = &mpe_insn_table[id];
    fprintf(f, "\n### `%s` (opcode 0x%02X, %s)\n\n%s.\n\n", in->mnemonic, in->opcode,
            mpe_unit_id(in->unit), in->summary);
    fprintf(f, "| bits | field | kind | meaning |\n|---|---|---|---|\n");
    fprintf(f, "| [4:0] | `op` | 0x%02X | opcode |\n", in->opcode);
    int first, n, pos = MPE_OPCODE_BITS;
    mpe_insn_fields((mpe_insn_id)id, &first, &n);
    for (;;) {
        int best = -1;
        for (int fi = first; fi < first + n; fi++)
            if (mpe_field_table[fi].lsb >= pos &&
                (best < 0 || mpe_field_table[fi].lsb < mpe_field_table[best].lsb))
                best = fi;
        int next = best < 0 ? 8 * MPE_INSN_BYTES : mpe_field_table[best].lsb;
        if (next > pos) {
            bits(f, pos, next - pos);
            fprintf(f, "| | | reserved, 0 |\n");
        }
        if (best < 0)
            break;
        const mpe_field_info *fi = &mpe_field_table[best];
        bits(f, fi->lsb, fi->width);
        fprintf(f, "| `%s` | ", fi->name);
        kind_cell(f, fi);
        fprintf(f, " | %s |\n", fi->summary);
        pos = fi->lsb + fi->width;
    }
}

/* The generated block, markers excluded; malloc'ed. */
static char *generate(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "\nEach instruction is 128 bits, stored as 16 little-endian bytes: bit i is bit\n"
               "i %% 8 of byte i / 8. Bits outside every field are reserved and must be 0\n"
               "(decoding rejects the instruction otherwise). Kinds: U unsigned, S signed (two's\n"
               "complement), R register, DEPS dependency flags, E_* enumerations (values below;\n"
               "the assembler takes the names).\n\n");
    summary_table(f);
    enum_table(f);
    for (int i = 0; i < MPE_I_COUNT; i++)
        insn_table(f, i);
    fprintf(f, "\n");
    fclose(f);
    return buf;
}

/* Returns the new file text, or NULL (message printed) when the markers are
 * missing or out of order. */
static char *splice(const char *path, const char *doc, const char *gen)
{
    const char *b = strstr(doc, BEGIN_MARK);
    const char *e = b ? strstr(b, END_MARK) : NULL;
    if (!b || !e) {
        fprintf(stderr, "mpe isa-doc: %s: no '%.*s' ... '%s' markers\n", path,
                (int)strlen(BEGIN_MARK) - 1, BEGIN_MARK, END_MARK);
        return NULL;
    }
    b += strlen(BEGIN_MARK);
    size_t n = (size_t)(b - doc) + strlen(gen) + strlen(e) + 1;
    char *out = malloc(n);
    if (!out)
        return NULL;
    snprintf(out, n, "%.*s%s%s", (int)(b - doc), doc, gen, e);
    return out;
}

int cmd_isadoc(int argc, char **argv)
{
    const char *path = NULL;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, 0);
        if (!strcmp(argv[i], "--check"))
            check = 1;
        else if (argv[i][0] == '-' || path)
            return usage(stderr, 2);
        else
            path = argv[i];
    }
    if (!path)
        return usage(stderr, 2);
    char msg[256];
    if (mpe_isa_check_table(msg, sizeof msg)) {
        fprintf(stderr, "mpe isa-doc: isa/insns.def: %s\n", msg);
        return 1;
    }
    char *doc = tool_read_text("mpe isa-doc", path), *gen = generate();
    char *out = doc && gen ? splice(path, doc, gen) : NULL;
    int rc = 1;
    if (out && check) {
        rc = strcmp(out, doc) != 0;
        if (rc)
            fprintf(stderr, "mpe isa-doc: %s: the generated encodings are stale; run "
                            "'mpe isa-doc %s'\n", path, path);
    } else if (out) {
        rc = 0;
        if (strcmp(out, doc) && tool_write_file("mpe isa-doc", path, out, strlen(out)))
            rc = 1;
    }
    free(doc);
    free(gen);
    free(out);
    return rc;
}
