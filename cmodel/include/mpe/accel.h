/* The cycle-exact C model of the accelerator (docs/isa.md): controller,
 * instruction queues and dependency tokens, load/store DMA units sharing one
 * memory port, the compute unit (PE array + output stage) and the four
 * scratchpads. All state lives in an mpe_accel context; a simulator may
 * create as many as it likes.
 *
 * Typical use:
 *   mpe_accel *acc; mpe_accel_create(&arch, &acc);
 *   mpe_accel_load_code(acc, words, n);  mpe_accel_mem_write(acc, ...);
 *   mpe_accel_run(acc, max_cycles);      mpe_accel_stats_get(acc)->cycles;
 *   mpe_accel_mem_read(acc, ...);        mpe_accel_destroy(acc);
 */
#ifndef MPE_ACCEL_H
#define MPE_ACCEL_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/accel_mem.h"
#include "mpe/arch.h"
#include "mpe/isa.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mpe_accel mpe_accel;

/* Why a run stopped with a trap (docs/isa.md sections 4 and 5): one line
 * per cause in isa/traps.def. */
typedef enum {
#define TRAP(id, name, summary) MPE_TRAP_##id,
#include "../../../isa/traps.def"
    MPE_TRAP_COUNT
} mpe_trap_cause;

const char *mpe_trap_name(mpe_trap_cause c);

typedef struct {
    mpe_trap_cause cause; /* MPE_TRAP_NONE when the run did not trap */
    uint32_t pc;          /* instruction that trapped (see docs/isa.md 5) */
    uint64_t cycle;       /* cycle in which the trap was raised */
    char msg[192];        /* one line: "pc 12: load: ..." */
} mpe_trap;

/* Token counters (docs/isa.md section 2). */
enum { MPE_TOK_L2C, MPE_TOK_C2L, MPE_TOK_C2S, MPE_TOK_S2C, MPE_TOK_COUNT };
const char *mpe_tok_name(int tok);

typedef struct {
    uint64_t cycles;        /* reported cycle count (docs/isa.md 5, End) */
    uint64_t pe_busy;       /* sum over PE-array ops of their cycles */
    uint64_t pe_ops;        /* PE-array ops */
    uint64_t macs;          /* lane-products issued: pe_ops * R * C * K */
    uint64_t insns[MPE_I_COUNT];  /* committed instructions per id */
    uint64_t unit_busy[4];  /* per mpe_unit: cycles t_s..t_e summed
                               (controller: cycles it executed or dispatched) */
    uint64_t ctrl_stall_queue;    /* controller cycles stalled on a full queue */
    uint64_t ctrl_stall_sync;     /* controller cycles stalled on sync */
    uint64_t token_stall[4];      /* per unit: idle cycles with a head waiting for tokens */
    uint64_t port_stall[4];       /* per unit: cycles a request was not granted */
    uint64_t drain_stall;         /* PE-array cycles waiting for the output unit */
    uint64_t beats_read, beats_written; /* memory port transfers */
} mpe_accel_stats;

/* Utilization = pe_busy / cycles (0 for an empty run). */
double mpe_accel_utilization(const mpe_accel_stats *s);

/* One record per instruction completion: scalar (controller) instructions
 * in the cycle they execute, queued instructions in their t_e. Within a
 * cycle: controller, load, compute, store. `insn` is valid during the
 * callback only. */
typedef struct {
    uint64_t cycle;
    uint8_t unit;       /* mpe_unit */
    uint32_t pc;
    const mpe_insn *insn;
} mpe_commit;
typedef void (*mpe_commit_fn)(void *user, const mpe_commit *c);

typedef enum {
    MPE_RUN_RUNNING = 0, /* can step further */
    MPE_RUN_DONE,        /* halted and idle: stats.cycles is final */
    MPE_RUN_TRAP,        /* stopped by a trap (mpe_accel_trap) */
    MPE_RUN_LIMIT        /* mpe_accel_run reached its cycle limit */
} mpe_run_state;

/* How the compute unit evaluates PE-array ops. Both give identical results
 * (a test checks it); FAST is the default. */
typedef enum {
    MPE_PE_PATH_FAST = 0,  /* gather each tile, mpe_gemm_fast at its last op */
    MPE_PE_PATH_STRUCT     /* mpe_pe_step on one PE context per row, per op */
} mpe_pe_path;

/* Creates a context in reset state with zeroed memories. The arch must be
 * valid (mpe_arch_parse checks it); MPE_ERR_ARG / MPE_ERR_NOMEM otherwise. */
mpe_status mpe_accel_create(const mpe_arch *arch, mpe_accel **out);
void mpe_accel_destroy(mpe_accel *acc);
const mpe_arch *mpe_accel_arch(const mpe_accel *acc);

/* Back to cycle 0: registers, queues, tokens, units and statistics reset;
 * instruction memory, external memory and scratchpads are kept. */
void mpe_accel_reset(mpe_accel *acc);

/* Loads n instructions (16 bytes each) at instruction index 0; the rest of
 * the instruction memory is zero (opcode 0 traps). Words that do not decode
 * are accepted here and trap when the controller reaches them.
 * MPE_ERR_RANGE if n > imem_insns. Resets the context. */
mpe_status mpe_accel_load_code(mpe_accel *acc, const uint8_t *words, size_t n);

/* External memory and scratchpad access (MPE_ERR_RANGE outside). sp is
 * MPE_SP_ASP / WSP / PSP / OSP. */
mpe_status mpe_accel_mem_write(mpe_accel *acc, uint64_t addr, const void *src, size_t len);
mpe_status mpe_accel_mem_read(const mpe_accel *acc, uint64_t addr, void *dst, size_t len);
mpe_status mpe_accel_sp_write(mpe_accel *acc, int sp, uint32_t addr, const void *src, size_t len);
mpe_status mpe_accel_sp_read(const mpe_accel *acc, int sp, uint32_t addr, void *dst, size_t len);

void mpe_accel_set_trace(mpe_accel *acc, mpe_commit_fn fn, void *user);
/* External memory behind the DMA port (mpe/accel_mem.h): every load beat is
 * read through m->read in its grant cycle, every store beat written through
 * m->write in its grant cycle; NULL returns to the internal array (which
 * mpe_accel_mem_read/write always access). A callback error stops the run
 * with MPE_TRAP_BUS at the DMA instruction's pc. */
void mpe_accel_set_mem(mpe_accel *acc, const mpe_accel_mem *m);
void mpe_accel_set_pe_path(mpe_accel *acc, mpe_pe_path path);

/* Simulates one cycle (the current cycle number is mpe_accel_cycle). */
mpe_run_state mpe_accel_step(mpe_accel *acc);
/* Steps until done, trap, or `max_cycles` cycles have been simulated in
 * total (0 = no limit). */
mpe_run_state mpe_accel_run(mpe_accel *acc, uint64_t max_cycles);

mpe_run_state mpe_accel_state(const mpe_accel *acc);
uint64_t mpe_accel_cycle(const mpe_accel *acc);
const mpe_accel_stats *mpe_accel_stats_get(const mpe_accel *acc);
const mpe_trap *mpe_accel_trap(const mpe_accel *acc);

/* Architectural state, for co-simulation and tests. */
uint32_t mpe_accel_reg(const mpe_accel *acc, int r);
uint32_t mpe_accel_pc(const mpe_accel *acc);
int mpe_accel_tokens(const mpe_accel *acc, int tok);

#ifdef __cplusplus
}
#endif
#endif
