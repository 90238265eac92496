/* Assembler and disassembler of the accelerator ISA, table-driven from
 * isa/insns.def, with directives for everything else a binary holds (the
 * syntax is in docs/isa.md section 4, "Assembler syntax").
 *
 *   # comment
 *   .arch rows=4 cols=4 lanes=16           architecture parameters (before the code)
 *   .meta "producer: me\n"                 META text (C-like escapes; lines concatenate)
 *   .input x host=int8 dtype=int8 shape=4,16 addr=0x1000
 *   .output y host=int32 out=int32 shape=4,4 addr=0x4000 layout=tiled params=4,16,4,16
 *   loop:                                  a label (alone or before an instruction)
 *       load deps=push_next sp=wsp spaddr=0 rbase=r1 mem=0x100 rows=4 rowbytes=64 stride=64
 *       addi rd=r2 rs=r2 imm=-1
 *       dbnz rs=r2 target=loop
 *       .insn 0x0000000000000000000000000000001f   a raw 128-bit word (hex, msb first)
 *       halt
 *   .data 0x2000                           a DATA record at this address:
 *       .hex 11 11 22 22                   its bytes, in hex
 *       .zero 32                           and zero bytes
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
#include <stdio.h>
#include "mpe/binary.h"
#include "mpe/isa.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Assembles a whole source text into a program: code, architecture, meta
 * text, tensor descriptors and data records. `arch` NULL: the architecture
 * is the default one changed by the source's .arch directives; otherwise it
 * is *arch and every .arch value must equal it. p->meta stays NULL when the
 * source has no .meta directive (`.meta ""` gives ""). The result may have
 * no instructions (mpe_program_check rejects that), everything else is
 * checked: data inside mem_bytes and not overlapping, tensor descriptors
 * valid (mpe_tdesc_check) and uniquely named. On error `err` holds
 * "fname:line: reason" for the first error and *p is empty. */
mpe_status mpe_asm_program(const char *src, const char *fname, const mpe_arch *arch,
                           mpe_program *p, char *err, size_t errlen);

/* The code alone (mpe_asm_program for the default architecture, everything
 * but the code dropped). On success *code (malloc'ed, *ninsns * 16 bytes,
 * NULL when there are none) holds the program. On error `err` holds
 * "fname:line: reason" for the first error and *code is NULL. */
mpe_status mpe_asm(const char *src, const char *fname, uint8_t **code, size_t *ninsns,
                   char *err, size_t errlen);

/* Parses one instruction line (no label, dbnz targets numeric, a # comment
 * ignored) into a decoded instruction; `err` gets the reason without a
 * location. */
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
    MPE_DISASM_PC = 1,     /* "# <index>" after every instruction, "# <address>" after
                              every data line */
    MPE_DISASM_NO_DATA = 2 /* a comment instead of the data records (mpe_disasm_program;
                              the text then does not assemble to the same binary) */
};

/* The code alone as assembler source (labels L<index> at dbnz targets),
 * NUL-terminated and malloc'ed; NULL when out of memory. Assembling the text
 * gives the same bytes. */
char *mpe_disasm(const uint8_t *code, size_t ninsns, unsigned flags);

/* Called before instruction `pc` is printed; may print comment lines
 * (each starting with '#') to f. */
typedef void (*mpe_disasm_note)(void *user, size_t pc, FILE *f);

typedef struct {
    const char *title;    /* named in the first comment line */
    unsigned flags;       /* MPE_DISASM_* */
    mpe_disasm_note note; /* NULL: none */
    void *user;           /* passed to note */
} mpe_disasm_opts;

/* A whole program as assembler source: a comment line, .arch, .meta, the
 * tensors (.input, .output), the code (as mpe_disasm), the data records
 * (.data, .hex, .zero). mpe_asm_program reads it back to the same program,
 * so the binary written from it has the same bytes. 0, or -1 when out of
 * memory (a write error stays in f's error indicator, for the caller). */
int mpe_disasm_program_write(FILE *f, const mpe_program *p, const mpe_disasm_opts *o);

/* The same as a malloc'ed string; NULL when out of memory. */
char *mpe_disasm_program(const mpe_program *p, const char *title, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
