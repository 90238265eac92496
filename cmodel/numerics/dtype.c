/* Operand element types: constructors, integer decode, names. */
#include "mpe/dtype.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mpe_dtype mk(int kind, int bits, int fmt)
{
    mpe_dtype t = {(uint8_t)kind, (uint8_t)bits, (uint8_t)fmt};
    return t;
}

mpe_dtype mpe_dt_int(int bits) { return mk(MPE_DT_INT, bits, 0); }
mpe_dtype mpe_dt_uint(int bits) { return mk(MPE_DT_UINT, bits, 0); }
mpe_dtype mpe_dt_binary(void) { return mk(MPE_DT_BINARY, 1, 0); }
mpe_dtype mpe_dt_ternary(void) { return mk(MPE_DT_TERNARY, 2, 0); }
mpe_dtype mpe_dt_pow2(void) { return mk(MPE_DT_POW2, 4, 0); }
mpe_dtype mpe_dt_bfpint(int bits) { return mk(MPE_DT_BFPINT, bits, 0); }
mpe_dtype mpe_dt_fp(mpe_fmt f) { return mk(MPE_DT_FP, mpe_fmt_get(f)->bits, f); }

int mpe_dt_is_integer(mpe_dtype t)
{
    return t.kind != MPE_DT_FP;
}

int32_t mpe_dt_int_value(mpe_dtype t, uint32_t code)
{
    code &= mpe_dt_mask(t);
    switch (t.kind) {
    case MPE_DT_INT:
    case MPE_DT_BFPINT: return (int32_t)mpe_sext(code, t.bits);
    case MPE_DT_UINT: return (int32_t)code;
    case MPE_DT_BINARY: return code ? 1 : -1;
    case MPE_DT_TERNARY: return (code & 2) ? -1 : (int32_t)(code & 1);
    case MPE_DT_POW2: {
        unsigned e = code & 7;
        int32_t mag = e ? (1 << (e - 1)) : 0;
        return (code & 8) ? -mag : mag;
    }
    default: return 0;
    }
}

const char *mpe_dt_name(mpe_dtype t)
{
    static const char *const small[2][17] = {
        {"int0", "int1", "int2", "int3", "int4", "int5", "int6", "int7", "int8",
         "int9", "int10", "int11", "int12", "int13", "int14", "int15", "int16"},
        {"uint0", "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
         "uint8", "uint9", "uint10", "uint11", "uint12", "uint13", "uint14",
         "uint15", "uint16"}};
    static const char *const bfp[9] = {"bfpint0", "bfpint1", "bfpint2", "bfpint3",
                                 "bfpint4", "bfpint5", "bfpint6", "bfpint7",
                                 "bfpint8"};
    switch (t.kind) {
    case MPE_DT_INT: return t.bits <= 16 ? small[0][t.bits] : "int?";
    case MPE_DT_UINT: return t.bits <= 16 ? small[1][t.bits] : "uint?";
    case MPE_DT_BINARY: return "binary";
    case MPE_DT_TERNARY: return "ternary";
    case MPE_DT_POW2: return "pow2";
    case MPE_DT_BFPINT: return t.bits <= 8 ? bfp[t.bits] : "bfpint?";
    case MPE_DT_FP: {
        const mpe_fmt_info *fi = mpe_fmt_get((mpe_fmt)t.fmt);
        return fi ? fi->name : "fp?";
    }
    default: return "?";
    }
}

static int parse_bits(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int mpe_dt_parse(const char *name, mpe_dtype *out)
{
    int b;
    mpe_fmt f;
    if (!strcmp(name, "binary")) { *out = mpe_dt_binary(); return 0; }
    if (!strcmp(name, "ternary")) { *out = mpe_dt_ternary(); return 0; }
    if (!strcmp(name, "pow2")) { *out = mpe_dt_pow2(); return 0; }
    if (!strncmp(name, "uint", 4) && !parse_bits(name + 4, 1, 16, &b)) {
        *out = mpe_dt_uint(b);
        return 0;
    }
    if (!strncmp(name, "int", 3) && !parse_bits(name + 3, 1, 16, &b)) {
        *out = mpe_dt_int(b);
        return 0;
    }
    if (!strncmp(name, "bfpint", 6) && !parse_bits(name + 6, 4, 8, &b)) {
        *out = mpe_dt_bfpint(b);
        return 0;
    }
    if (!mpe_fmt_by_name(name, &f)) {
        *out = mpe_dt_fp(f);
        return 0;
    }
    return -1;
}
