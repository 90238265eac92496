/* Assembler source (isa/asm*.c): mpe_asm_program on the text, as
 * `mpe asm` reads it (default architecture changed by .arch directives).
 * An assembled program that passes mpe_program_check must come back from
 * mpe_disasm_program -> mpe_asm_program as the same binary bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mpe/asm.h"

/* The .mpeb bytes of a checked program (malloc'ed). */
static uint8_t *bytes_of(const mpe_program *p, size_t *len)
{
    uint8_t *buf;
    char err[256];
    if (mpe_program_write(p, &buf, len, err, sizeof err) != MPE_OK)
        fuzz_fail("a checked program does not serialize");
    return buf;
}

static void round_trip(const mpe_program *p)
{
    char err[256];
    if (mpe_program_check(p, err, sizeof err) != MPE_OK)
        return; /* e.g. no instructions: `mpe asm` reports it */
    size_t n, m;
    uint8_t *a = bytes_of(p, &n);
    char *text = mpe_disasm_program(p, "fuzz.mpeb", MPE_DISASM_PC);
    if (!text)
        fuzz_fail("mpe_disasm_program failed");
    mpe_program q;
    if (mpe_asm_program(text, "disasm.s", NULL, &q, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "%s\n", err);
        fuzz_fail("a disassembled program does not assemble");
    }
    uint8_t *b = bytes_of(&q, &m);
    if (m != n || memcmp(a, b, n))
        fuzz_fail("asm -> disasm -> asm changed the binary");
    free(b);
    mpe_program_free(&q);
    free(text);
    free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = fuzz_text(data, size);
    char err[256];
    mpe_program p;
    if (mpe_asm_program(src, "fuzz.s", NULL, &p, err, sizeof err) == MPE_OK) {
        round_trip(&p);
        mpe_program_free(&p);
    }
    free(src);
    return 0;
}
