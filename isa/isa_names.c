/* Names of the enumerated field values of the ISA: what the assembler
 * accepts, the disassembler prints and `mpe isa-doc` documents. Names that
 * belong to another module come from it (PE modes from pe.c, number formats
 * from formats.def, output formats from outstage.c). */
#include <string.h>

#include "mpe/format.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/pe.h"

static const char *const kind_names[] = {
    "U", "S", "R", "DEPS", "E_SP", "E_MODE", "E_DTKIND", "E_FMT", "E_RQ", "E_OUT",
};
static const char *const sp_names[] = {"asp", "wsp", "psp", "osp"};
/* The element kinds of mpe_dtkind (dtype.h). */
static const char *const dtkind_names[] = {
    [MPE_DT_INT] = "int", [MPE_DT_UINT] = "uint", [MPE_DT_BINARY] = "binary",
    [MPE_DT_TERNARY] = "ternary", [MPE_DT_POW2] = "pow2", [MPE_DT_BFPINT] = "bfpint",
    [MPE_DT_FP] = "fp",
};
static const char *const rq_names[] = {
    [MPE_RQ_NONE] = "none", [MPE_RQ_FLOAT] = "float", [MPE_RQ_DYADIC] = "dyadic",
};
static const char *const dep_names[4] = {"pop_prev", "pop_next", "push_prev", "push_next"};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    const char *id, *name, *label;
} units[MPE_UNIT_COUNT] = {
#define UNIT(id, name, label) {#id, name, label},
#include "units.def"
};

const char *mpe_unit_id(int unit)
{
    return unit >= 0 && unit < MPE_UNIT_COUNT ? units[unit].id : "?";
}

const char *mpe_unit_name(int unit)
{
    return unit >= 0 && unit < MPE_UNIT_COUNT ? units[unit].name : "?";
}

const char *mpe_unit_label(int unit)
{
    return unit >= 0 && unit < MPE_UNIT_COUNT ? units[unit].label : "?";
}

const char *mpe_field_kind_name(int kind)
{
    return kind >= 0 && kind < COUNT(kind_names) ? kind_names[kind] : "?";
}

const char *mpe_dep_name(int bit)
{
    return bit >= 0 && bit < 4 ? dep_names[bit] : "?";
}

int mpe_isa_enum_count(int kind)
{
    switch (kind) {
    case MPE_FK_E_SP: return COUNT(sp_names);
    case MPE_FK_E_MODE: return MPE_MODE_COUNT;
    case MPE_FK_E_DTKIND: return COUNT(dtkind_names);
    case MPE_FK_E_FMT: return MPE_FMT_COUNT;
    case MPE_FK_E_RQ: return COUNT(rq_names);
    case MPE_FK_E_OUT: return MPE_OUT_COUNT;
    default: return 0;
    }
}

const char *mpe_isa_enum_name(int kind, int64_t v)
{
    if (v < 0 || v >= mpe_isa_enum_count(kind))
        return NULL;
    switch (kind) {
    case MPE_FK_E_SP: return sp_names[v];
    case MPE_FK_E_MODE: return mpe_mode_name((mpe_mode)v);
    case MPE_FK_E_DTKIND: return dtkind_names[v];
    case MPE_FK_E_FMT: return mpe_fmt_get((mpe_fmt)v)->name;
    case MPE_FK_E_RQ: return rq_names[v];
    case MPE_FK_E_OUT: return mpe_out_name((int)v);
    default: return NULL;
    }
}

int mpe_isa_enum_parse(int kind, const char *name, int64_t *v)
{
    int n = mpe_isa_enum_count(kind);
    for (int i = 0; i < n; i++) {
        const char *s = mpe_isa_enum_name(kind, i);
        if (s && !strcmp(s, name)) {
            *v = i;
            return 0;
        }
    }
    return -1;
}
