/* The disassembler of the code: every non-zero field as name=value in table
 * order, in the syntax mpe_asm reads back to the same bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

/* snprintf-style appender: keeps counting past the end of the buffer. */
typedef struct {
    char *buf;
    size_t len, n;
} out_t;

static void emit(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(o->n < o->len ? o->buf + o->n : NULL, o->n < o->len ? o->len - o->n : 0,
                      fmt, ap);
    va_end(ap);
    if (r > 0)
        o->n += (size_t)r;
}

static void emit_number(out_t *o, int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    if (mag < 65536)
        emit(o, "%s%llu", v < 0 ? "-" : "", (unsigned long long)mag);
    else
        emit(o, "%s0x%llx", v < 0 ? "-" : "", (unsigned long long)mag);
}

static void emit_value(out_t *o, const mpe_field_info *f, int64_t v)
{
    const char *name;
    switch (f->kind) {
    case MPE_FK_R: emit(o, "r%lld", (long long)v); return;
    case MPE_FK_DEPS:
        for (int b = 0, first = 1; b < 4; b++)
            if (v & (1 << b)) {
                emit(o, "%s%s", first ? "" : ",", mpe_dep_name(b));
                first = 0;
            }
        return;
    case MPE_FK_U:
    case MPE_FK_S: emit_number(o, v); return;
    default:
        name = mpe_isa_enum_name(f->kind, v);
        if (name)
            emit(o, "%s", name);
        else
            emit_number(o, v);
    }
}

size_t mpe_insn_format(const mpe_insn *in, const char *target_label, char *buf, size_t len)
{
    out_t o = {buf, len, 0};
    if (len)
        buf[0] = 0;
    if ((unsigned)in->id >= MPE_I_COUNT) {
        emit(&o, "?");
        return o.n;
    }
    emit(&o, "%s", mpe_insn_table[in->id].mnemonic);
    int first, n;
    mpe_insn_fields(in->id, &first, &n);
    for (int f = first; f < first + n; f++) {
        if (f == MPE_F_DBNZ_target && target_label) {
            emit(&o, " target=%s", target_label);
            continue;
        }
        if (!in->f[f])
            continue;
        emit(&o, " %s=", mpe_field_table[f].name);
        emit_value(&o, &mpe_field_table[f], in->f[f]);
    }
    return o.n;
}

mpe_status mpe_disasm_insn(const uint8_t bytes[MPE_INSN_BYTES], char *buf, size_t len)
{
    mpe_insn in;
    mpe_status st = mpe_insn_decode(bytes, &in);
    if (st == MPE_OK)
        mpe_insn_format(&in, NULL, buf, len);
    else
        mpe_asm_format_raw(bytes, buf, len);
    return st;
}

/* Instruction indices that some dbnz jumps to. */
static uint8_t *find_targets(const uint8_t *code, size_t n)
{
    uint8_t *is = calloc(n ? n : 1, 1);
    if (!is)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        mpe_insn in;
        if (mpe_insn_decode(code + MPE_INSN_BYTES * i, &in) == MPE_OK && in.id == MPE_I_DBNZ &&
            (uint64_t)in.f[MPE_F_DBNZ_target] < n)
            is[in.f[MPE_F_DBNZ_target]] = 1;
    }
    return is;
}

static void insn_line(FILE *f, const uint8_t *b, const uint8_t *is_target, size_t n, size_t pc,
                      unsigned flags)
{
    char text[512];
    mpe_insn in;
    if (mpe_insn_decode(b, &in) != MPE_OK) {
        mpe_asm_format_raw(b, text, sizeof text);
    } else {
        char label[32];
        int64_t t = in.f[MPE_F_DBNZ_target];
        int use = in.id == MPE_I_DBNZ && (uint64_t)t < n && is_target[t];
        snprintf(label, sizeof label, "L%lld", (long long)t);
        mpe_insn_format(&in, use ? label : NULL, text, sizeof text);
    }
    int col = fprintf(f, "    %s", text);
    if (flags & MPE_DISASM_PC)
        fprintf(f, "%*s# %zu", col < 60 ? 60 - col : 1, "", pc);
    fputc('\n', f);
}

int mpe_disasm_code(FILE *f, const uint8_t *code, size_t ninsns, unsigned flags,
                mpe_disasm_note note, void *user)
{
    uint8_t *is_target = find_targets(code, ninsns);
    if (!is_target)
        return -1;
    for (size_t i = 0; i < ninsns; i++) {
        if (note)
            note(user, i, f);
        if (is_target[i])
            fprintf(f, "L%zu:\n", i);
        insn_line(f, code + MPE_INSN_BYTES * i, is_target, ninsns, i, flags);
    }
    free(is_target);
    return 0;
}

char *mpe_disasm(const uint8_t *code, size_t ninsns, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int bad = mpe_disasm_code(f, code, ninsns, flags, NULL, NULL);
    if (fclose(f) || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}
