/* The processing element: structural model (op by op, the way the RTL
 * computes) and the fast functional GEMM path. docs/numerics.md section 5. */
#ifndef MPE_PE_H
#define MPE_PE_H

#include <stdint.h>
#include "mpe/dtype.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_PE_MAX_LANES 64
#define MPE_PE_MAX_COLS 64
#define MPE_ACC_BITS 48
/* Largest shift-add group / BFP block (keeps the RTL's exact group sums,
 * 80 bits for BFP and A_W + 25 bits for shift-add, free of overflow). */
#define MPE_PE_MAX_GROUP 4096

typedef enum {
    MPE_MODE_MAC,
    MPE_MODE_LUT,
    MPE_MODE_SHIFTADD,
    MPE_MODE_BFP,
    MPE_MODE_BITSERIAL,
    MPE_MODE_COUNT
} mpe_mode;

/* "mac", "lut", "shiftadd", "bfp", "bitserial" ("?" for a bad value). */
const char *mpe_mode_name(mpe_mode m);
/* Parses a mode name; 0 on success, -1 for an unknown name. */
int mpe_mode_parse(const char *name, mpe_mode *out);

typedef struct {
    uint8_t mode;        /* mpe_mode */
    mpe_dtype a;         /* activation element type */
    mpe_dtype w;         /* weight element type */
    uint8_t both_serial; /* bitserial: weights serial too (cycles = Pa * Pw) */
    uint16_t group;      /* shiftadd: dequant group (0 = none, integer result);
                            bfp: block size. Must divide K or be a multiple of K. */
    uint8_t scale_fmt;   /* bfp: MPE_FMT_E8M0 or MPE_FMT_UE4M3;
                            grouped shiftadd: MPE_FMT_FP16; else ignored */
} mpe_pe_cfg;

/* Nonzero when the mode accumulates in FP32 (bfp, grouped shiftadd). */
int mpe_pe_cfg_is_float(const mpe_pe_cfg *cfg);
/* Validates a configuration for a PE of `lanes` lanes (mode, operand types,
 * group, scale format, lanes). MPE_OK, MPE_ERR_ARG (types, mode, flags) or
 * MPE_ERR_SHAPE (lanes, group); `msg` (may be NULL) receives a one-line
 * reason ("lut: weights int5 not supported (...)"). */
mpe_status mpe_pe_cfg_check(const mpe_pe_cfg *cfg, int lanes, char *msg,
                            unsigned msglen);
/* Validates a PE shape: lanes a multiple of 4 in 4..64, cols 1..64. */
mpe_status mpe_pe_dims_check(int lanes, int cols, char *msg, unsigned msglen);
/* Cycles one op takes (docs/numerics.md table in section 5) on a PE that
 * looks up `lut_ppc` LUT weight planes per cycle (1, 2 or 4: the RTL's
 * LUT_PPC, the architecture's lut_ppc); `closes` is the number of
 * groups/blocks the op closes (ignored by other modes). */
int mpe_pe_op_cycles(const mpe_pe_cfg *cfg, int closes, int lut_ppc);
/* Number of scale/zero-point slots per column an op carries:
 * max(1, lanes / group) for grouped modes, else 0. Slot j holds the scale of
 * the j-th group closed inside the op (group < lanes), or, for groups of
 * `lanes` or more, slot 0 holds the scale of the group the op belongs to
 * (read when the op closes it). */
int mpe_pe_scale_slots(const mpe_pe_cfg *cfg, int lanes);
/* Number of weight bit-planes of a LUT weight type (binary 1, ternary 2,
 * intB/uintB B), 0 for other types. */
int mpe_lut_planes(mpe_dtype w);
/* Nonzero for a valid LUT planes-per-cycle value: 1, 2 or 4. */
int mpe_lut_ppc_valid(int ppc);
/* Cycles of one LUT op on a PE that looks up `ppc` weight bit-planes per
 * cycle (the RTL's LUT_PPC: 1, 2 or 4): ceil(planes / ppc). */
int mpe_lut_op_cycles(mpe_dtype w, int ppc);

/* One operation. Arrays are read only during mpe_pe_step. Codes use their
 * low `bits` bits; higher bits are ignored. */
typedef struct {
    const uint16_t *a;       /* [lanes] activation codes */
    const uint16_t *w;       /* [cols][lanes] weight codes, w[c*lanes + k] */
    const uint16_t *a_scale; /* [slots] bfp activation block scale codes (low 8 bits) */
    const uint16_t *w_scale; /* [cols][slots] bfp scale codes (low 8 bits) /
                                shiftadd FP16 scales */
    const int16_t *w_zero;   /* [cols][slots] shiftadd zero points, or NULL (0) */
    uint8_t clear;           /* start new sums: zero accumulators and group state */
} mpe_pe_op;

typedef struct {
    int lanes, cols;
    int lut_ppc;                     /* LUT planes per cycle (1 after init) */
    mpe_pe_cfg cfg;
    uint64_t acc[MPE_PE_MAX_COLS];   /* int48 accumulator (low 48 bits used) */
    uint32_t facc[MPE_PE_MAX_COLS];  /* FP32 accumulator bits */
    __int128 gacc[MPE_PE_MAX_COLS];  /* exact group/block partial sum */
    uint8_t gspec[MPE_PE_MAX_COLS];  /* bfp block specials: 1 NaN, 2 +inf, 4 -inf */
    int64_t gsum;                    /* shiftadd: sum of activations in the group */
    int gpos;                        /* lanes consumed in the current group */
    uint64_t cycles;                 /* total cycles since init */
    uint64_t ops;                    /* ops since init */
    /* Derived data, not state: decode tables of the BFP element types
       (cfg.a, cfg.w) and scale format, rebuilt when they change. */
    mpe_dtype dec_type[3];
    uint32_t dec[3][256];
} mpe_pe;

/* Initialises a PE; returns an error for bad lanes/cols/cfg. */
mpe_status mpe_pe_init(mpe_pe *pe, int lanes, int cols, const mpe_pe_cfg *cfg);
/* A PE built with LUT_PPC = ppc (1, 2 or 4; else MPE_ERR_ARG, unchanged):
 * the LUT mode looks up ppc weight bit-planes per cycle. Only the cycle
 * counts change; the results are the same bits. */
mpe_status mpe_pe_set_lut_ppc(mpe_pe *pe, int ppc);
/* Executes one op structurally; *cycles (may be NULL) gets its cycle count.
 * pe->cfg is re-checked on every op (a caller may switch modes between ops;
 * without `clear` the accumulators and the open group state carry over).
 * Errors: a bad cfg, NULL operand arrays (scales are required by bfp and
 * grouped shiftadd); the PE is unchanged then. */
mpe_status mpe_pe_step(mpe_pe *pe, const mpe_pe_op *op, int *cycles);
/* Accumulator of column c: int48 sign-extended, or FP32 bits. */
int64_t mpe_pe_acc_int(const mpe_pe *pe, int c);
uint32_t mpe_pe_acc_f32(const mpe_pe *pe, int c);

/* GEMM operands: Y[m][n] = sum_k A[m][k] * W[n][k], codes row-major.
 * Scales: a_scale[m][K/group] (bfp), w_scale[n][K/group], w_zero[n][K/group]
 * (shiftadd; NULL = 0). K must be a multiple of `lanes` for the structural
 * path and a multiple of the group for both paths. */
typedef struct {
    int M, N, K;
    const uint16_t *A, *W;
    const uint16_t *a_scale, *w_scale;
    const int16_t *w_zero;
} mpe_gemm_args;

/* Output: y_int[m*N+n] (int48 sign-extended) or y_f32 (FP32 bits), by mode
 * (mpe_pe_cfg_is_float); the other pointer may be NULL.
 * mpe_gemm_structural runs a lanes x cols PE op by op: for each row m and
 * tile of `cols` columns, K/lanes ops in increasing k (the first clears);
 * *cycles (may be NULL) gets the sum of the ops' cycles.
 * mpe_gemm_fast computes the same bits without the PE structure. */
mpe_status mpe_gemm_structural(const mpe_pe_cfg *cfg, int lanes, int cols,
                               const mpe_gemm_args *g, int64_t *y_int,
                               uint32_t *y_f32, uint64_t *cycles);
mpe_status mpe_gemm_fast(const mpe_pe_cfg *cfg, const mpe_gemm_args *g,
                         int64_t *y_int, uint32_t *y_f32);

/* Lossy LUT dot product with int8-quantized tables (T-MAC style), C model
 * only, never part of a bit-exact path (docs/numerics.md 5.1). a: intN/uintN,
 * w: a LUT weight type, K a multiple of 4 (1..65536). *out gets FP32 bits of
 * the result, *lut_scale (may be NULL) the FP32 table scale. */
mpe_status mpe_lut_dot_q8(mpe_dtype a, mpe_dtype w, int K, const uint16_t *x,
                          const uint16_t *wc, uint32_t *out,
                          uint32_t *lut_scale);

#ifdef __cplusplus
}
#endif
#endif
