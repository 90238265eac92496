/* Self-check of the ISA tables (in the spirit of riscv-opcodes): a bad
 * insns.def is rejected with a one-line reason before anything uses it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mpe/isa.h"

#define MAX_INSNS 32 /* a 5-bit opcode names at most 31 instructions */
#define INSN_BITS (8 * MPE_INSN_BYTES)

static mpe_status fail(char *msg, size_t len, const char *fmt, ...)
{
    if (msg && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return MPE_ERR_FORMAT;
}

static mpe_status check_insns(const mpe_insn_info *t, int n, char *msg, size_t len)
{
    if (n < 1 || n >= MAX_INSNS)
        return fail(msg, len, "%d instructions: a 5-bit opcode allows 1..31", n);
    for (int i = 0; i < n; i++) {
        if (!t[i].mnemonic || !t[i].mnemonic[0])
            return fail(msg, len, "instruction %d has no mnemonic", i);
        if (t[i].opcode == 0 || t[i].opcode >= (1u << MPE_OPCODE_BITS))
            return fail(msg, len, "'%s': opcode 0x%02x outside 0x01..0x1f", t[i].mnemonic,
                        t[i].opcode);
        if (t[i].unit > MPE_UNIT_STORE)
            return fail(msg, len, "'%s': unknown unit %d", t[i].mnemonic, t[i].unit);
        for (int j = 0; j < i; j++) {
            if (t[j].opcode == t[i].opcode)
                return fail(msg, len, "'%s' and '%s' share opcode 0x%02x", t[j].mnemonic,
                            t[i].mnemonic, t[i].opcode);
            if (!strcmp(t[j].mnemonic, t[i].mnemonic))
                return fail(msg, len, "mnemonic '%s' defined twice", t[i].mnemonic);
        }
    }
    return MPE_OK;
}

/* Widths a field of this kind needs. */
static mpe_status check_width(const mpe_insn_info *in, const mpe_field_info *f, char *msg,
                              size_t len)
{
    int w = f->width, k = f->kind;
    if (w < 1 || w > 63)
        return fail(msg, len, "'%s' field '%s': width %d outside 1..63", in->mnemonic, f->name, w);
    if (f->lsb + w > INSN_BITS)
        return fail(msg, len, "'%s' field '%s': bits [%d, %d) outside the %d-bit instruction",
                    in->mnemonic, f->name, f->lsb, f->lsb + w, INSN_BITS);
    if (k > MPE_FK_E_OUT)
        return fail(msg, len, "'%s' field '%s': unknown kind %d", in->mnemonic, f->name, k);
    if ((k == MPE_FK_R || k == MPE_FK_DEPS) && w != 4)
        return fail(msg, len, "'%s' field '%s': a %s field is 4 bits, not %d", in->mnemonic,
                    f->name, mpe_field_kind_name(k), w);
    if (k == MPE_FK_S && w < 2)
        return fail(msg, len, "'%s' field '%s': a signed field needs >= 2 bits", in->mnemonic,
                    f->name);
    int names = mpe_isa_enum_count(k);
    if (names && (w >= 31 || (1 << w) < names))
        return fail(msg, len, "'%s' field '%s': %d bits cannot hold the %d values of %s",
                    in->mnemonic, f->name, w, names, mpe_field_kind_name(k));
    return MPE_OK;
}

/* Fields of one instruction: names unique, no bit claimed twice. */
static mpe_status check_fields_of(const mpe_insn_info *in, const mpe_field_info *f, int n,
                                  char *msg, size_t len)
{
    signed char owner[INSN_BITS];
    if (n > INSN_BITS - MPE_OPCODE_BITS)
        return fail(msg, len, "'%s': %d fields cannot fit in %d bits", in->mnemonic, n,
                    INSN_BITS - MPE_OPCODE_BITS);
    memset(owner, -1, sizeof owner);
    for (int b = 0; b < MPE_OPCODE_BITS; b++)
        owner[b] = (signed char)n; /* n stands for the opcode */
    int has_deps = 0;
    for (int i = 0; i < n; i++) {
        if (!f[i].name || !f[i].name[0] || !strcmp(f[i].name, "op"))
            return fail(msg, len, "'%s' field %d: empty or reserved name", in->mnemonic, i);
        mpe_status st = check_width(in, &f[i], msg, len);
        if (st)
            return st;
        has_deps |= f[i].kind == MPE_FK_DEPS;
        for (int j = 0; j < i; j++)
            if (!strcmp(f[j].name, f[i].name))
                return fail(msg, len, "'%s': field '%s' defined twice", in->mnemonic, f[i].name);
        for (int b = f[i].lsb; b < f[i].lsb + f[i].width; b++) {
            if (owner[b] >= 0)
                return fail(msg, len, "'%s': fields '%s' and '%s' overlap at bit %d",
                            in->mnemonic, owner[b] == n ? "op" : f[owner[b]].name, f[i].name, b);
            owner[b] = (signed char)i;
        }
    }
    if (in->unit != MPE_UNIT_CTRL && !has_deps)
        return fail(msg, len, "'%s': a queued instruction needs a DEPS field", in->mnemonic);
    return MPE_OK;
}

mpe_status mpe_isa_check_tables(const mpe_insn_info *insns, int ninsns,
                                const mpe_field_info *fields, int nfields, char *msg,
                                size_t msglen)
{
    mpe_status st = check_insns(insns, ninsns, msg, msglen);
    if (st)
        return st;
    if (nfields < 0 || nfields > 127 * MAX_INSNS)
        return fail(msg, msglen, "%d fields", nfields);
    char seen[MAX_INSNS] = {0};
    int start = 0;
    for (int f = 0; f <= nfields; f++) {
        if (f < nfields && ((int)fields[f].insn < 0 || (int)fields[f].insn >= ninsns))
            return fail(msg, msglen, "field %d belongs to unknown instruction %d", f,
                        (int)fields[f].insn);
        if (f > start && (f == nfields || fields[f].insn != fields[start].insn)) {
            int id = (int)fields[start].insn;
            if (seen[id])
                return fail(msg, msglen, "the fields of '%s' are not contiguous",
                            insns[id].mnemonic);
            seen[id] = 1;
            st = check_fields_of(&insns[id], &fields[start], f - start, msg, msglen);
            if (st)
                return st;
            start = f;
        }
    }
    for (int i = 0; i < ninsns; i++)
        if (!seen[i] && insns[i].unit != MPE_UNIT_CTRL)
            return fail(msg, msglen, "'%s': a queued instruction needs a DEPS field",
                        insns[i].mnemonic);
    return MPE_OK;
}

mpe_status mpe_isa_check_table(char *msg, size_t msglen)
{
    return mpe_isa_check_tables(mpe_insn_table, MPE_I_COUNT, mpe_field_table, MPE_F_COUNT, msg,
                                msglen);
}
