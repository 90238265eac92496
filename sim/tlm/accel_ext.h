/* The C model of the accelerator (mpe/accel.h) with its external memory
 * outside: every byte a load reads comes from mpe_accel_mem.read, every
 * byte a store writes goes to mpe_accel_mem.write, at the cycle of the
 * access. Two granularities:
 *   - MPE_EXT_BEATS: the model's own hook (mpe_accel_set_mem), one callback
 *     per beat in its grant cycle;
 *   - MPE_EXT_ROWS: one callback per DMA row. Built on the public API of the
 *     model: the wrapper follows the dispatched load/store instructions (pc,
 *     registers) and the granted beats (beats_read / beats_written of the
 *     statistics) and stages each row through the model's own memory array:
 *     a load row is read through the callback before the cycle in which its
 *     first beat is requested (the load unit's start cycle t_s, or the cycle
 *     after the previous row's last grant) and written into the model's
 *     array, from which the model's grants copy it; a store row is written
 *     through the callback in the cycle of its last beat's grant, from the
 *     model's array.
 * The run's cycles, statistics, trace and traps are the model's, unchanged.
 * A load beat granted whose chunk was not fetched is reported as an
 * internal error (it cannot happen under docs/isa.md section 5). */
#ifndef MPE_ACCEL_EXT_H
#define MPE_ACCEL_EXT_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/accel.h"
#include "mpe/accel_mem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mpe_accel_ext mpe_accel_ext;

/* Granularity of the memory callbacks. */
typedef enum {
    MPE_EXT_ROWS = 0, /* one call per DMA row (rowbytes bytes), staged */
    MPE_EXT_BEATS     /* one call per beat (beat_bytes bytes): mpe_accel_set_mem */
} mpe_ext_burst;

/* Callback traffic of the current run. */
typedef struct {
    uint64_t rd_calls, rd_bytes, wr_calls, wr_bytes;
} mpe_ext_traffic;

/* MPE_ERR_ARG / MPE_ERR_NOMEM as mpe_accel_create. */
mpe_status mpe_accel_ext_create(const mpe_arch *arch, const mpe_accel_mem *mem,
                                mpe_ext_burst burst, mpe_accel_ext **out);
void mpe_accel_ext_destroy(mpe_accel_ext *x);
/* The model: trace, PE path, statistics, trap, architectural state. Its
 * memory array is a staging buffer; use the callbacks' memory instead. */
mpe_accel *mpe_accel_ext_model(mpe_accel_ext *x);

/* As mpe_accel_load_code (resets the run and the traffic counters). */
mpe_status mpe_accel_ext_load_code(mpe_accel_ext *x, const uint8_t *words, size_t n);

/* Simulates one cycle with its memory traffic; *state as mpe_accel_step.
 * Returns MPE_OK, a callback's error (the run cannot continue; the reason
 * is mpe_accel_ext_error; with MPE_EXT_BEATS the model has stopped with a
 * bus trap in that cycle) or MPE_ERR_UNSUPPORTED for an internal error. */
mpe_status mpe_accel_ext_step(mpe_accel_ext *x, mpe_run_state *state);

/* Writes out the stored bytes not written yet (a store row in progress)
 * when a run is abandoned between cycles (cycle limit). */
mpe_status mpe_accel_ext_flush(mpe_accel_ext *x);

/* One line on the last error of mpe_accel_ext_step ("" if none) and the
 * external address of the failing access. */
const char *mpe_accel_ext_error(const mpe_accel_ext *x, uint64_t *addr);
const mpe_ext_traffic *mpe_accel_ext_traffic(const mpe_accel_ext *x);

#ifdef __cplusplus
}
#endif
#endif
