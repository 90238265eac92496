/* The ONNX compiler's public interface: quantized ONNX model -> .mpeb binary.
 * Used by `mpe compile` (tools/cmd_compile.c) and `mpe test-onnx`. */
#ifndef MPE_COMPILE_H
#define MPE_COMPILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mpe/binary.h"
#include "mpe/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A graph input given a value at compile time (it becomes a constant). */
typedef struct {
    const char *name;
    const mpe_tensor *t;
} mpe_comp_bind;

typedef struct {
    const char *model_path;  /* model.onnx */
    const char *arch_path;   /* architecture file, NULL: the defaults */
    int mode;                /* -1: auto, else an mpe_mode for every layer */
    const char *dump_after;  /* pass name whose IR is printed, NULL: none */
    FILE *dump_file;         /* where (stdout if NULL) */
    const char *asm_path;    /* --emit-asm, NULL: none */
    const char *report_path; /* --report, NULL: none */
    const mpe_comp_bind *bind;
    int nbind;
    int verbose;             /* notes on stderr (precision, modes) */
    int fp16_scales;         /* round MatMulNBits block scales to FP16 (lossy, reported) */
} mpe_comp_opts;

typedef struct comp comp;

/* Creates a compilation (the option strings are copied; bound tensors must
 * live until mpe_comp_free); NULL only when out of memory. */
comp *mpe_comp_new(const mpe_comp_opts *o);
/* Runs every pass in order (import .. emit); 0 on success, -1 with a
 * one-line message in mpe_comp_error(). */
int mpe_comp_run(comp *c);
const char *mpe_comp_error(const comp *c);
/* The program produced by a successful run (owned by c). */
const mpe_program *mpe_comp_program(const comp *c);
/* Writes the program as a .mpeb file (and the --emit-asm listing and the
 * --report JSON when asked); 0 or -1 with mpe_comp_error(). */
int mpe_comp_write(comp *c, const char *path);
void mpe_comp_free(comp *c);

/* Graph inputs (initializers excluded) and outputs of model.onnx, in order.
 * data[i] is 1 when input i is read as the first operand of some node (an
 * activation); the others (weights, scales, zero points fed as inputs) can
 * be bound at compile time. Names are malloc'ed (mpe_model_io_free). */
typedef struct {
    int nin, nout;
    char **in, **out;
    int *data;
} mpe_model_io;
int mpe_model_io_read(const char *path, mpe_model_io *io, char *err, size_t errlen);
void mpe_model_io_free(mpe_model_io *io);

/* What the compiler decided per layer (for summaries). */
typedef struct {
    const char *name, *op;
    long long M, N, K;
    const char *mode;      /* PE mode */
    char wtype[16];        /* weight operand type, e.g. "int4", "uint4 g32" */
    int wlo, whi;          /* effective weight range */
    unsigned long long est_cycles, pe_cycles;
} mpe_comp_layer;
int mpe_comp_nlayers(const comp *c);
void mpe_comp_layer_info(const comp *c, int i, mpe_comp_layer *out);
/* The layer of each instruction of the program (-1: none); n instructions. */
const int *mpe_comp_insn_layers(const comp *c, size_t *n);

/* Pass names in order (for --dump-after and --help). */
int mpe_comp_npasses(void);
const char *mpe_comp_pass_name(int i);

#ifdef __cplusplus
}
#endif
#endif
