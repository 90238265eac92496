/* The accelerator ISA, generated from isa/insns.def by X-macros: instruction
 * and field identifiers, the field table, encode/decode of 128-bit words.
 * docs/isa.md is the architecture manual. */
#ifndef MPE_ISA_H
#define MPE_ISA_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_ISA_VERSION 1
#define MPE_INSN_BYTES 16
#define MPE_NUM_REGS 16

typedef enum {
#define INSN(id, opc, mn, unit, summary) MPE_I_##id,
#include "../../../isa/insns.def"
#undef INSN
#undef FIELD
    MPE_I_COUNT
} mpe_insn_id;

/* Every field of every instruction, globally numbered: MPE_F_<INSN>_<name>. */
typedef enum {
#define FIELD(id, name, lsb, width, kind, summary) MPE_F_##id##_##name,
#include "../../../isa/insns.def"
#undef INSN
#undef FIELD
    MPE_F_COUNT
} mpe_field_id;

/* Field widths as constants, MPE_FW_<INSN>_<name>, and the largest value an
 * unsigned field holds: MPE_FIELD_UMAX(CFGGEMM, ks) == 4095. The compiler's
 * tiler and the program generator (sim/progen) take their limits from here. */
enum {
#define FIELD(id, name, lsb, width, kind, summary) MPE_FW_##id##_##name = width,
#include "../../../isa/insns.def"
#undef INSN
#undef FIELD
    MPE_FW_END_
};
#define MPE_FIELD_UMAX(id, name) ((int64_t)((UINT64_C(1) << MPE_FW_##id##_##name) - 1u))

/* Units, one line each in isa/units.def. */
typedef enum {
#define UNIT(id, name, label) MPE_UNIT_##id,
#include "../../../isa/units.def"
    MPE_UNIT_COUNT
} mpe_unit;

typedef enum {
    MPE_FK_U, MPE_FK_S, MPE_FK_R, MPE_FK_DEPS,
    MPE_FK_E_SP, MPE_FK_E_MODE, MPE_FK_E_DTKIND, MPE_FK_E_FMT, MPE_FK_E_RQ, MPE_FK_E_OUT
} mpe_field_kind;

/* Dependency flag bits inside a DEPS field. */
enum { MPE_DEP_POP_PREV = 1, MPE_DEP_POP_NEXT = 2, MPE_DEP_PUSH_PREV = 4, MPE_DEP_PUSH_NEXT = 8 };
/* Scratchpads (E_SP); the OSP is only a store source. */
enum { MPE_SP_ASP = 0, MPE_SP_WSP = 1, MPE_SP_PSP = 2, MPE_SP_OSP = 3 };
/* Requantization kinds (E_RQ). */
enum { MPE_RQ_NONE = 0, MPE_RQ_FLOAT = 1, MPE_RQ_DYADIC = 2 };
/* Output formats (E_OUT). */
enum {
    MPE_OUT_INT4, MPE_OUT_UINT4, MPE_OUT_INT8, MPE_OUT_UINT8, MPE_OUT_INT16,
    MPE_OUT_UINT16, MPE_OUT_INT32, MPE_OUT_FP16, MPE_OUT_BF16, MPE_OUT_FP32,
    MPE_OUT_COUNT
};

typedef struct {
    const char *mnemonic;
    uint8_t opcode;
    uint8_t unit; /* mpe_unit */
    const char *summary;
} mpe_insn_info;

typedef struct {
    mpe_insn_id insn;
    const char *name;
    uint8_t lsb, width;
    uint8_t kind; /* mpe_field_kind */
    const char *summary;
} mpe_field_info;

extern const mpe_insn_info mpe_insn_table[MPE_I_COUNT];
extern const mpe_field_info mpe_field_table[MPE_F_COUNT];

/* A decoded instruction: its id and the value of every field (indexed by
 * mpe_field_id; fields of other instructions are 0). Signed fields are
 * sign-extended. */
typedef struct {
    mpe_insn_id id;
    int64_t f[MPE_F_COUNT];
} mpe_insn;

/* 16 bytes <-> instruction. Decoding fails (MPE_ERR_FORMAT) on an unknown
 * opcode or on bits set outside every field. Encoding fails (MPE_ERR_RANGE)
 * when a value does not fit its field. */
mpe_status mpe_insn_decode(const uint8_t bytes[MPE_INSN_BYTES], mpe_insn *out);
mpe_status mpe_insn_encode(const mpe_insn *in, uint8_t bytes[MPE_INSN_BYTES]);
/* As mpe_insn_decode; `msg` (may be NULL) receives a one-line reason
 * ("reserved opcode 0x05", "bits set outside the fields of 'load': bit 127"). */
mpe_status mpe_insn_decode_msg(const uint8_t bytes[MPE_INSN_BYTES], mpe_insn *out,
                               char *msg, size_t msglen);
/* Checks the table itself: unique opcodes, fields inside 128 bits, no overlap. */
mpe_status mpe_isa_check_table(char *msg, size_t msglen);
/* The same checks over any pair of tables (the tests feed broken ones):
 * opcodes unique and in 1..31, mnemonics unique, each instruction's fields
 * contiguous in the field table, named uniquely (not "op"), inside 128 bits,
 * not overlapping each other or the opcode [4:0], widths sensible for their
 * kind (R and DEPS 4 bits, enumerations wide enough for every named value,
 * signed fields >= 2 bits, every field 1..64 bits). */
mpe_status mpe_isa_check_tables(const mpe_insn_info *insns, int ninsns,
                                const mpe_field_info *fields, int nfields,
                                char *msg, size_t msglen);

/* ---- lookups ---------------------------------------------------------- */
#define MPE_OPCODE_LSB 0
#define MPE_OPCODE_BITS 5
/* An instruction's fields are contiguous in mpe_field_table (checked by
 * mpe_isa_check_table): ids first .. first+count-1, in insns.def order. */
void mpe_insn_fields(mpe_insn_id id, int *first, int *count);
int mpe_insn_by_opcode(unsigned opcode);     /* mpe_insn_id, or -1 */
int mpe_insn_by_mnemonic(const char *mn);    /* mpe_insn_id, or -1 */
int mpe_field_by_name(mpe_insn_id id, const char *name); /* mpe_field_id, or -1 */
/* Zero fields, given id. */
void mpe_insn_init(mpe_insn *in, mpe_insn_id id);
/* Values a field can hold: 0 .. 2^w-1, or -2^(w-1) .. 2^(w-1)-1 for S. */
void mpe_field_range(const mpe_field_info *f, int64_t *lo, int64_t *hi);

/* Bits [lsb, lsb+width) of a 16-byte instruction (bit i is bit i%8 of byte
 * i/8), width 1..64, lsb + width <= 128. Shift-and-mask, host independent. */
uint64_t mpe_bits_get(const uint8_t bytes[MPE_INSN_BYTES], unsigned lsb, unsigned width);
void mpe_bits_set(uint8_t bytes[MPE_INSN_BYTES], unsigned lsb, unsigned width, uint64_t v);

/* The container-width rule (docs/isa.md section 3): a code of `bits` bits
 * (1..32) occupies the next power of two, 1, 2, 4, 8, 16 or 32 bits, in a
 * scratchpad vector. The one definition, used by the C model, the compiler
 * and the program generator. */
static inline uint32_t mpe_isa_container_bits(uint32_t bits)
{
    return bits <= 1 ? 1 : bits <= 2 ? 2 : bits <= 4 ? 4 : bits <= 8 ? 8 : bits <= 16 ? 16 : 32;
}

/* ---- names of enumerated field values (assembler, disassembler, docs) --- */
/* "U", "S", "R", "DEPS", "E_SP", ... */
const char *mpe_field_kind_name(int kind);
/* Number of named values of an enumeration kind (E_*), 0 for other kinds. */
int mpe_isa_enum_count(int kind);
/* Name of value v of an enumeration kind, or NULL when v has no name. */
const char *mpe_isa_enum_name(int kind, int64_t v);
/* Value of a name of an enumeration kind; 0 on success, -1 if unknown. */
int mpe_isa_enum_parse(int kind, const char *name, int64_t *v);
/* Unit names (isa/units.def): "CTRL" (the id of insns.def), "ctrl" (traces),
 * "controller" (messages); "?" for a number that is not a unit. */
const char *mpe_unit_id(int unit);
const char *mpe_unit_name(int unit);
const char *mpe_unit_label(int unit);
/* Names of the DEPS flag bits 0..3: pop_prev, pop_next, push_prev, push_next. */
const char *mpe_dep_name(int bit);

#ifdef __cplusplus
}
#endif
#endif
