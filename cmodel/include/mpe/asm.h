/* Assembler and disassembler of the accelerator ISA, table-driven from
 * isa/insns.def (the syntax is in docs/isa.md section 4).
 *
 *   # comment
 *   loop:                                  a label (alone or before an instruction)
 *       load deps=push_next sp=wsp spaddr=0 rbase=r1 mem=0x100 rows=4 rowbytes=64 stride=64
 *       addi rd=r2 rs=r2 imm=-1
 *       dbnz rs=r2 target=loop
 *       .insn 0x0000000000000000000000000000001f   a raw 128-bit word (hex, msb first)
 *       halt
 *
 * Fields are `name=value` with the names of insns.def, in any order, each at
 * most once; omitted fields are 0. Values: decimal, 0x hex, negative; r0..r15
 * for registers; names for enumerations (or their numbers); deps as a comma
 * list of pop_prev, pop_next, push_prev, push_next (or a number);
 * dbnz target as a label (or an instruction index). */
#ifndef MPE_ASM_H
#define MPE_ASM_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/binary.h"
#include "mpe/isa.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Assembles a whole source text. On success *code (malloc'ed, *ninsns * 16
 * bytes) holds the program. On error `err` holds "fname:line: reason" for the
 * first error and *code is NULL. */
mpe_status mpe_asm(const char *src, const char *fname, uint8_t **code, size_t *ninsns,
                   char *err, size_t errlen);

/* Parses one instruction line (no label, no comment, dbnz targets numeric)
 * into a decoded instruction; `err` gets the reason without a location. */
mpe_status mpe_asm_insn(const char *line, mpe_insn *out, char *err, size_t errlen);

/* Text of one decoded instruction: the mnemonic and every non-zero field as
 * name=value in table order. `target_label` (may be NULL) replaces a dbnz
 * target's number. Returns the length snprintf would (truncates to len). */
size_t mpe_insn_format(const mpe_insn *in, const char *target_label, char *buf, size_t len);

/* One 16-byte word: its instruction text, or `.insn 0x<32 hex digits>` when it
 * does not decode (then MPE_ERR_FORMAT is returned, buf is still filled). */
mpe_status mpe_disasm_insn(const uint8_t bytes[MPE_INSN_BYTES], char *buf, size_t len);

/* Flags of mpe_disasm and mpe_disasm_program. */
enum {
    MPE_DISASM_PC = 1,  /* append "# <index>" to every instruction */
    MPE_DISASM_DATA = 2 /* hex-dump the data records (mpe_disasm_program) */
};

/* A whole program as assembler source (labels L<index> at dbnz targets),
 * NUL-terminated and malloc'ed; NULL when out of memory. Assembling the text
 * gives the same bytes. */
char *mpe_disasm(const uint8_t *code, size_t ninsns, unsigned flags);

/* A whole binary: a header comment naming `title`, the architecture and meta
 * text as comments, the code (as mpe_disasm), then the tensor descriptors
 * and data records as comments. Malloc'ed; NULL when out of memory. */
char *mpe_disasm_program(const mpe_program *p, const char *title, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
