/* Building instruction streams in C: a growable buffer of encoded
 * instructions and one constructor per instruction (operands in the order
 * of isa/insns.def). Used by the GEMM program builder, the random program
 * generator and the tests. The first error (a value that does not fit its
 * field, out of memory) is kept in `err`; later calls then do nothing. */
#ifndef MPE_CODEBUF_H
#define MPE_CODEBUF_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/isa.h"
#include "mpe/pe.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint8_t *code; /* n * MPE_INSN_BYTES bytes */
    size_t n, cap;
    mpe_status err;
    char msg[128]; /* the first error, with the instruction index */
} mpe_codebuf;

void mpe_cb_init(mpe_codebuf *cb);
void mpe_cb_free(mpe_codebuf *cb);
/* Appends an instruction; returns its index (or -1 after an error). */
long mpe_cb_insn(mpe_codebuf *cb, const mpe_insn *in);
/* Rewrites one field of an emitted instruction (loop targets, flags). */
void mpe_cb_patch(mpe_codebuf *cb, long idx, int field, int64_t v);

long mpe_cb_load(mpe_codebuf *cb, int deps, int sp, uint32_t spaddr, int rbase, int64_t mem,
                 uint32_t rows, uint32_t rowbytes, uint32_t stride);
long mpe_cb_store(mpe_codebuf *cb, int deps, uint32_t spaddr, int rbase, int64_t mem,
                  uint32_t rows, uint32_t rowbytes, uint32_t stride);
long mpe_cb_cfgpe(mpe_codebuf *cb, int deps, const mpe_pe_cfg *pe);
long mpe_cb_cfgout(mpe_codebuf *cb, int deps, int rq, int out, int bias, int relu, int32_t lo,
                   int32_t hi);
long mpe_cb_cfggemm(mpe_codebuf *cb, int deps, uint32_t mt, uint32_t nt, uint32_t ks,
                    uint32_t akt, uint32_t wkt, uint32_t okt);
long mpe_cb_matmul(mpe_codebuf *cb, int deps, uint32_t a, uint32_t w, uint32_t o, uint32_t p,
                   uint32_t s);
long mpe_cb_li(mpe_codebuf *cb, int rd, uint32_t imm);
long mpe_cb_addi(mpe_codebuf *cb, int rd, int rs, int32_t imm);
long mpe_cb_dbnz(mpe_codebuf *cb, int rs, uint32_t target);
long mpe_cb_nop(mpe_codebuf *cb);
long mpe_cb_sync(mpe_codebuf *cb);
long mpe_cb_halt(mpe_codebuf *cb);

#ifdef __cplusplus
}
#endif
#endif
