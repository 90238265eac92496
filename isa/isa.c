/* The accelerator ISA tables and the encoding of 128-bit instructions.
 * Everything here is expanded from isa/insns.def (docs/isa.md section 7):
 * nothing about an instruction is written down twice. */
#include "mpe/isa.h"

#include <stdio.h>
#include <string.h>

#include "mpe/format.h"

const mpe_insn_info mpe_insn_table[MPE_I_COUNT] = {
#define INSN(id, opc, mn, unit, summary) [MPE_I_##id] = {mn, opc, MPE_UNIT_##unit, summary},
#include "insns.def"
#undef INSN
#undef FIELD
};

const mpe_field_info mpe_field_table[MPE_F_COUNT] = {
#define FIELD(id, name, lsb, width, kind, summary) \
    [MPE_F_##id##_##name] = {MPE_I_##id, #name, lsb, width, MPE_FK_##kind, summary},
#include "insns.def"
#undef INSN
#undef FIELD
};

/* ---- bits ------------------------------------------------------------- */

uint64_t mpe_bits_get(const uint8_t b[MPE_INSN_BYTES], unsigned lsb, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) {
        unsigned bit = lsb + i;
        v |= (uint64_t)((b[bit >> 3] >> (bit & 7)) & 1u) << i;
    }
    return v;
}

void mpe_bits_set(uint8_t b[MPE_INSN_BYTES], unsigned lsb, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++) {
        unsigned bit = lsb + i;
        uint8_t m = (uint8_t)(1u << (bit & 7));
        if ((v >> i) & 1u)
            b[bit >> 3] |= m;
        else
            b[bit >> 3] &= (uint8_t)~m;
    }
}

/* ---- lookups ---------------------------------------------------------- */

void mpe_insn_fields(mpe_insn_id id, int *first, int *count)
{
    int f = 0;
    while (f < MPE_F_COUNT && (int)mpe_field_table[f].insn != (int)id)
        f++;
    int n = 0;
    while (f + n < MPE_F_COUNT && (int)mpe_field_table[f + n].insn == (int)id)
        n++;
    *first = f;
    *count = n;
}

int mpe_insn_by_opcode(unsigned opcode)
{
    for (int i = 0; i < MPE_I_COUNT; i++)
        if (mpe_insn_table[i].opcode == opcode)
            return i;
    return -1;
}

int mpe_insn_by_mnemonic(const char *mn)
{
    for (int i = 0; i < MPE_I_COUNT; i++)
        if (!strcmp(mpe_insn_table[i].mnemonic, mn))
            return i;
    return -1;
}

int mpe_field_by_name(mpe_insn_id id, const char *name)
{
    int first, n;
    mpe_insn_fields(id, &first, &n);
    for (int f = first; f < first + n; f++)
        if (!strcmp(mpe_field_table[f].name, name))
            return f;
    return -1;
}

void mpe_insn_init(mpe_insn *in, mpe_insn_id id)
{
    memset(in, 0, sizeof *in);
    in->id = id;
}

void mpe_field_range(const mpe_field_info *f, int64_t *lo, int64_t *hi)
{
    unsigned w = f->width > 63 ? 63 : f->width; /* the table check keeps w in 1..63 */
    if (w == 0) {
        *lo = *hi = 0;
        return;
    }
    if (f->kind == MPE_FK_S) {
        *lo = -(int64_t)(1ull << (w - 1));
        *hi = (int64_t)((1ull << (w - 1)) - 1);
    } else {
        *lo = 0;
        *hi = (int64_t)((1ull << w) - 1);
    }
}

/* ---- encode / decode -------------------------------------------------- */

static void set_msg(char *msg, size_t len, const char *text)
{
    if (msg && len)
        snprintf(msg, len, "%s", text);
}

mpe_status mpe_insn_decode_msg(const uint8_t bytes[MPE_INSN_BYTES], mpe_insn *out,
                               char *msg, size_t msglen)
{
    char buf[128];
    unsigned opc = (unsigned)mpe_bits_get(bytes, MPE_OPCODE_LSB, MPE_OPCODE_BITS);
    int id = mpe_insn_by_opcode(opc);
    mpe_insn_init(out, MPE_I_COUNT);
    if (id < 0) {
        snprintf(buf, sizeof buf, "reserved opcode 0x%02x", opc);
        set_msg(msg, msglen, buf);
        return MPE_ERR_FORMAT;
    }
    uint8_t rest[MPE_INSN_BYTES];
    memcpy(rest, bytes, sizeof rest);
    mpe_bits_set(rest, MPE_OPCODE_LSB, MPE_OPCODE_BITS, 0);
    int first, n;
    mpe_insn_fields((mpe_insn_id)id, &first, &n);
    for (int f = first; f < first + n; f++) {
        const mpe_field_info *fi = &mpe_field_table[f];
        uint64_t v = mpe_bits_get(bytes, fi->lsb, fi->width);
        out->f[f] = fi->kind == MPE_FK_S ? mpe_sext(v, fi->width) : (int64_t)v;
        mpe_bits_set(rest, fi->lsb, fi->width, 0);
    }
    for (int bit = 0; bit < 8 * MPE_INSN_BYTES; bit++) {
        if (mpe_bits_get(rest, (unsigned)bit, 1)) {
            snprintf(buf, sizeof buf, "bits set outside the fields of '%s': bit %d",
                     mpe_insn_table[id].mnemonic, bit);
            set_msg(msg, msglen, buf);
            mpe_insn_init(out, MPE_I_COUNT);
            return MPE_ERR_FORMAT;
        }
    }
    out->id = (mpe_insn_id)id;
    return MPE_OK;
}

mpe_status mpe_insn_decode(const uint8_t bytes[MPE_INSN_BYTES], mpe_insn *out)
{
    return mpe_insn_decode_msg(bytes, out, NULL, 0);
}

mpe_status mpe_insn_encode(const mpe_insn *in, uint8_t bytes[MPE_INSN_BYTES])
{
    memset(bytes, 0, MPE_INSN_BYTES);
    if ((unsigned)in->id >= MPE_I_COUNT)
        return MPE_ERR_ARG;
    int first, n;
    mpe_insn_fields(in->id, &first, &n);
    for (int f = first; f < first + n; f++) {
        const mpe_field_info *fi = &mpe_field_table[f];
        int64_t lo, hi;
        mpe_field_range(fi, &lo, &hi);
        if (in->f[f] < lo || in->f[f] > hi) {
            memset(bytes, 0, MPE_INSN_BYTES);
            return MPE_ERR_RANGE;
        }
        mpe_bits_set(bytes, fi->lsb, fi->width, (uint64_t)in->f[f]);
    }
    mpe_bits_set(bytes, MPE_OPCODE_LSB, MPE_OPCODE_BITS, mpe_insn_table[in->id].opcode);
    return MPE_OK;
}
