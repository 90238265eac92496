/* Internal to the assembler (asm.c: lines, instructions, labels; asm_dir.c:
 * the directives) and the disassembler (disasm.c, disasm_prog.c), which
 * prints the directives with asm_dir.c's printers: one table of directive
 * names, one parser and one printer of each. */
#ifndef MPE_ASM_INT_H
#define MPE_ASM_INT_H

#include <stdio.h>

#include "mpe/asm.h"

/* Where errors are reported. */
typedef struct {
    const char *fname; /* NULL: messages without a location */
    int line;
    char *err;
    size_t errlen;
} asm_ctx;

/* Writes "fname:line: " and the message to c->err; returns st. */
mpe_status mpe_asm_error(const asm_ctx *c, mpe_status st, const char *fmt, ...);
/* Decimal or 0x-hex, optionally negative, into an int64; -1 if malformed or
 * outside the int64 range. */
int mpe_asm_parse_int(const char *s, int64_t *out);

typedef struct {
    char *name;
    size_t index;
    int line;
} asm_label;

typedef struct {
    size_t insn; /* instruction whose dbnz target is the label */
    int line;
    char *name;
} asm_fixup;

/* The whole state of one assembly. */
typedef struct {
    asm_ctx c;
    uint8_t *code; /* n instructions of MPE_INSN_BYTES, capacity cap */
    size_t n, cap;
    asm_label *labels;
    size_t nlabels;
    asm_fixup *fix;
    size_t nfix;
    /* what the directives build (prog.code stays NULL until the end) */
    mpe_program prog;
    const mpe_arch *fixed; /* the caller's architecture, NULL: .arch is free */
    unsigned arch_given;   /* bit per architecture key set by .arch */
    int arch_line;         /* line of the last .arch, 0: none */
    int started;           /* code, labels, data or tensors seen: .arch is over */
    int rec_open;          /* the last data record takes .hex and .zero */
    size_t rec_cap;        /* capacity of its bytes */
    int *data_line;        /* line of the .data of each record */
    int *tensor_line;      /* line of each .input / .output */
    size_t meta_len, meta_cap;
} asm_state;

/* A new instruction slot at the end of the code; NULL when out of memory. */
uint8_t *mpe_asm_new_insn(asm_state *a);

/* A quoted token ("...", escapes \n \t \\ \" \xHH) decoded into out, which has
 * room for strlen(tok) bytes; *len gets the number of bytes. */
mpe_status mpe_asm_unquote(const asm_ctx *c, const char *tok, char *out, size_t *len);
/* n bytes of s as a quoted token. */
void mpe_asm_print_quoted(FILE *f, const char *s, size_t n);

/* .input (role MPE_ROLE_INPUT) or .output: tok[1] the name, then the fields
 * (asm_tensor.c). */
mpe_status mpe_asm_tensor(asm_state *a, char **tok, int n, int role);
/* " NAME field=value ..." of a descriptor. */
void mpe_asm_tensor_print(FILE *f, const mpe_tdesc *d);

/* Everything that precedes an item on a line: `is_data` for .hex and .zero
 * (which continue a record), `is_body` for instructions, labels, data and
 * tensors (after which .arch is over). Closes an open data record unless
 * is_data; checks the architecture when the body starts. */
mpe_status mpe_asm_begin_item(asm_state *a, int is_body, int is_data);
/* tok[0] is a directive name (starting with '.'), tok[1..n-1] its operands. */
mpe_status mpe_asm_directive(asm_state *a, char **tok, int n);
/* The end of the source: closes the last record, checks the architecture
 * (if no body started) and the data records for overlaps. */
mpe_status mpe_asm_dirs_finish(asm_state *a);
/* Frees what the directives built (and the state's own arrays). */
void mpe_asm_dirs_free(asm_state *a);

/* ---- printers (the disassembler) ----------------------------------------- */

/* The code with labels L<index> at dbnz targets, note() before each
 * instruction (may be NULL); -1 when out of memory. */
int mpe_disasm_code(FILE *f, const uint8_t *code, size_t ninsns, unsigned flags,
                mpe_disasm_note note, void *user);

/* ".insn 0x<32 hex digits>"; returns the length snprintf would. */
size_t mpe_asm_format_raw(const uint8_t b[MPE_INSN_BYTES], char *buf, size_t len);
void mpe_asm_print_arch(FILE *f, const mpe_arch *arch);
void mpe_asm_print_meta(FILE *f, const char *meta);
void mpe_asm_print_tensor(FILE *f, const mpe_tdesc *d);
/* `addr_comments`: "# <address>" after every line. */
void mpe_asm_print_data(FILE *f, const mpe_data_rec *r, int addr_comments);

#endif
