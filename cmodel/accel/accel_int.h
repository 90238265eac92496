/* Internal state of the accelerator model, shared by accel.c (context, run
 * loop), accel_ctrl.c (controller, queues, tokens, legality checks),
 * accel_dma.c (load/store units, memory port) and accel_compute.c (compute
 * unit, PE array, output unit). Not a public header. */
#ifndef MPE_ACCEL_INT_H
#define MPE_ACCEL_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "mpe/accel.h"
#include "mpe/outstage.h"
#include "mpe/pe.h"

enum { ACC_NSP = 4 };
enum { ACC_PARAM_BYTES = 16 }; /* one output-parameter record (docs/isa.md 3) */

/* A queued instruction with what the controller resolved at dispatch. */
typedef struct {
    const mpe_insn *in;
    uint32_t pc;
    uint64_t addr; /* load/store: R[rbase] + mem */
} acc_qent;

typedef struct {
    acc_qent *e;
    uint32_t head, count, cap;
} acc_queue;

/* The compute configuration: as executed by the compute unit, and as of
 * program order in the controller (legality checks at dispatch). */
typedef struct {
    int have_pe, have_out, have_gemm;
    mpe_pe_cfg pe;
    mpe_outcfg out; /* layer fields only; per-column fields come from the PSP */
    uint32_t mt, nt, ks, akt, wkt, okt;
} acc_cfg;

/* Sizes derived from a configuration (docs/isa.md section 3). */
typedef enum { ACC_SC_NONE, ACC_SC_BFP, ACC_SC_SHIFTADD } acc_scales;
typedef struct {
    uint32_t cwa, cww, cwo; /* container bits of A, W and output codes */
    uint32_t va, vw, vo;    /* bytes per A / W / output vector */
    acc_scales sc;          /* which block scales the PSP holds at matmul.s */
    uint32_t G, kb, slots;  /* group, blocks per tile row, scale slots per op */
    uint64_t s_bytes;       /* bytes of block scales at matmul.s */
    int acc_float;          /* FP32 accumulators */
} acc_geom;

/* One tile whose results wait for, or are in, the output unit. */
typedef struct {
    uint64_t h;         /* first drain cycle */
    uint32_t i, j;      /* tile row / column in the block */
    int last;           /* last tile of the matmul */
    int64_t *yi;        /* [R*C] int48 accumulators, row-major */
    uint32_t *yf;       /* [R*C] FP32 accumulator bits */
    uint32_t *code;     /* [R*C] output codes (computed at h) */
} acc_tile;

typedef struct {
    int busy;
    acc_qent cur;
    uint64_t ts;
    uint32_t nbeats, bpr, next; /* beats, beats per row, beats granted */
    /* load: reads in flight, oldest first (ring of mem_latency entries) */
    uint8_t *fly;
    uint64_t *fly_at;
    uint32_t *fly_beat;
    uint32_t fly_head, fly_n, fly_cap;
    /* store: the next beat's data, read from the OSP */
    uint8_t *sbuf;
    int req, granted; /* this cycle */
} acc_dma;

typedef struct {
    int busy;
    acc_qent cur;
    uint64_t ts;
    acc_cfg cfg;  /* as executed */
    acc_geom g;
    /* matmul progress */
    uint32_t nops, next_op;
    uint64_t next_fetch;
    uint64_t drain_end; /* last drain cycle of the previous tile (valid if have_drain) */
    int have_drain;
    acc_tile tile[3];
    uint32_t t_head, t_n;
    /* PE array */
    mpe_pe *pe;  /* [R], structural path */
    uint16_t *ta, *tw, *tas, *tws; /* fast path: one tile's operands */
    int16_t *twz;
    uint16_t *oa, *ow, *oas, *ows; /* one op's operands */
    int16_t *owz;
} acc_compute;

typedef struct {
    uint32_t pc;
    int halted;
    uint32_t reg[MPE_NUM_REGS];
    acc_cfg cfg; /* program-order view for legality checks */
} acc_ctrl;

/* Start-of-cycle values read by more than one block. */
typedef struct {
    uint32_t occ[4];
    int idle[4];
} acc_snap;

/* Per-cycle completions (at most one per unit), reported in unit order. */
typedef struct {
    int valid;
    acc_qent q;
} acc_done;

struct mpe_accel {
    mpe_arch arch;
    uint8_t *mem;
    uint8_t *sp[ACC_NSP];
    uint32_t sp_size[ACC_NSP];
    mpe_insn *imem;     /* decoded code */
    uint8_t *imem_ok;   /* 1 if the word decoded */
    uint8_t *raw;       /* the loaded words (for the reason of an encoding trap) */
    uint32_t ncode;
    acc_ctrl ctrl;
    acc_queue q[4];     /* indexed by mpe_unit (CTRL unused) */
    acc_dma ld, st;
    acc_compute cu;
    uint32_t tok[MPE_TOK_COUNT];
    int last_grant;     /* MPE_UNIT_LOAD or MPE_UNIT_STORE */
    uint64_t cycle;
    mpe_run_state state;
    mpe_trap trap;
    mpe_accel_stats stats;
    mpe_accel_mem ext;  /* external memory callbacks (ext.read NULL: internal) */
    mpe_commit_fn trace_fn;
    void *trace_user;
    mpe_pe_path path;
    /* this cycle */
    int progress;
    int ctrl_dispatch;  /* a queued instruction was dispatched */
    acc_qent dispatched;
    acc_done done[4];
};

/* accel.c */
void mpe_acc_trap(mpe_accel *a, mpe_trap_cause c, uint32_t pc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void mpe_acc_complete(mpe_accel *a, int unit, const acc_qent *q);
static inline uint32_t acc_cw(uint32_t bits)
{
    return mpe_isa_container_bits(bits);
}
/* Code idx of width cw (1..32 bits, a power of two) in a little-endian
 * byte vector (docs/isa.md section 3). */
uint32_t mpe_acc_get_code(const uint8_t *base, uint32_t idx, uint32_t cw);
void mpe_acc_put_code(uint8_t *base, uint32_t idx, uint32_t cw, uint32_t code);

/* accel_ctrl.c */
void mpe_acc_ctrl_cycle(mpe_accel *a, uint64_t t, const acc_snap *s);
void mpe_acc_units_start(mpe_accel *a, uint64_t t);
void mpe_acc_tokens_push(mpe_accel *a);
void mpe_acc_deadlock_check(mpe_accel *a);
int mpe_acc_queue_push(acc_queue *q, const acc_qent *e);
/* Token counter popped / pushed by `unit` for a DEPS flag; -1 if the unit
 * does not have the flag. */
int mpe_acc_dep_token(int unit, int flag);
void mpe_acc_cfg_apply(acc_cfg *c, const mpe_insn *in, int lanes);
mpe_status mpe_acc_geom_make(const mpe_arch *arch, const acc_cfg *c, acc_geom *g,
                         char *msg, unsigned msglen);

/* accel_dma.c */
mpe_status mpe_acc_dma_alloc(mpe_accel *a);
void mpe_acc_dma_free(mpe_accel *a);
void mpe_acc_dma_start(mpe_accel *a, int unit, const acc_qent *q, uint64_t t);
void mpe_acc_dma_cycle(mpe_accel *a, uint64_t t);     /* arbitration, store reads, grants */
void mpe_acc_load_arrivals(mpe_accel *a, uint64_t t); /* scratchpad writes */

/* accel_compute.c */
mpe_status mpe_acc_compute_alloc(mpe_accel *a);
void mpe_acc_compute_free(mpe_accel *a);
void mpe_acc_compute_start(mpe_accel *a, const acc_qent *q, uint64_t t);
void mpe_acc_compute_cycle(mpe_accel *a, uint64_t t);

#endif
