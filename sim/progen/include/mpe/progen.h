/* Random LEGAL accelerator programs with random data (seeded), and the
 * independent reference for their results.
 *
 * A program is a sequence of jobs; each job is a GEMM (random mode,
 * precisions, output stage, shapes and data) emitted in one of these styles:
 *   sync    barriers around every phase, no tokens;
 *   double  the double-buffered token chain of mpe/gemmprog.h;
 *   tokens  the chain with 1 or 2 buffers and random extra push/pop pairs;
 *   loop    a dbnz loop over batches (two per iteration, double-buffered,
 *           tokens primed before and drained after the loop).
 * Every job's output region is pre-filled with 0xA5 so that unwritten
 * outputs are caught; outputs are described as tensors y0, y1, ... */
#ifndef MPE_PROGEN_H
#define MPE_PROGEN_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/accel.h"
#include "mpe/binary.h"
#include "mpe/gemmprog.h"
#include "mpe/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MPE_PG_MIXED, /* every style, random per job */
    MPE_PG_SYNC,
    MPE_PG_DOUBLE,
    MPE_PG_TOKENS,
    MPE_PG_LOOP,
    MPE_PG_MODE_COUNT
} mpe_pg_mode;

const char *mpe_pg_mode_name(int mode);
int mpe_pg_mode_parse(const char *name, int *mode);

typedef struct {
    int style;              /* MPE_PG_SYNC .. MPE_PG_LOOP */
    mpe_gemm_spec spec;     /* one batch: M x N x K, configuration, addresses */
    uint32_t batches;       /* loop style: >= 2, even; others 1 */
    uint32_t rows;          /* batches * M: rows of A and Y */
    uint16_t *A;            /* codes [rows][K] */
    uint16_t *W;            /* codes [N][K] */
    uint16_t *a_scale;      /* bfp: [rows][K/G] */
    uint16_t *w_scale;      /* bfp / grouped shiftadd: [N][K/G] */
    int16_t *w_zero;        /* grouped shiftadd: [N][K/G] */
    uint8_t *params;        /* N 16-byte output-parameter records */
} mpe_pg_job;

typedef struct {
    mpe_program prog;       /* code, data, output descriptors */
    mpe_pg_job *jobs;
    size_t njobs;
} mpe_pg;

/* Generates a program for `ar` (which must be able to hold small GEMMs).
 * MPE_ERR_ARG for an unknown mode; the program passes mpe_program_check. */
mpe_status mpe_progen(const mpe_arch *ar, uint64_t seed, int mode, mpe_pg *out, char *err,
                      size_t errlen);
void mpe_pg_free(mpe_pg *pg);
/* A one-job program: the GEMM of `spec` (configuration, shapes, blocking,
 * nbuf, sync_only; addresses are assigned here) with random data and
 * output parameters, emitted by mpe_gemm_emit, then halt. */
mpe_status mpe_progen_gemm(const mpe_arch *ar, uint64_t seed, const mpe_gemm_spec *spec,
                           mpe_pg *pg, char *err, size_t errlen);

/* Expected output codes [rows][N] of a job, computed directly from its data
 * (mpe_gemm_fast, or mpe_gemm_structural with lanes/cols of `ar`) and the
 * output stage, ignoring timing and the scratchpads. */
mpe_status mpe_pg_expected(const mpe_arch *ar, const mpe_pg_job *job, int structural,
                           uint32_t *codes);
/* The job's output codes [rows][N] as found in the accelerator's memory. */
mpe_status mpe_pg_actual(const mpe_accel *acc, const mpe_pg_job *job, uint32_t *codes);

/* Makes job j's activations an input tensor x<j> instead of DATA and gives
 * the host tensor that reproduces them (integer types as float32 to be
 * quantized with scale 1/8, other types as values or raw codes). */
mpe_status mpe_pg_expose_input(const mpe_arch *ar, mpe_pg *pg, size_t j, mpe_tensor *host);

/* The random PE and output configurations the generator draws (exposed
 * for tests). `r` is a splitmix64 state. */
uint64_t mpe_pg_rand(uint64_t *r);
mpe_pe_cfg mpe_pg_rand_pe(uint64_t *r, int lanes, int mode);

#ifdef __cplusplus
}
#endif
#endif
