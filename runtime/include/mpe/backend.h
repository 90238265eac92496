/* A simulation backend: what `mpe run` (and co-simulation) needs from a
 * model of the accelerator, as a small table of functions. The C model is
 * one backend (mpe_backend_cmodel); the RTL top (sim/) provides another
 * with the same table. */
#ifndef MPE_BACKEND_H
#define MPE_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/accel.h"
#include "mpe/arch.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Progress of a run: the cycles simulated so far. Called every few thousand
 * cycles (however fast the backend is), so a caller that prints must limit
 * its own rate. */
typedef void (*mpe_progress_fn)(void *user, uint64_t cycles);

typedef struct {
    const char *name;
    /* A model in reset state for `arch`; err gets a one-line reason. */
    mpe_status (*create)(const mpe_arch *arch, void **ctx, char *err, size_t errlen);
    void (*destroy)(void *ctx);
    /* n instructions of 16 bytes at instruction index 0. */
    mpe_status (*load_code)(void *ctx, const uint8_t *code, size_t n);
    mpe_status (*mem_write)(void *ctx, uint64_t addr, const void *src, size_t len);
    mpe_status (*mem_read)(void *ctx, uint64_t addr, void *dst, size_t len);
    /* One record per instruction completion (mpe_commit). */
    void (*set_trace)(void *ctx, mpe_commit_fn fn, void *user);
    mpe_run_state (*step)(void *ctx);
    mpe_run_state (*run)(void *ctx, uint64_t max_cycles);
    const mpe_accel_stats *(*stats)(void *ctx);
    const mpe_trap *(*trap)(void *ctx);
    /* run, calling fn (may be NULL) with the cycle count as the run goes */
    mpe_run_state (*run_progress)(void *ctx, uint64_t max_cycles, mpe_progress_fn fn,
                                  void *user);
} mpe_backend;

/* The cycle-exact C model (mpe/accel.h). */
extern const mpe_backend mpe_backend_cmodel;

/* run_progress for a backend whose run continues where the last one stopped
 * (run(max) stops with MPE_RUN_LIMIT once max cycles are simulated in total,
 * and stats()->cycles is then current): runs in slices of `chunk` cycles,
 * calling fn after each. */
mpe_run_state mpe_backend_run_chunked(const mpe_backend *be, void *ctx, uint64_t max_cycles,
                                      uint64_t chunk, mpe_progress_fn fn, void *user);

/* The backend of name "cmodel" or "rtl"; NULL for another name. */
const mpe_backend *mpe_backend_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif
